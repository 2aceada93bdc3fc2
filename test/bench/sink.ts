/**
 * A minimal AMQP 1.0 sink for profiling the drainer alone: accepts every delivery and keeps
 * nothing but counts. Run: node dist/test/bench/sink.js PORT
 */
import rhea from 'rhea';

const port = Number(process.argv[2] ?? 5699);
const container = rhea.create_container({ id: 'sink' });
let received = 0;
container.on('receiver_open', (ctx) => {
  ctx.receiver!.set_target(ctx.receiver!.target ?? {});
});
container.on('message', () => {
  received++;
});
container.listen({ port, host: '127.0.0.1' });
setInterval(() => process.stderr.write(`sink: ${received} received\n`), 10_000).unref();
process.on('SIGTERM', () => {
  process.stderr.write(`sink: ${received} received\n`);
  process.exit(0);
});
