import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import rhea from 'rhea';
import { Connection as PromiseConnection, SenderEvents, type ConnectionOptions, type EventContext } from 'rhea-promise';
import { rheaSenderOf } from '../../drainer/amqp/rhea-internals.js';
import { sendStreaming, type StreamingSend } from '../../drainer/amqp/streaming-send.js';
import { DeliveryError } from '../../drainer/amqp/delivery-error.js';
import { startPeer, type Peer } from './peer.js';
import {
  FOOTER,
  MiB,
  MemorySampler,
  connectClient,
  dataSectionStart,
  describeGrowth,
  mib,
  newSession,
  openSender,
  outgoing,
  sha256,
  tempDir,
  writeRegionFile,
  writeZlibFile,
  type Client,
} from './harness.js';

const MAX_FRAME = 16 * 1024;
/** Payload bytes per transfer frame the sender must use against MAX_FRAME (rhea's allowance, tag "0".."9"). */
const fragment = (tag: Buffer | string) => MAX_FRAME - (50 + tag.length);

async function withPeer(opts: Parameters<typeof startPeer>[0], body: (peer: Peer, client: Client) => Promise<void>): Promise<void> {
  const peer = await startPeer(opts);
  const client = await connectClient(peer.port);
  try {
    await body(peer, client);
  } finally {
    client.close();
    await peer.close();
  }
}

