/**
 * Read benchmark on i_big_1m (10 queues x 100,000 durable 1 KiB core messages, 1.3 GB journal).
 * Not a test: it prints a report. Exit code is non-zero only when a command failed or a count is
 * wrong; a missed performance target is reported as FAIL but still exits 0.
 *
 * Everything runs on one machine in one run. The throughput target compares `inspect` with a plain
 * sequential read of the same files, both from a cold page cache: the cleanup pod's real situation
 * (a freshly mounted volume). From a warm cache a plain read runs at memory-copy speed (~12 GB/s),
 * where node's own start-up is already most of the budget; those figures are printed too.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES, type Manifest } from '../support/fixtures.js';

const SCENARIO = path.join(FIXTURES, 'artemis-2.44.0-big-1m', 'i_big_1m');
const DATA_DIR = path.join(SCENARIO, 'data');
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drainer/cli.js');
const GNU_TIME = '/usr/bin/time';
/** Extra node flags for the CLI children, e.g. BENCH_CHILD_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'. */
const CHILD_NODE_ARGS = (process.env.BENCH_CHILD_ARGS ?? '').split(' ').filter(Boolean);
const RSS_LIMIT_MIB = 256;
const THROUGHPUT_TARGET = 0.5;

const problems: string[] = [];

/** Exactly the files the reader reads: bindings, message journal, page files, large-message bodies. */
function readerFiles(dataDir: string): string[] {
  const inDir = (sub: string, keep: (name: string) => boolean, recursive = false): string[] => {
    const dir = path.join(dataDir, sub);
    if (!fs.existsSync(dir)) return [];
    return (fs.readdirSync(dir, { recursive }) as string[])
      .map((name) => path.join(dir, name))
      .filter((p) => keep(p) && fs.statSync(p).isFile())
      .sort();
  };
  return [
    ...inDir('bindings', (p) => p.endsWith('.bindings')),
    ...inDir('journal', (p) => p.endsWith('.amq')),
    ...inDir('paging', () => true, true),
    ...inDir('large-messages', () => true, true),
  ];
}

/** A plain sequential read of the files with one reused 1 MiB buffer. */
function plainRead(files: string[]): { bytes: number; ms: number } {
  const buf = Buffer.allocUnsafe(1 << 20);
  let bytes = 0;
  const t0 = performance.now();
  for (const f of files) {
    const fd = fs.openSync(f, 'r');
    try {
      for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) bytes += n;
    } finally {
      fs.closeSync(fd);
    }
  }
  return { bytes, ms: performance.now() - t0 };
}

interface ChildRun {
  code: number | null;
  ms: number;
  /** Peak resident set of the CLI process in KiB, measured from outside. */
  peakKiB: number;
  logs: Array<Record<string, unknown>>;
}

const haveGnuTime = (() => {
  try {
    fs.accessSync(GNU_TIME, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

/**
 * Runs the CLI and feeds its stdout to `onStdout`. Peak RSS comes from GNU time (the kernel's
 * ru_maxrss of the child, exact); without it, /proc/<pid>/status VmHWM is polled every 50 ms.
 */
function runCli(args: string[], onStdout: (chunk: Buffer) => void): Promise<ChildRun> {
  const timeFile = path.join(os.tmpdir(), `read-bench-${process.pid}-${args[0]}.rss`);
  // The CLI runs as users run it: through its shebang (which sets its node flags), unless extra
  // node flags are asked for.
  const cli = CHILD_NODE_ARGS.length > 0 ? [process.execPath, ...CHILD_NODE_ARGS, CLI] : [CLI];
  const cmd = haveGnuTime ? GNU_TIME : cli[0]!;
  const argv = haveGnuTime ? ['-f', '%M', '-o', timeFile, ...cli, ...args] : [...cli.slice(1), ...args];
  const t0 = performance.now();
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let polledKiB = 0;
  const poll = haveGnuTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) polledKiB = Math.max(polledKiB, Number(m[1]));
        } catch {
          /* the child has just exited */
        }
      }, 50);
  child.stdout.on('data', onStdout);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (poll) clearInterval(poll);
      let peakKiB = polledKiB;
      if (haveGnuTime) {
        peakKiB = Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop());
        fs.rmSync(timeFile, { force: true });
      }
      const logs: Array<Record<string, unknown>> = [];
      const other: string[] = [];
      for (const l of stderr.split('\n').filter(Boolean)) {
        try {
          logs.push(JSON.parse(l) as Record<string, unknown>);
        } catch {
          other.push(l);
        }
      }
      if (code !== 0 && other.length > 0) console.log(`  child ${args[0]} stderr:\n    ${other.slice(-10).join('\n    ')}`);
      for (const l of logs) if (typeof l.level === 'number' && l.level >= 50) console.log(`  child ${args[0]} logged: ${JSON.stringify(l)}`);
      resolve({ code, ms, peakKiB, logs });
    });
  });
}

