import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { PayloadSource } from '../../drainer/amqp/payload-source.js';
import { PayloadSourceError } from '../../drainer/amqp/delivery-error.js';
import type { ByteSource } from '../../journal/model/message.js';
import { tempDir } from './harness.js';

/** Reads the whole source in steps of the given sizes (cycled), as the streamer's chunks would. */
async function drain(src: PayloadSource, steps: number[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for (let i = 0; ; i++) {
    const b = Buffer.alloc(steps[i % steps.length]!);
    const n = await src.fill(b, 0, b.length);
    out.push(b.subarray(0, n));
    if (n < b.length) break;
  }
  return Buffer.concat(out);
}

function fixture(dir: string) {
  const head = randomBytes(300);
  const plainPrefix = randomBytes(1234);
  const plain = randomBytes(200_000);
  const plainFile = path.join(dir, 'plain.msg');
  fs.writeFileSync(plainFile, Buffer.concat([plainPrefix, plain, randomBytes(99)]));
  const text = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `row ${i} ${i * i}\n`).join(''));
  const compressed = zlib.deflateSync(text);
  const zFile = path.join(dir, 'z.msg');
  fs.writeFileSync(zFile, Buffer.concat([Buffer.from('prefix'), compressed, Buffer.from('trailing junk')]));
  const tail = randomBytes(17);
  const parts: ByteSource[] = [
    { kind: 'buffer', data: head },
    { kind: 'file', path: plainFile, displayPath: 'large-messages/plain.msg', offset: plainPrefix.length, length: plain.length },
    { kind: 'file', path: zFile, displayPath: 'large-messages/z.msg', offset: 6, length: compressed.length, zlib: true },
    { kind: 'buffer', data: tail },
  ];
  return { parts, expected: Buffer.concat([head, plain, text, tail]), zFile, compressed };
}

test('buffer, file-region and zlib parts read back as their concatenation, whatever the step sizes', async () => {
  const dir = tempDir();
  try {
    const { parts, expected } = fixture(dir);
    for (const steps of [[1 << 20], [7, 1000, 65536], [16334], [1]]) {
      if (steps[0] === 1) {
        // Byte by byte over the first few kB only (the whole would take long).
        const src = new PayloadSource(parts);
        const b = Buffer.alloc(5000);
        for (let i = 0; i < b.length; i++) assert.equal(await src.read(b, i, 1), 1);
        assert.ok(b.equals(expected.subarray(0, 5000)));
        await src.close();
        continue;
      }
      const src = new PayloadSource(parts);
      const got = await drain(src, steps);
      assert.equal(got.length, expected.length, `steps ${steps}`);
      assert.ok(got.equals(expected), `steps ${steps}`);
      assert.equal(await src.hasMore(), false);
      await src.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a file shorter than its region is reported with its path', async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'short.msg');
    fs.writeFileSync(file, randomBytes(1000));
    const src = new PayloadSource([{ kind: 'file', path: file, displayPath: 'large-messages/short.msg', offset: 100, length: 2000 }]);
    await assert.rejects(drain(src, [4096]), (e: unknown) => {
      assert.ok(e instanceof PayloadSourceError);
      assert.match(e.message, /^large-messages\/short\.msg: file ends at byte 1000, 1100 bytes before the end of its region$/);
      return true;
    });
    await src.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt or truncated zlib region is an error, not short data', async () => {
  const dir = tempDir();
  try {
    const { zFile, compressed } = fixture(dir);
    const bad = fs.readFileSync(zFile);
    bad[6 + Math.floor(compressed.length / 2)]! ^= 0xff;
    const badFile = path.join(dir, 'bad.msg');
    fs.writeFileSync(badFile, bad);
    for (const [file, length] of [
      [badFile, compressed.length],
      [zFile, compressed.length - 10],
    ] as const) {
      const src = new PayloadSource([{ kind: 'file', path: file, displayPath: 'z', offset: 6, length, zlib: true }]);
      await assert.rejects(drain(src, [65536]), (e: unknown) => {
        assert.ok(e instanceof PayloadSourceError);
        assert.match(e.message, /^z: cannot inflate the compressed body: /);
        return true;
      });
      await src.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
