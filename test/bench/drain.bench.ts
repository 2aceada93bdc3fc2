/**
 * Drain benchmark on i_big_1m (10 queues x 100,000 durable 1 KiB core messages) into a real
 * RabbitMQ 3.10 (AMQP 1.0 plugin), next to the broker's ceiling measured in the same run.
 * Not a test: it prints a report. Exit code is non-zero only when a command failed or a count is
 * wrong; a missed performance target is reported as FAIL but still exits 0.
 *
 * 1. Ceiling: a plain rhea producer (rhea-ceiling.ts) sends the same number of 1 KiB durable
 *    messages to the same queues with the drainer's default window; then the queues are deleted so
 *    the drain starts from nothing, as it would on a fresh target.
 * 2. Drain: `artemis-drainer drain` run as users run it (the file itself, so its shebang's node
 *    flags apply), progress in a fresh --state-dir (the data directory is only read). Its rate is
 *    taken from the "drain starting" log line (indexing done, about to connect) to its exit, and
 *    over the whole process; peak RSS from GNU time, or VmHWM polled from /proc without it.
 *    Every queue must then hold exactly its manifest count on the broker.
 *
 * Both run on one machine: the broker, the producer and the bench share its CPUs, so compare the
 * two figures of one run rather than figures of different machines.
 * BENCH_CHILD_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' runs the drain under `node <args>` instead
 * of its shebang (add the shebang's --max-semi-space-size=4 yourself to keep its memory profile).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES, type Manifest } from '../support/fixtures.js';
import { brokerProcesses, startRabbit, type RabbitBroker } from '../support/rabbitmq/broker.js';
import { rheaCeiling, type CeilingResult } from './rhea-ceiling.js';
import { peekMessageSize } from './peek.js';
import { busySince, cpuSeconds, machineCpu } from './cpu.js';

const SCENARIO = path.join(FIXTURES, 'artemis-2.44.0-big-1m', 'i_big_1m');
const DATA_DIR = path.join(SCENARIO, 'data');
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drainer/cli.js');
const GNU_TIME = '/usr/bin/time';
const CHILD_NODE_ARGS = (process.env.BENCH_CHILD_ARGS ?? '').split(' ').filter(Boolean);
/** The drainer's default --window (drainer/drain/options.ts): the ceiling uses the same. */
const WINDOW = 256;
const RSS_LIMIT_MIB = 256;
const RATE_TARGET = 0.9;

const problems: string[] = [];
const check = (ok: boolean, what: string) => {
  if (!ok) problems.push(what);
};
const mib = (kib: number) => kib / 1024;
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const int = (n: number) => Math.round(n).toLocaleString('en-US');