const check = (ok: boolean, what: string) => {
  if (!ok) problems.push(what);
};
const mb = (bytes: number) => bytes / 1e6;
const mib = (kib: number) => kib / 1024;
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

// --- setup -------------------------------------------------------------------------------------
const manifest = JSON.parse(fs.readFileSync(path.join(SCENARIO, 'manifest.json'), 'utf8')) as Manifest;
const expected = new Map(Object.entries(manifest.queues).map(([name, q]) => [name, q.message_count ?? q.messages?.length ?? 0]));
const expectedTotal = [...expected.values()].reduce((a, b) => a + b, 0);
const files = readerFiles(DATA_DIR);
const fileBytes = files.reduce((a, f) => a + fs.statSync(f).size, 0);

console.log('read benchmark: i_big_1m (artemis 2.44.0, 10 queues x 100,000 durable 1 KiB core messages)');
console.log(`  node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), ${fmt(os.totalmem() / 2 ** 30)} GiB RAM, ${os.platform()} ${os.release()}`);
console.log(`  load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews the timings)`);
console.log(`  data dir ${DATA_DIR}`);
console.log(`  ${files.length} files read by the reader, ${fmt(mb(fileBytes))} MB; expected messages ${expectedTotal.toLocaleString('en-US')}`);
console.log(`  peak RSS measured by ${haveGnuTime ? `${GNU_TIME} -f %M (child ru_maxrss)` : '/proc/<pid>/status VmHWM polled every 50 ms'}`);

/**
 * Evicts the reader's files from the page cache (GNU dd's `iflag=nocache` asks the kernel to drop
 * a file's cached pages), so the next read comes from the device. Only these files: node itself
 * and its modules stay cached on both sides of the comparison. False when dd cannot do it.
 */
function evictFiles(list: string[]): boolean {
  for (const f of list) {
    const r = spawnSync('dd', [`if=${f}`, 'iflag=nocache', 'count=0', 'status=none']);
    if (r.status !== 0) return false;
  }
  return true;
}

// --- 0. cold: plain read and inspect from the device --------------------------------------------
let cold: { base: { bytes: number; ms: number }; inspect: ChildRun } | null = null;
if (evictFiles(files)) {
  const coldBase = plainRead(files);
  evictFiles(files);
  const coldInspect = await runCli(['inspect', '--json', DATA_DIR], () => {});
  check(coldInspect.code === 0, `cold inspect exited with ${coldInspect.code}`);
  cold = { base: coldBase, inspect: coldInspect };
} else {
  console.log('  cold-cache runs skipped: GNU dd could not evict the files from the page cache');
}

// --- 1. warm the page cache, then the plain-read baseline --------------------------------------
const warm = plainRead(files);
// Median of three: one pass from cache takes only a tenth of a second or so, too short to trust alone.
const base = [plainRead(files), plainRead(files), plainRead(files)].sort((a, b) => a.ms - b.ms)[1]!;
check(warm.bytes === fileBytes && base.bytes === fileBytes, `plain read got ${base.bytes} bytes, files hold ${fileBytes}`);
const cacheNote = os.freemem() + warm.bytes < fileBytes ? ' (WARNING: free memory may be too small to keep them cached)' : '';
console.log(`  page cache warmed: every file read once (${fmt(warm.ms / 1000, 2)} s) before any timed step${cacheNote}; all timings below are warm-cache`);
const baseMBs = mb(base.bytes) / (base.ms / 1000);
globalThis.gc?.();