async function rejection(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DeliveryError, `expected a DeliveryError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the promise to reject');
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
    }),
  ]);
}

test('small in-memory messages go to sender.send whole and arrive decoded, accepted', async () => {
  await withPeer({}, async (peer, client) => {
    const sender = await openSender(client.connection, 'small');
    const bodies = ['hello', 'x'.repeat(40_000), 'é😀'];
    for (const [i, body] of bodies.entries()) {
      const encoded = rhea.message.encode({ body, application_properties: { i } }) as Buffer;
      // Split over several buffer parts: they are concatenated in order.
      const parts = [encoded.subarray(0, 3), encoded.subarray(3, 10), encoded.subarray(10)].map((data) => ({ kind: 'buffer' as const, data }));
      const s = sendStreaming(sender, outgoing(parts));
      assert.equal(s.streamed, false);
      const outcome = await s.done;
      assert.equal(outcome.kind, 'accepted');
      assert.equal(outcome.delivery, s.delivery);
      const got = await peer.waitFor((r) => r.link === 'small' && r.id === s.delivery.id);
      assert.equal(got.sha256, sha256(encoded));
      assert.equal(got.size, encoded.length);
      assert.equal(got.message?.body, body);
      assert.deepEqual(got.message?.application_properties, { i });
      // 40 kB does not fit a 16 KiB frame: rhea split it itself.
      assert.equal(got.frames, Math.ceil(encoded.length / fragment(s.delivery.tag)));
    }
    assert.ok(peer.maxTransferFrame <= MAX_FRAME, `largest transfer frame ${peer.maxTransferFrame}`);
  });
});

test('a small file-backed message is streamed in frames and decodes to the file bytes', async () => {
  const dir = tempDir();
  try {
    await withPeer({}, async (peer, client) => {
      const sender = await openSender(client.connection, 'file-small');
      const file = path.join(dir, 'body.msg');
      const body = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 31) & 0xff));
      fs.writeFileSync(file, Buffer.concat([Buffer.from('JUNK'), body, Buffer.from('TAIL')]));
      const head = dataSectionStart(body.length);
      const s = sendStreaming(sender, outgoing([{ kind: 'buffer', data: head }, { kind: 'file', path: file, displayPath: 'body.msg', offset: 4, length: body.length }]));
      assert.equal(s.streamed, true);
      assert.equal((await s.done).kind, 'accepted');
      const got = await peer.waitFor((r) => r.link === 'file-small');
      assert.equal(got.sha256, sha256(head, body));
      assert.equal(got.frames, Math.ceil((head.length + body.length) / fragment(s.delivery.tag)));
      assert.equal(got.message?.body?.typecode, 0x75, 'rhea decoded a data section');
      assert.ok(Buffer.from(got.message!.body.content as Buffer).equals(body), 'decoded body equals the file region');
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a 64 MiB message (buffer + file region + buffer) arrives as one delivery with bounded sender memory', async (t) => {
  const dir = tempDir();
  try {
    const regionLength = 64 * MiB;
    const head = dataSectionStart(regionLength);
    const hash = createHash('sha256').update(head);
    const region = writeRegionFile(path.join(dir, 'large.msg'), 4219, regionLength, 777, hash);
    hash.update(FOOTER);
    const expected = hash.digest('hex');
    const msg = outgoing([{ kind: 'buffer', data: head }, region, { kind: 'buffer', data: FOOTER }]);

    await withPeer({ discardPayload: true, sessionWindow: 8 }, async (peer, client) => {
      const sender = await openSender(client.connection, 'large');
      // Twice: first with the GC left alone (what the process really grows to), then sampling what
      // is live after forced collections (what the sender holds).
      for (const live of [false, true]) {
        const mem = new MemorySampler(live ? 50 : 0);
        const started = Date.now();
        const s = sendStreaming(sender, msg);
        const outcome = await within(s.done, 120_000, 'large delivery');
        const ms = Date.now() - started;
        const growth = await mem.stop();
        assert.equal(outcome.kind, 'accepted');
        const got = peer.received.filter((r) => r.link === 'large');
        assert.equal(got.length, live ? 2 : 1, 'exactly one delivery per send');
        const last = got[got.length - 1]!;
        assert.equal(last.id, s.delivery.id);
        assert.equal(last.size, msg.size);
        assert.equal(last.sha256, expected);
        assert.equal(last.aborted, false);
        assert.equal(last.frames, Math.ceil(msg.size / fragment(s.delivery.tag)));
        assert.ok(peer.maxTransferFrame <= MAX_FRAME, `largest transfer frame ${peer.maxTransferFrame}`);
        t.diagnostic(`64 MiB + ${msg.size - regionLength} B in ${ms} ms, ${last.frames} frames; ${describeGrowth(growth)}`);
        if (live) {
          // What is really held: about two 1 MiB chunks (plus up to the socket's 1 MiB high-water mark).
          assert.ok(growth.live, 'live samples taken');
          assert.ok(growth.live.arrayBuffers < 4 * MiB, `live arrayBuffers grew ${mib(growth.live.arrayBuffers)}`);
          assert.ok(growth.live.heapUsed < 4 * MiB, `live heap grew ${mib(growth.live.heapUsed)}`);
        } else {
          // Holding the message whole would add >= 64 MiB of array buffers (twice that once framed);
          // what grows here is spent frame buffers the GC has not collected yet.
          assert.ok(growth.observed.arrayBuffers < 56 * MiB, `observed arrayBuffers grew ${mib(growth.observed.arrayBuffers)}`);
          assert.ok(growth.observed.rss < 64 * MiB, `observed rss grew ${mib(growth.observed.rss)}`);
        }
      }
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a zlib-compressed file part is inflated while it is sent', async (t) => {
  const dir = tempDir();
  try {
    const inflated = 24 * MiB + 12345;
    const head = dataSectionStart(inflated);
    const hash = createHash('sha256').update(head);
    const part = await writeZlibFile(path.join(dir, 'compressed.msg'), 100, inflated, 50, hash);
    const expected = hash.digest('hex');
    assert.ok(part.length < inflated / 2, 'the test body compresses');
    const msg = outgoing([{ kind: 'buffer', data: head }, part], head.length + inflated);

    await withPeer({ discardPayload: true }, async (peer, client) => {
      const sender = await openSender(client.connection, 'zlib');
      const mem = new MemorySampler(50);
      const s = sendStreaming(sender, msg);
      assert.equal((await within(s.done, 120_000, 'zlib delivery')).kind, 'accepted');
      const growth = await mem.stop();
      const got = await peer.waitFor((r) => r.link === 'zlib');
      assert.equal(got.size, head.length + inflated);
      assert.equal(got.sha256, expected);
      assert.equal(peer.received.filter((r) => r.link === 'zlib').length, 1);
      t.diagnostic(`zlib ${mib(part.length)} -> ${mib(inflated)}; ${describeGrowth(growth)}`);
      assert.ok(growth.live, 'live samples taken');
      assert.ok(growth.live.arrayBuffers < 4 * MiB, `live arrayBuffers grew ${mib(growth.live.arrayBuffers)}`);
      assert.ok(growth.live.heapUsed < 4 * MiB, `live heap grew ${mib(growth.live.heapUsed)}`);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a payload shorter than announced is aborted on the wire and the link stays usable', async () => {
  const dir = tempDir();
  try {
    const inflated = 3 * MiB;
    const head = dataSectionStart(inflated + 1000);
    const part = await writeZlibFile(path.join(dir, 'short.msg'), 10, inflated, 10, createHash('sha256'));
    // The data section and `size` promise 1000 bytes more than the zlib stream holds.
    const msg = outgoing([{ kind: 'buffer', data: head }, part], head.length + inflated + 1000);
    await withPeer({ discardPayload: true }, async (peer, client) => {
      const sender = await openSender(client.connection, 'short');
      const s = sendStreaming(sender, msg);
      const e = await rejection(s.done);
      assert.equal(e.kind, 'source');
      assert.match(e.message, /end after \d+ bytes/);
      await rejection(s.written);
      const aborted = await peer.waitFor((r) => r.link === 'short');
      assert.equal(aborted.aborted, true);
      assert.equal(aborted.id, s.delivery.id);
      assert.ok(aborted.size < msg.size);
      // Next delivery on the same link: the next delivery-id, accepted (rhea's receiver insists on sequence).
      const data = rhea.message.encode({ body: 'after' }) as Buffer;
      const next = sendStreaming(sender, outgoing([{ kind: 'buffer', data }]));
      assert.equal((await next.done).kind, 'accepted');
      const got = await peer.waitFor((r) => r.link === 'short' && !r.aborted);
      assert.equal(got.id, s.delivery.id + 1);
      assert.equal(got.sha256, sha256(data));
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an unreadable file aborts the delivery before any byte is sent', async () => {
  await withPeer({}, async (peer, client) => {
    const sender = await openSender(client.connection, 'missing');
    const msg = outgoing([
      { kind: 'buffer', data: dataSectionStart(5 * MiB) },
      { kind: 'file', path: '/nonexistent/large-messages/1.msg', displayPath: 'large-messages/1.msg', offset: 0, length: 5 * MiB },
    ]);
    const s = sendStreaming(sender, msg);
    const e = await rejection(s.done);
    assert.equal(e.kind, 'source');
    assert.match(e.message, /large-messages\/1\.msg: cannot open/);
    const aborted = await peer.waitFor((r) => r.link === 'missing');
    assert.deepEqual([aborted.aborted, aborted.frames, aborted.size, aborted.id], [true, 1, 0, s.delivery.id]);
    const data = rhea.message.encode({ body: 'still fine' }) as Buffer;
    assert.equal((await sendStreaming(sender, outgoing([{ kind: 'buffer', data }])).done).kind, 'accepted');
    assert.equal((await peer.waitFor((r) => r.link === 'missing' && !r.aborted)).message?.body, 'still fine');
  });
});

test('small deliveries on another session complete while a large delivery is in flight', async () => {
  const dir = tempDir();
  try {
    const regionLength = 16 * MiB;
    const head = dataSectionStart(regionLength);
    const hash = createHash('sha256').update(head);
    const region = writeRegionFile(path.join(dir, 'big.msg'), 0, regionLength, 0, hash);
    const expected = hash.digest('hex');
    let bigFrames = 0;
    await withPeer(
      {
        discardPayload: true,
        onTransfer: (tr) => {
          if (tr.link === 'big') bigFrames++;
        },
      },
      async (peer, client) => {
        const big = await openSender(newSession(client.connection), 'big');
        const small = await openSender(newSession(client.connection), 'small');
        const large = sendStreaming(big, outgoing([{ kind: 'buffer', data: head }, region]));
        let largeDone = false;
        void large.done.then(() => (largeDone = true), () => undefined);
        while (bigFrames < 20) await new Promise((r) => setTimeout(r, 1));
        const smalls: StreamingSend[] = [];
        for (let i = 0; i < 20; i++) smalls.push(sendStreaming(small, outgoing([{ kind: 'buffer', data: rhea.message.encode({ body: `s${i}` }) as Buffer }])));
        const outcomes = await within(Promise.all(smalls.map((s) => s.done)), 30_000, 'small deliveries');
        assert.deepEqual(outcomes.map((o) => o.kind), Array(20).fill('accepted'));
        const framesWhenSmallDone = bigFrames;
        assert.equal(largeDone, false, 'small deliveries finished first');
        assert.ok(framesWhenSmallDone < Math.ceil((head.length + regionLength) / fragment(large.delivery.tag)), 'large delivery still in flight');
        assert.equal((await within(large.done, 60_000, 'large delivery')).kind, 'accepted');
        const got = peer.received.filter((r) => r.link === 'big');
        assert.equal(got.length, 1);
        assert.equal(got[0]!.sha256, expected);
        // On the wire the small deliveries completed between the large one's frames.
        const order = peer.received.map((r) => r.link);
        assert.ok(order.indexOf('small') < order.indexOf('big'));
        assert.equal(order.filter((l) => l === 'small').length, 20);
      },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('on one session, deliveries queued behind a large one follow it (no deadlock)', async () => {
  const dir = tempDir();
  try {
    const regionLength = 8 * MiB;
    const head = dataSectionStart(regionLength);
    const hash = createHash('sha256').update(head);
    const region = writeRegionFile(path.join(dir, 'big.msg'), 0, regionLength, 0, hash);
    const expected = hash.digest('hex');
    await withPeer({ discardPayload: true }, async (peer, client) => {
      const session = newSession(client.connection);
      const a = await openSender(session, 'a');
      const b = await openSender(session, 'b');
      const large = sendStreaming(a, outgoing([{ kind: 'buffer', data: head }, region]));
      const smalls = Array.from({ length: 5 }, (_, i) => sendStreaming(b, outgoing([{ kind: 'buffer', data: rhea.message.encode({ body: `b${i}` }) as Buffer }])));
      const all = await within(Promise.all([large.done, ...smalls.map((s) => s.done)]), 60_000, 'deliveries');
      assert.deepEqual(all.map((o) => o.kind), Array(6).fill('accepted'));
      assert.deepEqual(peer.received.map((r) => r.link), ['a', 'b', 'b', 'b', 'b', 'b']);
      assert.equal(peer.received[0]!.sha256, expected);
      assert.deepEqual(peer.received.map((r) => r.id), [0, 1, 2, 3, 4, 5].map((k) => large.delivery.id + k));
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a connection drop mid-delivery rejects that delivery and closes its file', async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'dropped.msg');
    const region = writeRegionFile(file, 0, 32 * MiB, 0, createHash('sha256'));
    let peerRef: Peer | undefined;
    await withPeer(
      {
        discardPayload: true,
        onTransfer: (tr) => {
          if (tr.link === 'drop' && tr.frameIndex === 50) setImmediate(() => peerRef!.drop(tr.connection));
        },
      },
      async (peer, client) => {
        peerRef = peer;
        const sender = await openSender(client.connection, 'drop');
        const s = sendStreaming(sender, outgoing([{ kind: 'buffer', data: dataSectionStart(region.length) }, region]));
        const e = await within(rejection(s.done), 10_000, 'dropped delivery');
        assert.equal(e.kind, 'disconnected');
        assert.equal((await rejection(s.written)).kind, 'disconnected');
        assert.equal(peer.received.filter((r) => r.link === 'drop').length, 0, 'no complete delivery');
        if (fs.existsSync('/proc/self/fd')) {
          await new Promise((r) => setTimeout(r, 50));
          const open = fs.readdirSync('/proc/self/fd').filter((fd) => {
            try {
              return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
            } catch {
              return false;
            }
          });
          assert.deepEqual(open, [], 'file handle released');
        }
      },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('cancelling mid-delivery aborts it on the wire', async () => {
  const dir = tempDir();
  try {
    const region = writeRegionFile(path.join(dir, 'c.msg'), 0, 16 * MiB, 0, createHash('sha256'));
    const ac = new AbortController();
    await withPeer(
      {
        discardPayload: true,
        onTransfer: (tr) => {
          if (tr.link === 'cancel' && tr.frameIndex === 30) ac.abort(new Error('operator said stop'));
        },
      },
      async (peer, client) => {
        const sender = await openSender(client.connection, 'cancel');
        const s = sendStreaming(sender, outgoing([{ kind: 'buffer', data: dataSectionStart(region.length) }, region]), { signal: ac.signal });
        const e = await rejection(s.done);
        assert.equal(e.kind, 'cancelled');
        const got = await peer.waitFor((r) => r.link === 'cancel');
        assert.equal(got.aborted, true);
        assert.ok(got.frames > 30 && got.size < 16 * MiB);
      },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a streamed delivery on a pre-settled link resolves as presettled once written', async () => {
  const dir = tempDir();
  try {
    const head = dataSectionStart(3 * MiB);
    const hash = createHash('sha256').update(head);
    const region = writeRegionFile(path.join(dir, 'p.msg'), 5, 3 * MiB, 5, hash);
    await withPeer({ discardPayload: true }, async (peer, client) => {
      const sender = await openSender(client.connection, 'presettled', { snd_settle_mode: 1 });
      const s = sendStreaming(sender, outgoing([{ kind: 'buffer', data: head }, region]));
      assert.equal((await s.done).kind, 'presettled');
      const got = await peer.waitFor((r) => r.link === 'presettled');
      assert.equal(got.sha256, hash.digest('hex'));
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('messages whose parts disagree with their size are refused before anything is queued', async () => {
  await withPeer({}, async (_peer, client) => {
    const sender = await openSender(client.connection, 'refuse');
    const data = Buffer.from('abc');
    assert.throws(() => sendStreaming(sender, outgoing([{ kind: 'buffer', data }], 4)), /disagrees with its parts/);
    assert.throws(() => sendStreaming(sender, outgoing([{ kind: 'buffer', data }], 0)), /not a positive integer/);
  });
});

test('through rhea-promise: the streamed delivery is the one its sender events carry', async () => {
  const dir = tempDir();
  try {
    const head = dataSectionStart(2 * MiB);
    const hash = createHash('sha256').update(head);
    const region = writeRegionFile(path.join(dir, 'rp.msg'), 9, 2 * MiB, 9, hash);
    const peer = await startPeer({ discardPayload: true });
    const connection = new PromiseConnection({ host: '127.0.0.1', port: peer.port, transport: 'tcp', reconnect: false } as ConnectionOptions);
    try {
      await connection.open();
      const sender = await connection.createSender({ target: { address: 'rp' } });
      const accepted = new Promise<unknown>((resolve) => sender.on(SenderEvents.accepted, (ctx: EventContext) => resolve(ctx.delivery)));
      const s = sendStreaming(rheaSenderOf(sender), outgoing([{ kind: 'buffer', data: head }, region]));
      assert.equal(s.streamed, true);
      assert.equal(await accepted, s.delivery);
      assert.equal((await s.done).kind, 'accepted');
      assert.equal((await peer.waitFor((r) => r.link === sender.name)).sha256, hash.digest('hex'));
    } finally {
      await connection.close().catch(() => undefined);
      await peer.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a slow reader holds frames back at the socket high-water mark instead of queueing the file', async (t) => {
  const dir = tempDir();
  try {
    const length = 48 * MiB;
    const head = dataSectionStart(length);
    const hash = createHash('sha256').update(head);
    const region = writeRegionFile(path.join(dir, 'slow.msg'), 0, length, 0, hash);
    // A session window of 4096 frames (64 MiB) would let rhea write the whole message at once.
    await withPeer(
      {
        discardPayload: true,
        sessionWindow: 4096,
        onTransfer: (tr) => {
          if (tr.link === 'slow' && tr.frameIndex === 100) {
            const socket = (tr.connection as unknown as { socket: { pause(): void; resume(): void } }).socket;
            socket.pause();
            setTimeout(() => socket.resume(), 600);
          }
        },
      },
      async (peer, client) => {
        const sender = await openSender(client.connection, 'slow');
        const socket = (client.connection as unknown as { socket: { writableLength: number } }).socket;
        let held = 0;
        const timer = setInterval(() => (held = Math.max(held, socket.writableLength)), 1);
        const s = sendStreaming(sender, outgoing([{ kind: 'buffer', data: head }, region]), { chunkSize: MiB });
        try {
          assert.equal((await within(s.done, 60_000, 'slow delivery')).kind, 'accepted');
        } finally {
          clearInterval(timer);
        }
        t.diagnostic(`largest socket write buffer while the reader paused: ${mib(held)}`);
        // Kernel buffers fill first; after that the socket may hold the 1 MiB high-water mark plus one frame.
        assert.ok(held > 0, 'the pause did back up into the socket');
        assert.ok(held <= MiB + MAX_FRAME, `socket held ${held} bytes`);
        const got = await peer.waitFor((r) => r.link === 'slow');
        assert.equal(got.sha256, hash.digest('hex'));
      },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a message above the link's max-message-size is refused before anything is queued", async () => {
  await withPeer({ maxMessageSize: 1_000_000 }, async (peer, client) => {
    const sender = await openSender(client.connection, 'limited');
    const big = outgoing([{ kind: 'buffer', data: dataSectionStart(1_000_000) }, { kind: 'file', path: '/dev/zero', displayPath: 'zero', offset: 0, length: 1_000_000 }]);
    assert.throws(() => sendStreaming(sender, big), (e: unknown) => e instanceof DeliveryError && e.kind === 'too-large' && /max-message-size 1000000/.test(e.message));
    const data = rhea.message.encode({ body: 'fits' }) as Buffer;
    const s = sendStreaming(sender, outgoing([{ kind: 'buffer', data }]));
    assert.equal((await s.done).kind, 'accepted');
    assert.equal((await peer.waitFor((r) => r.link === 'limited')).id, s.delivery.id);
  });
});