const haveGnuTime = (() => {
  try {
    fs.accessSync(GNU_TIME, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

interface QueueRow {
  messages: number;
  bytes: number;
  durable: boolean;
}

/** `rabbitmqctl list_queues`: name -> ready+unacked messages, payload bytes, durability. */
async function listQueues(broker: RabbitBroker): Promise<Map<string, QueueRow>> {
  const r = await broker.ctl(['list_queues', '--quiet', '--no-table-headers', 'name', 'messages', 'message_bytes', 'durable'], 120_000);
  if (r.code !== 0) throw new Error(`rabbitmqctl list_queues exited with ${r.code}: ${r.stderr.trim()}`);
  const out = new Map<string, QueueRow>();
  for (const line of r.stdout.trim().split('\n').filter(Boolean)) {
    const [name, messages, bytes, durable] = line.trim().split(/\s+/);
    out.set(name!, { messages: Number(messages), bytes: Number(bytes), durable: durable === 'true' });
  }
  return out;
}

/** Every expected queue holds exactly its count and is durable. */
function verifyQueues(step: string, got: Map<string, QueueRow>, expected: Map<string, number>): void {
  for (const [name, n] of expected) {
    const q = got.get(name);
    check(q !== undefined, `${step}: queue ${name} does not exist on the broker`);
    if (!q) continue;
    check(q.messages === n, `${step}: queue ${name} holds ${q.messages} messages, expected ${n}`);
    check(q.durable, `${step}: queue ${name} is not durable`);
  }
}

/** The Erlang VM of the broker (its CPU time is what the broker spent). */
function beamPid(broker: RabbitBroker): number {
  const pid = brokerProcesses(broker.baseDir).find((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('beam');
    } catch {
      return false;
    }
  });
  return pid ?? -1;
}

interface DrainRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  /** From the arrival of the "drain starting" line to exit; NaN if it never came. */
  drainMs: number;
  peakKiB: number;
  /** User + system CPU seconds of the drainer. */
  cpuS: number;
  logs: Array<Record<string, unknown>>;
  otherStderr: string[];
}

/** Runs `artemis-drainer drain …`, parsing its pino lines as they come. */
function runDrain(args: string[]): Promise<DrainRun> {
  const timeFile = path.join(os.tmpdir(), `drain-bench-${process.pid}.rss`);
  const cli = CHILD_NODE_ARGS.length > 0 ? [process.execPath, ...CHILD_NODE_ARGS, CLI] : [CLI];
  const cmd = haveGnuTime ? GNU_TIME : cli[0]!;
  const argv = haveGnuTime ? ['-f', '%M %U %S', '-o', timeFile, ...cli, ...args] : [...cli.slice(1), ...args];
  const t0 = performance.now();
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let polledKiB = 0;
  let polledCpu = NaN;
  // Without GNU time: the drainer's own VmHWM and CPU time. With it, child.pid is time's: no poll.
  const poll = haveGnuTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) polledKiB = Math.max(polledKiB, Number(m[1]));
          polledCpu = cpuSeconds(child.pid!);
        } catch {
          /* the child has just exited */
        }
      }, 50);
  const logs: Array<Record<string, unknown>> = [];
  const otherStderr: string[] = [];
  let startedAt = NaN;
  let partial = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    const lines = (partial + s).split('\n');
    partial = lines.pop()!;
    for (const l of lines.filter(Boolean)) {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(l) as Record<string, unknown>;
      } catch {
        otherStderr.push(l);
        continue;
      }
      logs.push(rec);
      if (rec.msg === 'drain starting') startedAt = performance.now();
      if (rec.msg === 'drain progress') console.log(`  … ${int(Number(rec.confirmed))} / ${int(Number(rec.total))} confirmed, ${int(Number(rec.ratePerSec))} msg/s`);
      if (typeof rec.level === 'number' && rec.level >= 50) console.log(`  drainer logged: ${l}`);
    }
  });
  child.stdout.resume();
  return new Promise((resolve, reject) => {
    child.on('error', (e) => (clearInterval(poll), reject(e)));
    child.on('close', (code, signal) => {
      const end = performance.now();
      clearInterval(poll);
      if (partial) otherStderr.push(partial);
      let peakKiB = polledKiB;
      let cpuS = polledCpu;
      if (haveGnuTime) {
        // GNU time prints "Command exited with non-zero status N" first when the child failed.
        const [rss, user, sys] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
        peakKiB = rss!;
        cpuS = user! + sys!;
        fs.rmSync(timeFile, { force: true });
      }
      resolve({ code, signal, ms: end - t0, drainMs: end - startedAt, peakKiB, cpuS, logs, otherStderr });
    });
  });
}

// --- setup -------------------------------------------------------------------------------------
const manifest = JSON.parse(fs.readFileSync(path.join(SCENARIO, 'manifest.json'), 'utf8')) as Manifest;
const expected = new Map(Object.entries(manifest.queues).map(([name, q]) => [name, q.message_count ?? q.messages?.length ?? 0]));
const loaded = [...expected].filter(([, n]) => n > 0);
const total = loaded.reduce((a, [, n]) => a + n, 0);
const perQueue = loaded[0]![1];
check(loaded.every(([, n]) => n === perQueue), 'manifest: queues of unequal size (the ceiling sends the same count to each)');