// --- 2. inspect --json -------------------------------------------------------------------------
let inspectOut = '';
const inspect = await runCli(['inspect', '--json', DATA_DIR], (c) => (inspectOut += c.toString('utf8')));
check(inspect.code === 0, `inspect exited with ${inspect.code}`);
let inspectRecords = 0;
let inspectIndexMs = NaN;
try {
  const report = JSON.parse(inspectOut) as { queues: Array<{ name: string; messageCount: number }>; journal: { messageRecords: number; bytesRead: number } };
  inspectRecords = report.journal.messageRecords;
  const got = new Map(report.queues.map((q) => [q.name, q.messageCount]));
  for (const [name, n] of expected) check(got.get(name) === n, `inspect: queue ${name} has ${got.get(name)} messages, manifest says ${n}`);
  for (const name of got.keys()) check(expected.has(name), `inspect: queue ${name} is not in the manifest`);
  const jb = files.filter((f) => f.endsWith('.amq') || f.endsWith('.bindings')).reduce((a, f) => a + fs.statSync(f).size, 0);
  check(report.journal.bytesRead === jb, `inspect: journal.bytesRead ${report.journal.bytesRead} != ${jb} bytes of bindings+journal files`);
  const indexed = inspect.logs.find((l) => l.msg === 'data directory indexed');
  if (indexed) inspectIndexMs = Number(indexed.ms);
} catch (e) {
  problems.push(`inspect: stdout is not the expected JSON report (${(e as Error).message})`);
}
const inspectMBs = mb(fileBytes) / (inspect.ms / 1000);
inspectOut = '';
globalThis.gc?.();

// --- 3. export to a counting sink --------------------------------------------------------------
// Counts lines and, per line, the queue name at its head (`{"queue":"…",` is the first field).
const perQueue = new Map<string, number>();
let lines = 0;
let outBytes = 0;
let malformed = 0;
let head = '';
const exp = await runCli(['export', DATA_DIR], (chunk) => {
  outBytes += chunk.length;
  for (let pos = 0; ; ) {
    const nl = chunk.indexOf(10, pos);
    const end = nl < 0 ? chunk.length : nl;
    if (head.length < 64) head += chunk.toString('latin1', pos, Math.min(end, pos + 64 - head.length));
    if (nl < 0) break;
    lines++;
    const m = /^\{"queue":"([^"\\]*)"/.exec(head);
    if (m) perQueue.set(m[1]!, (perQueue.get(m[1]!) ?? 0) + 1);
    else malformed++;
    head = '';
    pos = nl + 1;
  }
});
check(exp.code === 0, `export exited with ${exp.code}`);
check(head === '', 'export: output does not end with a newline');
check(lines === expectedTotal, `export: ${lines} lines, expected ${expectedTotal}`);
check(malformed === 0, `export: ${malformed} lines do not start with {"queue":"…"`);
for (const [name, n] of expected) check((perQueue.get(name) ?? 0) === n, `export: queue ${name} has ${perQueue.get(name) ?? 0} lines, manifest says ${n}`);
const done = exp.logs.find((l) => l.msg === 'done');
check(done?.messages === expectedTotal, `export: "done" log line reports ${done?.messages} messages`);
// The child's own ru_maxrss (logged at "done") and the outside measurement: take the larger.
const exportPeakKiB = Math.max(exp.peakKiB, typeof done?.maxRssMB === 'number' ? done.maxRssMB * 1024 : 0);
const exportMBs = mb(fileBytes) / (exp.ms / 1000);

