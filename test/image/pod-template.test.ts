/**
 * docs/kubernetes.md's manifests are what users paste: every YAML block must parse, every document
 * must use only core/v1 (apps/v1, batch/v1) fields with the right types (k8s-schema.ts), and the
 * cleanup pod template must be one the scale-down controller can use and the drainer understands:
 * strict JSON in the annotation, restartPolicy OnFailure, the claim template's volume mounted where
 * AMQ_DATA_DIR points, the broker's scheduling and permissions mirrored, only environment variables
 * that `drain --help` documents. The variable and exit-code tables must cover the CLI's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PROJECT } from '../support/fixtures.js';
import { CLI } from '../support/drain-run.js';
import { ExitCode } from '../../drainer/exit-codes.js';
import { KINDS, pod, validate, isObject } from './k8s-schema.js';

const DOC = fs.readFileSync(path.join(PROJECT, 'docs', 'kubernetes.md'), 'utf8');
const ANNOTATIONS = ['statefulsets.kubernetes.io/scaledown-pod-template', 'statefulsets.kubernetes.io/drainer-pod-template'];

type Obj = Record<string, any>;

/** Every document of every ```yaml block, with the block's line for messages. */
function yamlDocuments(): Array<{ line: number; doc: Obj }> {
  const out: Array<{ line: number; doc: Obj }> = [];
  const re = /^```yaml\n([\s\S]*?)^```$/gm;
  for (let m; (m = re.exec(DOC)); ) {
    const line = DOC.slice(0, m.index).split('\n').length;
    for (const d of parseAllDocuments(m[1]!, { uniqueKeys: true })) {
      assert.deepEqual(d.errors.map((e) => e.message), [], `docs/kubernetes.md:${line}: YAML errors`);
      out.push({ line, doc: d.toJS() as Obj });
    }
  }
  return out;
}

const DOCS = yamlDocuments();
const byKind = (kind: string) => DOCS.filter((d) => d.doc.kind === kind).map((d) => d.doc);