console.log('drain benchmark: i_big_1m (artemis 2.44.0, 10 queues x 100,000 durable 1 KiB core messages) into RabbitMQ 3.10 (AMQP 1.0 plugin)');
console.log(`  node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), ${fmt(os.totalmem() / 2 ** 30)} GiB RAM, ${os.platform()} ${os.release()}`);
console.log(`  load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (broker, producer and drainer share these CPUs)`);
console.log(`  data dir ${DATA_DIR}`);
console.log(`  peak RSS measured by ${haveGnuTime ? `${GNU_TIME} -f %M (child ru_maxrss)` : '/proc/<pid>/status VmHWM polled every 50 ms'}`);

const broker = await startRabbit();
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'drain-bench-state-'));
let ceiling: CeilingResult | null = null;
let drain: DrainRun | null = null;
/** Encoded size of one message as stored, and CPU seconds of each side, per step. */
const size = { ceiling: NaN, drain: NaN };
const cpu = { ceilingClient: NaN, ceilingBroker: NaN, ceilingMachine: NaN, drainBroker: NaN, drainBench: NaN, drainMachine: NaN };

/** The encoded size of one message; a failure only costs the report its figure. */
async function messageSize(): Promise<number> {
  try {
    return await peekMessageSize(broker.url, loaded[0]![0]);
  } catch (e) {
    console.log(`  (could not peek a message for its size: ${(e as Error).message})`);
    return NaN;
  }
}
try {
  const beam = beamPid(broker);
  console.log(`  broker ${broker.url} started in ${fmt(broker.startMs / 1000, 1)} s`);

  // --- 1. ceiling: plain rhea producer ---------------------------------------------------------
  console.log(`\n  ceiling: plain rhea producer, ${loaded.length} queues x ${int(perQueue)} messages, window ${WINDOW} per link …`);
  const cpu0 = process.cpuUsage();
  const beam0 = cpuSeconds(beam);
  const machine0 = machineCpu();
  ceiling = await rheaCeiling(broker.url, loaded.map(([q]) => q), perQueue, WINDOW);
  cpu.ceilingMachine = busySince(machine0);
  cpu.ceilingBroker = cpuSeconds(beam) - beam0;
  const used = process.cpuUsage(cpu0);
  cpu.ceilingClient = (used.user + used.system) / 1e6;
  check(ceiling.accepted === total, `ceiling: ${ceiling.accepted} accepted, expected ${total}`);
  verifyQueues('ceiling', await listQueues(broker), new Map(loaded));
  size.ceiling = await messageSize();
  console.log(`  ceiling: ${int(total / (ceiling.ms / 1000))} msg/s (${fmt(ceiling.ms / 1000, 2)} s); deleting its queues`);
  for (const [q] of loaded) {
    const r = await broker.ctl(['delete_queue', q], 300_000);
    check(r.code === 0, `rabbitmqctl delete_queue ${q} exited with ${r.code}: ${r.stderr.trim()}`);
  }
  const left = await listQueues(broker);
  check(loaded.every(([q]) => !left.has(q)), `queues still there after delete_queue: ${[...left.keys()].join(', ')}`);

  // --- 2. drain --------------------------------------------------------------------------------
  console.log(`\n  drain: ${path.relative(process.cwd(), CLI)} drain … --target ${broker.url} --address-template '/queue/{queue}'`);
  const beam1 = cpuSeconds(beam);
  const bench1 = process.cpuUsage();
  const machine1 = machineCpu();
  drain = await runDrain([
    'drain',
    DATA_DIR,
    '--target',
    broker.url,
    '--address-template',
    '/queue/{queue}',
    '--state-dir',
    stateDir,
    '--termination-log',
    path.join(stateDir, 'term'),
    '--progress-interval',
    '5',
  ]);
  cpu.drainMachine = busySince(machine1);
  cpu.drainBroker = cpuSeconds(beam) - beam1;
  const benchUsed = process.cpuUsage(bench1);
  cpu.drainBench = (benchUsed.user + benchUsed.system) / 1e6;
  check(drain.code === 0, `drain exited with ${drain.code ?? drain.signal}`);
  if (drain.code !== 0) {
    for (const l of drain.otherStderr.slice(-20)) console.log(`  drainer stderr: ${l}`);
    for (const l of drain.logs.slice(-10)) console.log(`  drainer log: ${JSON.stringify(l)}`);
  }
  check(Number.isFinite(drain.drainMs), 'drain: no "drain starting" log line');
  verifyQueues('drain', await listQueues(broker), expected);
  size.drain = await messageSize();
} catch (e) {
  problems.push(`bench aborted: ${(e as Error).stack ?? String(e)}`);
} finally {
  await broker.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
}

