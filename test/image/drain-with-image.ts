/**
 * The built image, run for real (called by .ci/image after it built the Containerfile; not part of
 * `npm test`): usage `node dist/test/image/drain-with-image.js IMAGE`.
 *
 * Each fixture is drained the way a cleanup pod runs it: the image's own ENTRYPOINT + CMD with no
 * arguments, configured by environment only (AMQ_DATA_DIR, DRAINER_TARGET…), the data directory a
 * volume at /data, as an arbitrary UID in group 0 (OpenShift's restricted SCC), into a throwaway
 * RabbitMQ (chroot isolation shares the host's network). The termination message goes to a mounted
 * directory (DRAINER_TERMINATION_LOG): chroot isolation also shares the host's /dev, so a file
 * cannot be mounted at /dev/termination-log as the kubelet does.
 *
 * Checked: exit 0 and a termination message saying so; every queue consumed back equals the
 * manifest, message by message (test/support/drain-compare.ts, as test/drain/rabbitmq.test.ts
 * does); the progress state went to the volume, written by that UID; only JSON lines on stderr; and
 * nothing written to the container's root filesystem, which is what a read-only one requires.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startRabbit, type RabbitBroker } from '../support/rabbitmq/broker.js';
import { drainQueue, rawOf } from '../support/rabbitmq/client.js';
import { scenarios, PROJECT, type Scenario } from '../support/fixtures.js';
import { copyData } from '../support/drain-run.js';
import { compareQueue, expectedViews, pendingInOrder, viewOf, type Received } from '../support/drain-compare.js';

/** Paging and multicast fan-out, large messages streamed from their files, redelivery counts and schedules. */
const SCENARIOS = ['artemis-2.44.0/g_paging', 'artemis-2.44.0/f_large_messages', 'artemis-2.44.0/d_partial_redelivery_scheduled'];
/** Not root, not 1001 (the image's default user): any UID must work. */
const RUN_AS = '1000680000:0';
/** Where the container runtime itself puts files when it starts a container: not the application's writes. */
const RUNTIME_PATHS = new Set(['/data', '/termination', '/dev', '/proc', '/sys', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/run/.containerenv', '/run/secrets']);
/** Directories whose own times change when the runtime puts those there (their other entries are still checked). */
const RUNTIME_PARENTS = new Set(['', '/etc', '/run']);

interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  User?: string;
  Labels?: Record<string, string>;
}

function buildah(args: string[]): string {
  return execFileSync('buildah', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** What the image says about how it runs: the pod uses exactly this. */
function checkConfig(image: string): ImageConfig {
  const config = (JSON.parse(buildah(['inspect', '--type', 'image', image])) as { OCIv1: { config: ImageConfig } }).OCIv1.config;
  const problems: string[] = [];
  const version = (JSON.parse(fs.readFileSync(path.join(PROJECT, 'package.json'), 'utf8')) as { version: string }).version;
  if (JSON.stringify(config.Cmd) !== '["drain"]') problems.push(`CMD is ${JSON.stringify(config.Cmd)}, not ["drain"]`);
  if (config.Entrypoint?.[0] !== 'node' || !config.Entrypoint.includes('--max-semi-space-size=4')) problems.push(`ENTRYPOINT ${JSON.stringify(config.Entrypoint)}`);
  const user = (config.User ?? '').split(':')[0];
  if (!/^[1-9][0-9]*$/.test(user ?? '')) problems.push(`USER ${JSON.stringify(config.User)} is not a numeric non-root UID`);
  for (const l of ['source', 'version', 'description']) if (!config.Labels?.[`org.opencontainers.image.${l}`]) problems.push(`label org.opencontainers.image.${l} missing`);
  if (config.Labels?.['org.opencontainers.image.version'] !== version) problems.push(`version label ${config.Labels?.['org.opencontainers.image.version']}, package.json ${version}`);
  if (problems.length) throw new Error(`image config: ${problems.join('; ')}`);
  return config;
}

/** Every path under root changed (mtime or ctime) since `since` ms, runtime mount points aside. */
function changedSince(root: string, since: number): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (RUNTIME_PATHS.has(r)) continue;
      const st = fs.lstatSync(path.join(root, r));
      if ((st.mtimeMs >= since || st.ctimeMs >= since) && !(e.isDirectory() && RUNTIME_PARENTS.has(r))) out.push(r);
      if (e.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

interface Outcome {
  name: string;
  messages: number;
  ms: number;
  problems: string[];
}

/** The check above can fail: a container that writes /tmp/probe must be caught writing it. */
function checkDetectorCatchesWrites(image: string): void {
  const ctr = buildah(['from', '--pull-never', '--quiet', image]);
  try {
    const root = buildah(['mount', ctr]);
    const since = Date.now() - 1000;
    buildah(['run', '--isolation', 'chroot', '--user', RUN_AS, ctr, '--', 'node', '-e', "require('fs').writeFileSync('/tmp/probe', 'x')"]);
    const written = changedSince(root, since);
    if (!written.includes('/tmp/probe')) throw new Error(`the root filesystem check missed a write to /tmp/probe (saw: ${written.join(', ') || 'nothing'})`);
  } finally {
    buildah(['rm', ctr]);
  }
}

async function drainOne(image: string, config: ImageConfig, s: Scenario, rabbit: RabbitBroker): Promise<Outcome> {
  const problems: string[] = [];
  const dataDir = copyData(s.dataDir);
  // The volume as Kubernetes gives it with fsGroup 0 / the restricted SCC: writable by the pod's group.
  execFileSync('chmod', ['-R', 'g+rwX,o+rwX', dataDir]);
  const terminationDir = fs.mkdtempSync(path.join(path.dirname(dataDir), 'termination-'));
  fs.chmodSync(terminationDir, 0o777);
  const termination = path.join(terminationDir, 'termination-log');
  const prefix = `${s.version}.${s.name}`;

  const ctr = buildah(['from', '--pull-never', '--quiet', image]);
  const started = Date.now();
  try {
    const root = buildah(['mount', ctr]);
    const env = {
      AMQ_DATA_DIR: '/data',
      DRAINER_TARGET: rabbit.url,
      DRAINER_ADDRESS_TEMPLATE: `/queue/${prefix}.{queue}`,
      DRAINER_DEADLINE: '150',
      DRAINER_TERMINATION_LOG: '/termination/termination-log',
      LOG_LEVEL: 'info',
    };
    const runArgs = ['run', '--isolation', 'chroot', '--network', 'host', '--user', RUN_AS,
      '-v', `${dataDir}:/data`, '-v', `${terminationDir}:/termination`,
      ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
      ctr, '--', ...config.Entrypoint!, ...config.Cmd!];
    const since = Date.now() - 1000; // mtimes have coarse granularity on some filesystems
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('buildah', runArgs, { stdio: ['ignore', 'inherit', 'pipe'] });
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.on('close', (c) => resolve({ code: c, stderr: err }));
    });
    const logs = stderr.split('\n').filter(Boolean);
    if (code !== 0) problems.push(`exit ${code}; last log lines:\n${logs.slice(-15).join('\n')}`);
    const notJson = logs.filter((l) => !l.startsWith('{'));
    if (notJson.length) problems.push(`stderr lines that are not pino JSON: ${notJson.slice(0, 5).join(' | ')}`);
    const term = fs.existsSync(termination) ? fs.readFileSync(termination, 'utf8') : '';
    if (!term.startsWith(`artemis-drainer exit ${code}:`)) problems.push(`termination message: ${JSON.stringify(term.slice(0, 200))}`);
    const stateFile = path.join(dataDir, '.artemis-drainer', 'drain-state.json');
    if (!fs.existsSync(stateFile)) problems.push('no drain state written to the volume');
    else if (fs.statSync(stateFile).uid !== Number(RUN_AS.split(':')[0])) problems.push(`drain state owned by uid ${fs.statSync(stateFile).uid}, not ${RUN_AS}`);
    const written = changedSince(root, since);
    if (written.length) problems.push(`written to the root filesystem: ${written.slice(0, 20).join(', ')}`);
  } finally {
    buildah(['rm', ctr]);
  }
  const ms = Date.now() - started;

  // What RabbitMQ holds, queue by queue, against the manifest.
  const expected = await expectedViews(dataDir);
  let messages = 0;
  for (const [queue, want] of pendingInOrder(s.manifest)) {
    const got = await drainQueue(rabbit.url, `${prefix}.${queue}`, { timeoutMs: 60_000 });
    const received: Received[] = got.map((m) => {
      const raw = rawOf(m)!;
      const t = viewOf(raw).messageAnnotations?.['x-opt-delivery-time'];
      return { raw, scheduledTime: t ? Number(t.value) : undefined };
    });
    messages += received.length;
    problems.push(...compareQueue(queue, want, expected.get(queue) ?? new Map(), received, { headerRewritten: true }).slice(0, 10));
  }
  fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  return { name: prefix, messages, ms, problems };
}

async function main(): Promise<void> {
  const image = process.argv[2];
  if (!image) throw new Error('usage: drain-with-image.js IMAGE');
  const config = checkConfig(image);
  console.log(`image ${image}: ENTRYPOINT ${JSON.stringify(config.Entrypoint)} CMD ${JSON.stringify(config.Cmd)} USER ${config.User}, run as ${RUN_AS}`);
  checkDetectorCatchesWrites(image);
  const all = new Map(scenarios().map((s) => [`${s.version}/${s.name}`, s]));
  const rabbit = await startRabbit();
  let failed = 0;
  try {
    for (const id of SCENARIOS) {
      const s = all.get(id);
      if (!s) throw new Error(`fixture ${id} not unpacked (npm run fixtures)`);
      const o = await drainOne(image, config, s, rabbit);
      console.log(`${o.problems.length ? 'FAIL' : 'ok  '} ${o.name}: drained by the image in ${(o.ms / 1000).toFixed(1)} s, ${o.messages} messages consumed back and compared with the manifest`);
      for (const p of o.problems) console.log(`     ${p}`);
      if (o.problems.length) failed++;
    }
  } finally {
    await rabbit.stop();
  }
  if (failed) {
    console.log(`${failed} of ${SCENARIOS.length} fixtures failed`);
    process.exitCode = 1;
  }
}

await main();
