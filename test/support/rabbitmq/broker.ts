/**
 * A throwaway RabbitMQ broker with the AMQP 1.0 plugin, for tests that need a real AMQP 1.0 peer.
 *
 * Debian's rabbitmq-server 3.10 (installed by ensure-installed.sh) is run straight from
 * /usr/lib/rabbitmq/bin, never as the system service: every path (node data, logs, pid file, Erlang
 * cookie via HOME, config files) lives in a fresh temporary directory, and every listener — AMQP,
 * epmd, Erlang distribution and the rabbitmqctl CLI's own distribution port — is bound to
 * 127.0.0.1 on a port chosen here, so it can neither meet a system RabbitMQ nor another test's broker.
 *
 * One broker per caller: node --test runs test files in separate processes, and a broker starts in
 * ~2–3 s, so each test file starting its own is simpler and safer than sharing one across processes
 * (no reference counting, no cross-test queue state, a crashed file cannot strand the others).
 * Ports are claimed with an exclusive file per port (owner pid inside) before the bind test, so two
 * parallel files cannot pick the same one; brokers left behind by a killed test process are reaped
 * by the next start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { closeConnection, openConnection } from './client.js';

export const RABBITMQ_BIN_DIR = '/usr/lib/rabbitmq/bin';
const SERVER = path.join(RABBITMQ_BIN_DIR, 'rabbitmq-server');
const CTL = path.join(RABBITMQ_BIN_DIR, 'rabbitmqctl');
const HOST = '127.0.0.1';
/** Below Linux's ephemeral range (32768+), so outgoing connections never sit on our ports. */
const PORT_MIN = 20_000;
const PORT_MAX = 29_999;
const DIR_PREFIX = 'artemis-drainer-rabbitmq-';
const CLAIMS = path.join(os.tmpdir(), `artemis-drainer-rabbitmq-ports-${process.getuid?.() ?? 'u'}`);

export interface RabbitBroker {
  /** amqp://127.0.0.1:<port> — no credentials needed (the plugin's default_user is guest). */
  url: string;
  host: string;
  port: number;
  epmdPort: number;
  distPort: number;
  /** The port rabbitmqctl's own Erlang node listens on during stop(). */
  ctlDistPort: number;
  nodeName: string;
  baseDir: string;
  /** The broker's own log file (log.file in rabbitmq.conf). */
  logFile: string;
  /** Milliseconds from spawn until an AMQP 1.0 connection was opened. */
  startMs: number;
  /** The environment the broker runs with (node name, ports, HOME with the Erlang cookie…). */
  env: NodeJS.ProcessEnv;
  /** Runs `rabbitmqctl -n <node> <args…>` against this broker (e.g. list_queues, close_all_connections). */
  ctl(args: string[], timeoutMs?: number): Promise<CtlResult>;
  /** Shuts the node down (rabbitmqctl, then signals if stuck), stops its epmd, removes baseDir. Idempotent. */
  stop(): Promise<void>;
  /** How the last stop() went, once it has finished. */
  readonly stopInfo: StopInfo | null;
}

export interface StopInfo {
  ms: number;
  /** What ended the VM: the graceful rabbitmqctl shutdown, or the signals that followed it. */
  by: 'rabbitmqctl' | 'SIGTERM' | 'SIGKILL' | 'already-exited';
  ctl: CtlResult | null;
}

export interface StartRabbitOptions {
  /** AMQP port; by default a free one in 20000–29999. */
  port?: number;
  /** How long to wait for the first successful AMQP 1.0 open (default 60 s). */
  timeoutMs?: number;
}

/** True when the broker is installed (ensure-installed.sh ran) and its Erlang runtime is present. */
export function rabbitAvailable(): boolean {
  try {
    fs.accessSync(SERVER, fs.constants.X_OK);
    fs.accessSync(CTL, fs.constants.X_OK);
    return epmdPath() !== null;
  } catch {
    return false;
  }
}

export async function startRabbit(opts: StartRabbitOptions = {}): Promise<RabbitBroker> {
  if (!rabbitAvailable()) throw new Error(`RabbitMQ is not installed (${SERVER}); run: bash test/support/rabbitmq/ensure-installed.sh`);
  reapOrphans();
  // A port can still be taken between our bind test and the broker's bind by a process that is not
  // one of ours; such a clash shows up as eaddrinuse in the log and gets a second try on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      const clash = e instanceof PortClash;
      if (!clash || attempt >= 3 || opts.port !== undefined) throw clash ? (e as PortClash).cause : e;
    }
  }
}

class PortClash extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

interface Live {
  baseDir: string;
  server: ChildProcess;
  epmd: ChildProcess;
  claims: number[];
}
const live = new Set<Live>();