// --- report --------------------------------------------------------------------------------------
if (ceiling && drain) {
  const ceilRate = total / (ceiling.ms / 1000);
  const drainRate = total / (drain.drainMs / 1000);
  const wholeRate = total / (drain.ms / 1000);
  const indexed = drain.logs.find((l) => l.msg === 'data directory indexed');
  const rows = [
    ['step', 'wall s', 'msg/s', 'vs ceiling', 'msg bytes', 'client CPU s', 'broker CPU s', 'peak RSS MiB'],
    ['ceiling: plain rhea producer', fmt(ceiling.ms / 1000, 2), int(ceilRate), '100 %', int(size.ceiling), fmt(cpu.ceilingClient), fmt(cpu.ceilingBroker), ''],
    ['drain: "drain starting" -> exit', fmt(drain.drainMs / 1000, 2), int(drainRate), `${fmt((100 * drainRate) / ceilRate)} %`, int(size.drain), '', '', ''],
    ['drain: whole process', fmt(drain.ms / 1000, 2), int(wholeRate), `${fmt((100 * wholeRate) / ceilRate)} %`, '', fmt(drain.cpuS), fmt(cpu.drainBroker), fmt(mib(drain.peakKiB), 0)],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log('');
  for (const r of rows) console.log('  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  console.log('');
  console.log(`  msg bytes: one message of ${loaded[0]![0]} as RabbitMQ delivers it back (all sections); the ceiling wrote ${int(ceiling.socketBytes / total)} bytes/msg on its socket`);
  console.log(`  CPU s: user + system seconds of the producer / drainer process and of the broker's Erlang VM during that step (${os.cpus().length} CPUs = ${fmt(os.cpus().length * (drain.ms / 1000), 0)} CPU-s available during the drain)`);
  // Whatever the machine did besides the two measured processes (and this bench) competed with them.
  const others = (machine: number, ours: number, wallS: number) => {
    const rest = machine - ours;
    const share = rest / (os.cpus().length * wallS);
    return `${fmt(rest)} CPU-s (${fmt(100 * share)} % of the machine)${share > 0.05 ? ' — WARNING: other work competed for the CPUs, this step\'s figures are low' : ''}`;
  };
  console.log(`  other processes during the ceiling: ${others(cpu.ceilingMachine, cpu.ceilingClient + cpu.ceilingBroker, ceiling.ms / 1000)}`);
  console.log(`  other processes during the drain:   ${others(cpu.drainMachine, drain.cpuS + cpu.drainBroker + cpu.drainBench, drain.ms / 1000)}`);
  console.log(`  drain: indexing took ${fmt(Number(indexed?.ms) / 1000, 2)} s (its "data directory indexed" line); exit code ${drain.code}`);
  console.log('');
  const target = (ok: boolean, text: string) => console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${text}`);
  target(drainRate >= RATE_TARGET * ceilRate, `drain moves ${int(drainRate)} msg/s = ${fmt((100 * drainRate) / ceilRate)} % of the ceiling's ${int(ceilRate)} (target >= ${RATE_TARGET * 100} %)`);
  console.log(`  info  whole process (start-up and indexing included): ${fmt((100 * wholeRate) / ceilRate)} % of the ceiling`);
  target(mib(drain.peakKiB) <= RSS_LIMIT_MIB, `drain peak RSS ${fmt(mib(drain.peakKiB), 0)} MiB <= ${RSS_LIMIT_MIB} MiB`);
}

if (problems.length > 0) {
  console.log('\n  ERRORS (a command failed or counts are wrong):');
  for (const p of problems) console.log(`    - ${p}`);
  process.exitCode = 1;
} else {
  console.log(`\n  counts OK: every queue on the broker holds its manifest count (${int(total)} messages in ${loaded.length} queues) after the ceiling and after the drain`);
}