/** Names `drain --help` documents: every [env: …] variable, and the names its texts mention. */
function helpEnvNames(): { documented: Set<string>; mentioned: Set<string> } {
  const r = spawnSync(process.execPath, [CLI, 'drain', '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const help = r.stdout.replace(/\s+/g, ' ');
  const documented = new Set<string>();
  for (const m of help.matchAll(/\[env: ([^\]]+)\]/g)) for (const n of m[1]!.matchAll(/[A-Z][A-Z0-9_]+/g)) documented.add(n[0]);
  const mentioned = new Set([...help.matchAll(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/g)].map((m) => m[0]));
  return { documented, mentioned };
}

function drainerContainers(spec: Obj): Obj[] {
  return (spec.containers as Obj[]).filter((c) => String(c.image).includes('artemis-drainer'));
}

/** What a cleanup pod must be, wherever it comes from; `mounts` says which volumes it may mount. */
function checkCleanupPod(spec: Obj, where: string, mountable: Set<string>): void {
  assert.equal(spec.restartPolicy, 'OnFailure', `${where}: restartPolicy`);
  assert.equal(spec.automountServiceAccountToken, false, `${where}: no API access needed, no token`);
  const [c, ...more] = drainerContainers(spec);
  assert.ok(c && more.length === 0, `${where}: one drainer container`);
  assert.equal(c.command, undefined, `${where}: the image's ENTRYPOINT runs (no command)`);
  assert.ok(c.args === undefined || c.args[0] === 'drain', `${where}: args, if any, start with drain`);
  for (const m of c.volumeMounts as Obj[]) assert.ok(mountable.has(m.name), `${where}: volumeMount ${m.name} is not a volume the pod will have (${[...mountable].join(', ')})`);
  const env = new Map((c.env as Obj[]).map((e) => [e.name as string, e]));
  const dataDir = env.get('AMQ_DATA_DIR')?.value as string | undefined;
  assert.ok(dataDir, `${where}: AMQ_DATA_DIR set`);
  assert.ok((c.volumeMounts as Obj[]).some((m) => dataDir === m.mountPath || dataDir.startsWith(`${m.mountPath}/`)), `${where}: AMQ_DATA_DIR ${dataDir} is on the mounted volume`);
  for (const n of ['HEADLESS_SVC_NAME', 'POD_NAMESPACE', 'DRAINER_HOST', 'AMQ_USER', 'AMQ_PASSWORD']) assert.ok(env.has(n), `${where}: ${n} set`);
  assert.equal(env.get('POD_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath, 'metadata.namespace', `${where}: POD_NAMESPACE from the downward API`);
  assert.equal(env.get('DRAINER_HOST')?.valueFrom?.fieldRef?.fieldPath, 'status.podIP', `${where}: DRAINER_HOST from the downward API`);
  for (const n of ['AMQ_USER', 'AMQ_PASSWORD']) assert.ok(env.get(n)?.valueFrom?.secretKeyRef?.name, `${where}: ${n} from a secret, not inline`);
  const sc = c.securityContext as Obj;
  assert.equal(sc.readOnlyRootFilesystem, true, `${where}: read-only root filesystem`);
  assert.equal(sc.allowPrivilegeEscalation, false, `${where}: no privilege escalation`);
  assert.deepEqual(sc.capabilities?.drop, ['ALL'], `${where}: capabilities dropped`);
  assert.ok(c.resources?.requests?.memory && c.resources?.limits?.memory, `${where}: memory requested and limited`);
  assert.equal(c.terminationMessagePolicy, 'FallbackToLogsOnError', `${where}: termination message falls back to the log`);
}

test('every YAML block of docs/kubernetes.md parses and uses only Kubernetes schema fields', () => {
  assert.ok(DOCS.length >= 3, 'the Service, the StatefulSet and the Job');
  const problems: string[] = [];
  for (const { line, doc } of DOCS) {
    const kind = `${doc.apiVersion}/${doc.kind}`;
    const schema = KINDS[kind];
    if (!schema) problems.push(`docs/kubernetes.md:${line}: no schema for ${kind}`);
    else problems.push(...validate(doc, schema, `docs/kubernetes.md:${line} ${kind}`));
  }
  assert.deepEqual(problems, []);
});

test('the schema check catches what the controller would silently drop', () => {
  const tpl = JSON.parse(byKind('StatefulSet')[0]!.metadata.annotations[ANNOTATIONS[0]!] as string) as Obj;
  const typo = structuredClone(tpl);
  typo.spec.containers[0].securitycontext = typo.spec.containers[0].securityContext;
  delete typo.spec.containers[0].securityContext;
  assert.match(validate(typo, pod, 'pod').join('\n'), /securitycontext: unknown field/);
  const wrongType = structuredClone(tpl);
  wrongType.spec.securityContext.fsGroup = '185';
  assert.match(validate(wrongType, pod, 'pod').join('\n'), /fsGroup: expected an integer/);
  const badEnum = structuredClone(tpl);
  badEnum.spec.restartPolicy = 'Onfailure';
  assert.match(validate(badEnum, pod, 'pod').join('\n'), /restartPolicy: expected one of/);
});

test('the StatefulSet annotation holds a JSON Pod the scale-down controller can run', () => {
  const [sts] = byKind('StatefulSet');
  assert.ok(sts, 'a StatefulSet example');
  const value = sts.metadata.annotations[ANNOTATIONS[0]!];
  assert.equal(typeof value, 'string', 'the annotation value is a string');
  const tpl = JSON.parse(value as string) as Obj; // strict JSON, as the controller decodes it
  assert.deepEqual(validate(tpl, pod, 'annotation'), []);
  // The controller appends one volume per claim template, named after it: mount it, do not declare it.
  const claims = new Set((sts.spec.volumeClaimTemplates as Obj[]).map((v) => v.metadata.name as string));
  const own = new Set(((tpl.spec.volumes ?? []) as Obj[]).map((v) => v.name as string));
  for (const c of claims) assert.ok(!own.has(c), `the template declares volume ${c}, which the controller appends`);
  checkCleanupPod(tpl.spec, 'annotation', new Set([...claims, ...own]));
  // Not an endpoint of the service it looks for targets in.
  const svc = byKind('Service').find((s) => s.metadata.name === sts.spec.serviceName);
  assert.ok(svc, 'the headless service of the example');
  const selected = Object.entries(svc.spec.selector as Record<string, string>).every(([k, v]) => tpl.metadata?.labels?.[k] === v);
  assert.ok(!selected, 'the cleanup pod labels are not selected by the headless service');
  // Scheduled where the broker could be, with the broker's file permissions.
  const broker = sts.spec.template.spec as Obj;
  for (const k of ['tolerations', 'nodeSelector', 'securityContext']) assert.deepEqual(tpl.spec[k], broker[k], `${k} mirrored from the broker`);
  assert.deepEqual(tpl.spec.affinity?.nodeAffinity, broker.affinity?.nodeAffinity, 'node affinity mirrored from the broker');
  // DRAINER_PORT matches the port the service names for SRV discovery.
  const port = (drainerContainers(tpl.spec)[0]!.env as Obj[]).find((e) => e.name === 'DRAINER_PORT')?.value;
  assert.ok((svc.spec.ports as Obj[]).some((p) => String(p.port) === port), `DRAINER_PORT ${port} is a port of the service`);
});

test('the Job example mounts the claim it drains', () => {
  const [job] = byKind('Job');
  assert.ok(job, 'a Job example');
  const spec = job.spec.template.spec as Obj;
  const volumes = spec.volumes as Obj[];
  assert.ok(volumes.every((v) => isObject(v.persistentVolumeClaim) && v.persistentVolumeClaim.claimName), 'volumes are claims');
  checkCleanupPod(spec, 'Job', new Set(volumes.map((v) => v.name as string)));
});

test('the drainer containers set only variables drain --help documents', () => {
  const { documented, mentioned } = helpEnvNames();
  const known = new Set([...documented, ...mentioned, 'LOG_LEVEL']);
  const pods: Obj[] = [
    ...byKind('StatefulSet').map((s) => JSON.parse(s.metadata.annotations[ANNOTATIONS[0]!] as string).spec as Obj),
    ...byKind('Job').map((j) => j.spec.template.spec as Obj),
  ];
  const unknown = pods.flatMap((p) => drainerContainers(p).flatMap((c) => (c.env as Obj[]).map((e) => e.name as string))).filter((n) => !known.has(n));
  assert.deepEqual(unknown, []);
});

test('the variable table covers every variable of drain --help, and the exit-code table every code', () => {
  const { documented } = helpEnvNames();
  assert.ok(documented.size > 20, 'drain --help documents its variables');
  const table = DOC.slice(DOC.indexOf('## Environment variables'), DOC.indexOf('## Exit codes'));
  const missing = [...documented].filter((n) => !table.includes(`\`${n}\``));
  assert.deepEqual(missing, [], 'variables missing from the table');
  const codes = DOC.slice(DOC.indexOf('## Exit codes'), DOC.indexOf('## Reading the outcome'));
  const rows = new Set([...codes.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1])));
  assert.deepEqual(Object.values(ExitCode).filter((c) => !rows.has(c)), [], 'exit codes missing from the table');
  for (const a of ANNOTATIONS) assert.ok(DOC.includes(`\`${a}\``), `annotation ${a} documented`);
});
