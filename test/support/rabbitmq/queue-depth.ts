/**
 * How many messages a RabbitMQ queue holds, asked over AMQP 0-9-1 on the same port the AMQP 1.0
 * plugin uses (RabbitMQ tells the two protocols apart by their header). A passive queue.declare
 * answers with the ready-message count and the consumer count, without the management plugin and
 * without an extra Erlang VM (rabbitmqctl needs ~1 s per call).
 *
 * Only the handful of frames needed are written here: Start-Ok (PLAIN), Tune-Ok, Open,
 * Channel.Open, Queue.Declare(passive), Connection.Close.
 */
import net from 'node:net';

export interface QueueDepth {
  /** Ready messages (not those delivered to a consumer and not yet settled). */
  messages: number;
  consumers: number;
}

const FRAME_METHOD = 1;
const FRAME_END = 0xce;

/** The queue's counts, or null when it does not exist (the broker answers 404 NOT_FOUND). */
export function queueDepth(url: string, queue: string, timeoutMs = 5_000): Promise<QueueDepth | null> {
  const u = new URL(url);
  const user = u.username ? decodeURIComponent(u.username) : 'guest';
  const pass = u.password ? decodeURIComponent(u.password) : 'guest';
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port || 5672), u.hostname);
    let buf = Buffer.alloc(0);
    let settled = false;
    const timer = setTimeout(() => done(new Error(`queueDepth ${queue}: no answer within ${timeoutMs} ms`)), timeoutMs);
    const done = (err: Error | null, value?: QueueDepth | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        sock.destroy();
        reject(err);
        return;
      }
      // Polite close; the socket is destroyed once the broker confirms (or shortly after anyway).
      sock.write(method(0, 10, 50, Buffer.concat([u16(200), shortstr(''), u16(0), u16(0)])));
      setTimeout(() => sock.destroy(), 500).unref();
      resolve(value ?? null);
    };
    sock.on('error', (e) => done(new Error(`queueDepth ${queue}: ${e.message}`)));
    sock.on('close', () => done(new Error(`queueDepth ${queue}: connection closed by the broker`)));
    sock.on('connect', () => sock.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 7) {
        const size = buf.readUInt32BE(3);
        if (buf.length < 8 + size) break;
        const type = buf[0];
        const channel = buf.readUInt16BE(1);
        const payload = buf.subarray(7, 7 + size);
        if (buf[7 + size] !== FRAME_END) return done(new Error(`queueDepth ${queue}: bad frame end`));
        buf = buf.subarray(8 + size);
        if (type === FRAME_METHOD) onMethod(channel, payload.readUInt16BE(0), payload.readUInt16BE(2), payload.subarray(4));
      }
    });

    const onMethod = (channel: number, cls: number, id: number, args: Buffer): void => {
      const m = `${cls}.${id}`;
      if (m === '10.10') {
        // connection.start → start-ok with PLAIN
        sock.write(method(0, 10, 11, Buffer.concat([u32(0), shortstr('PLAIN'), longstr(Buffer.from(`\0${user}\0${pass}`)), shortstr('en_US')])));
      } else if (m === '10.30') {
        // connection.tune → tune-ok (same limits, no heartbeat), then open the default vhost
        sock.write(method(0, 10, 31, Buffer.concat([args.subarray(0, 2), args.subarray(2, 6), u16(0)])));
        sock.write(method(0, 10, 40, Buffer.concat([shortstr(decodeURIComponent(u.pathname.slice(1)) || '/'), shortstr(''), Buffer.from([0])])));
      } else if (m === '10.41') {
        sock.write(method(1, 20, 10, shortstr('')));
      } else if (m === '20.11') {
        // queue.declare: ticket, name, bits (passive), empty arguments table
        sock.write(method(1, 50, 10, Buffer.concat([u16(0), shortstr(queue), Buffer.from([0x01]), u32(0)])));
      } else if (m === '50.11') {
        const nameLen = args[0]!;
        done(null, { messages: args.readUInt32BE(1 + nameLen), consumers: args.readUInt32BE(5 + nameLen) });
      } else if (m === '20.40') {
        const code = args.readUInt16BE(0);
        if (channel === 1 && code === 404) done(null, null);
        else done(new Error(`queueDepth ${queue}: channel closed ${code} ${args.subarray(3, 3 + args[2]!).toString()}`));
      } else if (m === '10.51') {
        sock.destroy(); // close-ok to our close
      } else if (m === '10.50') {
        const code = args.readUInt16BE(0);
        done(new Error(`queueDepth ${queue}: connection closed ${code} ${args.subarray(3, 3 + args[2]!).toString()}`));
      }
    };
  });
}

function method(channel: number, cls: number, id: number, args: Buffer): Buffer {
  const payload = Buffer.concat([u16(cls), u16(id), args]);
  return Buffer.concat([Buffer.from([FRAME_METHOD]), u16(channel), u32(payload.length), payload, Buffer.from([FRAME_END])]);
}
const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const shortstr = (s: string): Buffer => {
  const b = Buffer.from(s, 'utf8');
  if (b.length > 255) throw new Error(`shortstr too long: ${s}`);
  return Buffer.concat([Buffer.from([b.length]), b]);
};
const longstr = (b: Buffer): Buffer => Buffer.concat([u32(b.length), b]);