// --- report --------------------------------------------------------------------------------------
const coldRows = cold
  ? [
      ['cold: plain read (1 MiB buf)', fmt(cold.base.ms / 1000, 2), fmt(mb(cold.base.bytes) / (cold.base.ms / 1000), 0), '100 %', '', ''],
      [
        'cold: inspect --json',
        fmt(cold.inspect.ms / 1000, 2),
        fmt(mb(fileBytes) / (cold.inspect.ms / 1000), 0),
        `${fmt((100 * cold.base.ms) / cold.inspect.ms, 1)} %`,
        `${fmt(inspectRecords / (cold.inspect.ms / 1000), 0)} rec`,
        fmt(mib(cold.inspect.peakKiB), 0),
      ],
    ]
  : [];
const rows = [
  ['step', 'wall s', 'read MB/s', 'vs plain', 'items/s', 'peak RSS MiB'],
  ...coldRows,
  ['warm: plain read (median of 3)', fmt(base.ms / 1000, 2), fmt(baseMBs, 0), '100 %', '', ''],
  [
    'warm: inspect --json',
    fmt(inspect.ms / 1000, 2),
    fmt(inspectMBs, 0),
    `${fmt((100 * inspectMBs) / baseMBs, 1)} %`,
    `${fmt(inspectRecords / (inspect.ms / 1000), 0)} rec`,
    fmt(mib(inspect.peakKiB), 0),
  ],
  [
    'warm: export (NDJSON)',
    fmt(exp.ms / 1000, 2),
    fmt(exportMBs, 0),
    `${fmt((100 * exportMBs) / baseMBs, 1)} %`,
    `${fmt(lines / (exp.ms / 1000), 0)} msg`,
    fmt(mib(exportPeakKiB), 0),
  ],
];
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log('');
for (const r of rows) console.log('  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
console.log('');
console.log(`  read MB/s = ${fmt(mb(fileBytes))} MB of reader files / wall time of the whole child process (node start-up included)`);
console.log(`  inspect: ${inspectRecords.toLocaleString('en-US')} journal records; indexing alone took ${fmt(inspectIndexMs / 1000, 2)} s (its "data directory indexed" log line)`);
const exportIndexed = exp.logs.find((l) => l.msg === 'data directory indexed');
console.log(`  export: indexing ${fmt(Number(exportIndexed?.ms) / 1000, 2)} s, then ${fmt(Number(done?.seconds), 2)} s decoding and writing lines (its "done" log line)`);
console.log(`  export: ${lines.toLocaleString('en-US')} lines, ${fmt(mb(outBytes))} MB of NDJSON (${fmt(mb(outBytes) / (exp.ms / 1000), 0)} MB/s out); child-logged maxRssMB ${done?.maxRssMB ?? '-'}, measured ${fmt(mib(exp.peakKiB), 0)} MiB`);
console.log('');

const target = (ok: boolean, text: string) => console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${text}`);
if (cold) {
  const ratio = cold.base.ms / cold.inspect.ms;
  target(ratio >= THROUGHPUT_TARGET, `cold: inspect reads at ${fmt(100 * ratio, 1)} % of the plain sequential read (target >= 50 %)`);
}
console.log(`  info  warm: inspect reads at ${fmt((100 * inspectMBs) / baseMBs, 1)} % of a plain read from the page cache (node start-up alone is ~0.13 s)`);
target(mib(inspect.peakKiB) <= RSS_LIMIT_MIB, `inspect peak RSS ${fmt(mib(inspect.peakKiB), 0)} MiB <= ${RSS_LIMIT_MIB} MiB`);
target(mib(exportPeakKiB) <= RSS_LIMIT_MIB, `export peak RSS ${fmt(mib(exportPeakKiB), 0)} MiB <= ${RSS_LIMIT_MIB} MiB`);

if (problems.length > 0) {
  console.log('\n  ERRORS (a command failed or counts are wrong):');
  for (const p of problems) console.log(`    - ${p}`);
  process.exitCode = 1;
} else {
  console.log(`\n  counts OK: inspect and export both match the manifest (${expectedTotal.toLocaleString('en-US')} messages in ${expected.size} queues)`);
}
