/**
 * The Containerfile's contract, read statically (CI builds and runs it for real in .ci/image):
 * multi-stage, a Node.js LTS base chosen by build argument, non-root numeric user in group 0,
 * ENTRYPOINT the CLI with the same V8 flag as its shebang, CMD drain, the OCI labels, a version
 * label that follows package.json, and a build context holding only what the build reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT } from '../support/fixtures.js';

const read = (f: string) => fs.readFileSync(path.join(PROJECT, f), 'utf8');
const CONTAINERFILE = read('Containerfile');
/** Instructions, with continuation lines joined and comments dropped. */
const INSTRUCTIONS = CONTAINERFILE.replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = (): string[][] => {
  const out: string[][] = [];
  for (const i of INSTRUCTIONS) {
    if (/^FROM /i.test(i)) out.push([]);
    out.at(-1)?.push(i);
  }
  return out;
};
const arg = (name: string) => INSTRUCTIONS.find((i) => i.startsWith(`ARG ${name}=`))?.slice(`ARG ${name}=`.length);

test('two stages: the build stage from BUILD_IMAGE, the run stage from BASE_IMAGE (a Node.js LTS image)', () => {
  const [build, run, ...more] = stages();
  assert.equal(more.length, 0);
  assert.match(build![0]!, /^FROM \$\{BUILD_IMAGE\} AS build$/);
  assert.equal(run![0], 'FROM ${BASE_IMAGE}');
  assert.ok(run!.some((i) => /^COPY --from=build \/app \/app$/.test(i)), 'the run stage takes only /app from the build stage');
  assert.ok(!run!.some((i) => /^RUN /.test(i)), 'no RUN in the run stage: a base without a shell must work');
  const base = arg('BASE_IMAGE')!;
  const major = Number(/nodejs-(\d+)-minimal/.exec(base)?.[1]);
  assert.ok(major >= 22 && major % 2 === 0, `default base ${base} is a Node.js LTS (even major >= 22) minimal image`);
  assert.equal(arg('BUILD_IMAGE'), '${BASE_IMAGE}');
  assert.ok(build!.some((i) => /npm ci\b/.test(i)) && build!.some((i) => /npm prune --omit=dev/.test(i)), 'dev dependencies to build, production ones to run');
});

test('runs as a numeric non-root user in group 0, the CLI with its shebang flag, drain by default', () => {
  const run = stages()[1]!;
  const user = run.find((i) => i.startsWith('USER '))!.slice(5);
  assert.match(user, /^[1-9]\d*:0$/);
  const entry = JSON.parse(run.find((i) => i.startsWith('ENTRYPOINT '))!.slice(11)) as string[];
  const shebang = read('drainer/cli.ts').split('\n')[0]!;
  const flags = shebang.replace(/^#!\/usr\/bin\/env -S node ?/, '').split(' ').filter(Boolean);
  assert.deepEqual(entry, ['node', ...flags, '/app/dist/drainer/cli.js']);
  assert.deepEqual(JSON.parse(run.find((i) => i.startsWith('CMD '))!.slice(4)), ['drain']);
  assert.ok(run.some((i) => /^ENV NODE_ENV=production$/.test(i)));
});

test('OCI labels, and a default version that follows package.json', () => {
  const labels = INSTRUCTIONS.find((i) => i.startsWith('LABEL '))!;
  for (const l of ['title', 'description', 'version', 'source', 'revision', 'licenses']) assert.match(labels, new RegExp(`org\\.opencontainers\\.image\\.${l}=`));
  const pkg = JSON.parse(read('package.json')) as { version: string; license: string };
  assert.equal(arg('VERSION'), pkg.version);
  assert.match(labels, new RegExp(`licenses="${pkg.license}"`));
});

test('the build context holds what the build copies, and both ignore files agree', () => {
  const ignore = read('.containerignore');
  assert.equal(read('.dockerignore'), ignore);
  const allowed = ignore.split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1));
  const copied = INSTRUCTIONS.filter((i) => /^COPY (?!--from)/.test(i)).flatMap((i) => i.split(/\s+/).slice(1, -1)).map((p) => p.replace(/\/$/, ''));
  assert.deepEqual([...new Set(copied)].sort(), [...allowed].sort());
});