async function startOnce(opts: StartRabbitOptions): Promise<RabbitBroker> {
  const claims: number[] = [];
  try {
    return await launch(opts, claims);
  } finally {
    // On success the claims belong to the broker (released by stop()); on failure nobody needs them.
    if (![...live].some((e) => e.claims === claims)) for (const p of claims) releasePort(p);
  }
}

async function launch(opts: StartRabbitOptions, claims: number[]): Promise<RabbitBroker> {
  const port = opts.port ?? (await claimFreePort(claims));
  if (opts.port !== undefined) {
    if (!claimPort(opts.port) || !(await bindable(opts.port))) throw new Error(`port ${opts.port} is in use`);
    claims.push(opts.port);
  }
  const epmdPort = await claimFreePort(claims);
  const distPort = await claimFreePort(claims);
  const ctlDistPort = await claimFreePort(claims);

  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), DIR_PREFIX));
  const nodeName = `drainer${port}@localhost`;
  const logDir = path.join(baseDir, 'log');
  const logFile = path.join(logDir, 'rabbit.log');
  const stdoutFile = path.join(logDir, 'stdout.log');
  const configFile = path.join(baseDir, 'rabbitmq.conf');
  for (const d of ['mnesia', 'log', 'conf.d']) fs.mkdirSync(path.join(baseDir, d));
  fs.writeFileSync(
    configFile,
    [
      `listeners.tcp.default = ${HOST}:${port}`,
      // guest may connect from anywhere (it is loopback-only anyway); AMQP 1.0 clients that skip
      // SASL act as guest (rabbitmq_amqp1_0's default_user, spelled amqp1_0.default_user in 3.10).
      'loopback_users = none',
      'amqp1_0.default_user = guest',
      `log.file = ${logFile}`,
      'log.file.level = info',
      'log.console = false',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(baseDir, 'enabled_plugins'), '[rabbitmq_amqp1_0].\n');
  fs.writeFileSync(path.join(baseDir, 'rabbitmq-env.conf'), '# empty: keeps /etc/rabbitmq/rabbitmq-env.conf out\n');

  const env = brokerEnv(baseDir, { port, epmdPort, distPort, ctlDistPort, nodeName, configFile });
  const out = fs.openSync(stdoutFile, 'a');
  // epmd is started by us, in the foreground, so it is our child with a known pid and dies with
  // stop(); otherwise the Erlang VM would spawn a daemonised one that outlives everything.
  const epmd = spawn(epmdPath()!, ['-port', String(epmdPort), '-address', HOST], { env, cwd: baseDir, detached: true, stdio: ['ignore', out, out] });
  // The VM must find our epmd already listening, or it starts a daemonised one of its own.
  const epmdUp = await waitListening(epmdPort, epmd, 5_000);
  if (!epmdUp) {
    killGroup(epmd, 'SIGKILL');
    fs.closeSync(out);
    const err = new Error(`epmd did not listen on ${HOST}:${epmdPort}\n${logTail(stdoutFile)}`);
    fs.rmSync(baseDir, { recursive: true, force: true });
    throw new PortClash(err);
  }
  const server = spawn(SERVER, [], { env, cwd: baseDir, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const entry: Live = { baseDir, server, epmd, claims };
  live.add(entry);
  installExitHook();
  fs.writeFileSync(path.join(baseDir, 'harness.json'), JSON.stringify({ ownerPid: process.pid, serverPid: server.pid, epmdPid: epmd.pid }));

  let exited: string | null = null;
  server.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
  epmd.once('exit', (code, signal) => (exited ??= `epmd exited with ${signal ?? code}`));

  const t0 = Date.now();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const url = `amqp://${HOST}:${port}`;
  let lastError = '';
  for (;;) {
    if (exited !== null || Date.now() - t0 > timeoutMs) {
      const why = exited !== null ? `rabbitmq-server ${exited}` : `no AMQP 1.0 open on ${url} within ${timeoutMs} ms (last: ${lastError})`;
      const tail = logTail(logFile, stdoutFile);
      await shutdown(entry, env, nodeName, 5_000);
      const err = new Error(`RabbitMQ did not start: ${why}\n${tail}`);
      throw /eaddrinuse/i.test(tail) ? new PortClash(err) : err;
    }
    try {
      const conn = await openConnection(url, { timeoutMs: 2_000 });
      await closeConnection(conn);
      break;
    } catch (e) {
      lastError = (e as Error).message;
      await sleep(200);
    }
  }
  const startMs = Date.now() - t0;

  let stopping: Promise<void> | null = null;
  let stopInfo: StopInfo | null = null;
  return {
    url,
    host: HOST,
    port,
    epmdPort,
    distPort,
    ctlDistPort,
    nodeName,
    baseDir,
    logFile,
    startMs,
    env,
    ctl: (args, ms = 30_000) => runBounded(CTL, ['-n', nodeName, ...args], env, baseDir, ms),
    stop: () =>
      (stopping ??= shutdown(entry, env, nodeName, 30_000).then((i) => {
        stopInfo = i;
      })),
    get stopInfo() {
      return stopInfo;
    },
  };
}

function brokerEnv(
  baseDir: string,
  p: { port: number; epmdPort: number; distPort: number; ctlDistPort: number; nodeName: string; configFile: string },
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Nothing RabbitMQ/Erlang-specific from the caller's environment leaks in; NOTIFY_SOCKET would
  // make the start script think it runs under systemd.
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(RABBITMQ_|ERL_|NOTIFY_SOCKET$)/.test(k)) env[k] = v;
  }
  const loopbackDist = '-kernel inet_dist_use_interface {127,0,0,1}';
  Object.assign(env, {
    HOME: baseDir, // the Erlang cookie is written to and read from $HOME/.erlang.cookie
    RABBITMQ_NODENAME: p.nodeName,
    RABBITMQ_NODE_IP_ADDRESS: HOST,
    RABBITMQ_NODE_PORT: String(p.port),
    RABBITMQ_DIST_PORT: String(p.distPort),
    ERL_EPMD_ADDRESS: HOST,
    ERL_EPMD_PORT: String(p.epmdPort),
    RABBITMQ_MNESIA_BASE: path.join(baseDir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(baseDir, 'log'),
    RABBITMQ_PID_FILE: path.join(baseDir, 'rabbit.pid'),
    RABBITMQ_CONFIG_FILE: p.configFile,
    RABBITMQ_CONFIG_FILES: path.join(baseDir, 'conf.d'), // instead of /etc/rabbitmq/conf.d
    RABBITMQ_ADVANCED_CONFIG_FILE: path.join(baseDir, 'advanced.config'), // absent on purpose
    RABBITMQ_CONF_ENV_FILE: path.join(baseDir, 'rabbitmq-env.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(baseDir, 'enabled_plugins'),
    RABBITMQ_MOTD_FILE: path.join(baseDir, 'motd'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: loopbackDist,
    RABBITMQ_CTL_ERL_ARGS: loopbackDist,
    RABBITMQ_CTL_DIST_PORT_MIN: String(p.ctlDistPort),
    RABBITMQ_CTL_DIST_PORT_MAX: String(p.ctlDistPort),
    ERL_CRASH_DUMP: path.join(baseDir, 'log', 'erl_crash.dump'),
  });
  return env;
}

/** rabbitmqctl shutdown, then SIGTERM / SIGKILL to the broker's process group if that did not end it; then epmd, claims, directory. */
async function shutdown(entry: Live, env: NodeJS.ProcessEnv, nodeName: string, budgetMs: number): Promise<StopInfo> {
  const { server, epmd } = entry;
  const t0 = Date.now();
  const info: StopInfo = { ms: 0, by: 'already-exited', ctl: null };
  if (isRunning(server)) {
    info.by = 'rabbitmqctl';
    info.ctl = await runBounded(CTL, ['-n', nodeName, 'shutdown'], env, entry.baseDir, budgetMs);
    if (!(await waitExit(server, 5_000))) {
      info.by = 'SIGTERM';
      killGroup(server, 'SIGTERM');
      if (!(await waitExit(server, 10_000))) {
        info.by = 'SIGKILL';
        killGroup(server, 'SIGKILL');
        await waitExit(server, 5_000);
      }
    }
  }
  // The VM's helpers (erl_child_setup, inet_gethost) share the group; make sure none is left.
  killGroup(server, 'SIGKILL');
  if (isRunning(epmd)) {
    killGroup(epmd, 'SIGTERM');
    if (!(await waitExit(epmd, 3_000))) {
      killGroup(epmd, 'SIGKILL');
      await waitExit(epmd, 3_000);
    }
  }
  for (const p of entry.claims) releasePort(p);
  fs.rmSync(entry.baseDir, { recursive: true, force: true });
  live.delete(entry);
  info.ms = Date.now() - t0;
  return info;
}

export interface CtlResult {
  /** Exit code; null when it could not be run or was killed at the time limit. */
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBounded(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number): Promise<CtlResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeoutMs} ms)`;
      killGroup(child, 'SIGKILL');
    }, timeoutMs);
    child.once('error', (e) => (clearTimeout(timer), resolve({ code: null, stdout, stderr: `${stderr}${e.message}` })));
    child.once('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
}

const isRunning = (c: ChildProcess): boolean => c.exitCode === null && c.signalCode === null;

function waitExit(c: ChildProcess, ms: number): Promise<boolean> {
  if (!isRunning(c)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    c.once('exit', () => (clearTimeout(timer), resolve(true)));
  });
}

/** Signals the whole process group the child leads (it was spawned detached). */
function killGroup(c: ChildProcess, signal: NodeJS.Signals): void {
  if (c.pid === undefined) return;
  try {
    process.kill(-c.pid, signal);
  } catch {
    /* group already gone */
  }
}

// ---- ports ------------------------------------------------------------------------------------

async function claimFreePort(claims: number[]): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN + 1));
    if (claims.includes(p) || !claimPort(p)) continue;
    if (await bindable(p)) {
      claims.push(p);
      return p;
    }
    releasePort(p);
  }
  throw new Error(`no free port found in ${PORT_MIN}-${PORT_MAX}`);
}

/** Exclusive claim file holding our pid; a claim whose owner died is taken over. */
function claimPort(port: number): boolean {
  fs.mkdirSync(CLAIMS, { recursive: true });
  const file = path.join(CLAIMS, String(port));
  for (let i = 0; i < 2; i++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readOr(file, ''));
      if (owner > 0 && pidAlive(owner)) return false;
      fs.rmSync(file, { force: true });
    }
  }
  return false;
}

function releasePort(port: number): void {
  const file = path.join(CLAIMS, String(port));
  if (readOr(file, '') === String(process.pid)) fs.rmSync(file, { force: true });
}

/** Polls until something accepts TCP connections on the port; false if `child` exits first or time runs out. */
async function waitListening(port: number, child: ChildProcess, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && isRunning(child)) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, HOST);
      sock.once('connect', () => (sock.destroy(), resolve(true)));
      sock.once('error', () => resolve(false));
    });
    if (ok) return isRunning(child); // and it is ours that answered
    await sleep(20);
  }
  return false;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host: HOST, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

// ---- cleanup of brokers whose test process died -----------------------------------------------

let hooked = false;
/** Best effort when the test process ends without stop(): SIGKILL what is still running, drop the directory. */
function installExitHook(): void {
  if (hooked) return;
  hooked = true;
  const killAll = (): void => {
    for (const e of live) {
      killGroup(e.server, 'SIGKILL');
      killGroup(e.epmd, 'SIGKILL');
      for (const p of e.claims) releasePort(p);
      fs.rmSync(e.baseDir, { recursive: true, force: true });
    }
    live.clear();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      killAll();
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig); // default action again: the process still dies of the signal
    };
    process.on(sig, onSignal);
  }
}

/**
 * Brokers from a test process that was SIGKILLed: their harness.json names the owner; when the
 * owner is gone, the processes carrying that broker's directory in their environment are killed
 * (found through /proc, so a recycled pid is never touched) and the directory is removed.
 */
function reapOrphans(): void {
  for (const claim of readdirOr(CLAIMS)) {
    const owner = Number(readOr(path.join(CLAIMS, claim), ''));
    if (!(owner > 0 && pidAlive(owner))) fs.rmSync(path.join(CLAIMS, claim), { force: true });
  }
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const n of names) {
    const dir = path.join(os.tmpdir(), n);
    let meta: { ownerPid?: number; serverPid?: number; epmdPid?: number };
    try {
      meta = JSON.parse(fs.readFileSync(path.join(dir, 'harness.json'), 'utf8'));
    } catch {
      continue; // being created right now, or not ours
    }
    if (!meta.ownerPid || pidAlive(meta.ownerPid)) continue;
    for (const pid of brokerProcesses(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Pids of every process that belongs to the broker living in `baseDir` (start script, Erlang VM and
 * its helpers, epmd): they all carry RABBITMQ_MNESIA_BASE=<baseDir>/mnesia in their environment.
 */
export function brokerProcesses(baseDir: string): number[] {
  const marker = `RABBITMQ_MNESIA_BASE=${path.join(baseDir, 'mnesia')}`;
  const pids: number[] = [];
  for (const n of readdirOr('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    if (readOr(`/proc/${n}/environ`, '').split('\0').includes(marker)) pids.push(Number(n));
  }
  return pids;
}

// ---- small helpers ----------------------------------------------------------------------------

function epmdPath(): string | null {
  for (const p of ['/usr/bin/epmd', '/usr/lib/erlang/bin/epmd']) if (fs.existsSync(p)) return p;
  return null;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readdirOr(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function logTail(...files: string[]): string {
  return files
    .map((f) => {
      const lines = readOr(f, '(missing)').trimEnd().split('\n');
      return `--- ${path.basename(f)} (last ${Math.min(lines.length, 40)} lines)\n${lines.slice(-40).join('\n')}`;
    })
    .join('\n');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Ports with a TCP socket in LISTEN state on this machine, any address, IPv4 or IPv6 (from /proc/net). */
export function listeningPorts(): Set<number> {
  const ports = new Set<number>();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readOr(f, '').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A') ports.add(parseInt(cols[1]!.split(':').pop()!, 16));
    }
  }
  return ports;
}
