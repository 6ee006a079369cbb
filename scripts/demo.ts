/**
 * `npm run demo`: the whole pipeline on the embedded stack, with nothing
 * installed but Node and git. It makes a small repository under
 * `.nightshift/demo/`, drops a spec with three tasks (two in parallel, one
 * depending on both; one fails its check on the first attempt and passes on
 * the retry), runs the dev runner until the spec completes, prints the
 * integration branch's log and a summary, and exits 0 (1 if the spec failed).
 * Each run starts from scratch: the demo folder is removed first.
 * `DEMO_DIR` puts the demo folder elsewhere (tests use a temp dir).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDev } from '../cli/dev.ts';
import { loadConfig } from '../shared/config.ts';
import { createLogger } from '../shared/runtime/logger.ts';
import { loadSpec } from '../shared/spec/loader.ts';
import type { Spec } from '../shared/spec/schema.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DEMO = path.resolve(process.env.DEMO_DIR ?? path.join(ROOT, '.nightshift', 'demo'));
const REPO = path.join(DEMO, 'repo');
const SPECS = path.join(DEMO, 'specs');
/** How long the demo waits for the spec. @default 180 s */
const TIMEOUT_MS = 180_000;

/** A command agent as a small inline Node program (argv, never a shell string). */
const node = (program: string) => ({ kind: 'command', command: [process.execPath, '-e', program], timeoutSeconds: 60 });
const contains = (file: string, text: string) => ({ name: `${file} says "${text}"`, run: [process.execPath, '-e', `const t = require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8'); if (!t.includes(${JSON.stringify(text)})) { console.error(${JSON.stringify(file)} + ' does not say ' + ${JSON.stringify(JSON.stringify(text))} + '; it says: ' + t.trim()); process.exit(1); }`] });

const SPEC = `# yaml-language-server: $schema=${path.relative(path.join(SPECS, 'active'), path.join(ROOT, 'specs', 'spec.schema.json'))}
# The demo spec: written by scripts/demo.ts.
id: demo
title: Greet and say goodbye
description: Three small tasks driven by inline Node scripts instead of an LLM.
repo:
  path: ../../repo
  base: main
tasks:
  - id: hello
    title: Write hello.txt
    files: [hello.txt]
    agent: ${JSON.stringify(node("require('node:fs').writeFileSync('hello.txt', 'Hello, night shift!\\n')"))}
    checks: [${JSON.stringify(contains('hello.txt', 'Hello'))}]
  - id: goodbye
    title: Write goodbye.txt
    description: The first attempt gets it wrong on purpose; the retry's prompt carries the check's error.
    files: [goodbye.txt]
    agent: ${JSON.stringify(node("const fs = require('node:fs'); const { attempt } = JSON.parse(fs.readFileSync(process.env.NIGHTSHIFT_TASK_FILE, 'utf8')); fs.writeFileSync('goodbye.txt', attempt === 1 ? 'Bye?\\n' : 'Goodbye, night shift!\\n')"))}
    checks: [${JSON.stringify(contains('goodbye.txt', 'Goodbye'))}]
  - id: index
    title: Write index.md from both files
    dependsOn: [hello, goodbye]
    files: [index.md]
    agent: ${JSON.stringify(node("const fs = require('node:fs'); fs.writeFileSync('index.md', '# Demo\\n\\n- ' + fs.readFileSync('hello.txt', 'utf8').trim() + '\\n- ' + fs.readFileSync('goodbye.txt', 'utf8').trim() + '\\n')"))}
    checks: [${JSON.stringify(contains('index.md', 'Goodbye'))}]
`;

function git(args: string[]): string {
  const env = { ...process.env, GIT_AUTHOR_NAME: 'demo', GIT_AUTHOR_EMAIL: 'demo@example.com', GIT_COMMITTER_NAME: 'demo', GIT_COMMITTER_EMAIL: 'demo@example.com' };
  return execFileSync('git', args, { cwd: REPO, env, encoding: 'utf8' });
}

async function makeRepo(): Promise<void> {
  await rm(DEMO, { recursive: true, force: true });
  await mkdir(REPO, { recursive: true });
  await mkdir(path.join(SPECS, 'active'), { recursive: true });
  git(['init', '-q', '-b', 'main']);
  await writeFile(path.join(REPO, 'README.md'), '# Demo repository\n\nnightshift lands its work on the branch nightshift/demo.\n');
  git(['add', '-A']);
  git(['commit', '-qm', 'Initial commit']);
}

async function findSpec(): Promise<string | undefined> {
  const active = path.join(SPECS, 'active', 'demo.yaml');
  if (existsSync(active)) return active;
  for (const month of await readdir(path.join(SPECS, 'archive')).catch(() => [] as string[])) {
    const f = path.join(SPECS, 'archive', month, 'demo.yaml');
    if (existsSync(f)) return f;
  }
  return undefined;
}

async function waitForEnd(): Promise<{ spec: Spec; file: string }> {
  const until = Date.now() + TIMEOUT_MS;
  while (Date.now() < until) {
    const file = await findSpec();
    const spec = file ? await loadSpec(file).then((p) => p.spec).catch(() => undefined) : undefined;
    if (file && spec && (spec.status === 'failed' || (spec.status === 'completed' && file.includes(`${path.sep}archive${path.sep}`)))) return { spec, file };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the demo spec did not finish in ${TIMEOUT_MS / 1000} s`);
}

async function main(): Promise<number> {
  const started = Date.now();
  await makeRepo();
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    SPECS_DIR: SPECS,
    NIGHTSHIFT_HOME: path.join(DEMO, 'home'),
    RETRY_BASE_MS: '300',
    ...(process.env.WORKSPACES_DIR ? { WORKSPACES_DIR: process.env.WORKSPACES_DIR } : {}),
  });
  const log = createLogger({ name: 'nightshift-demo', level: config.LOG_LEVEL });
  console.log(`demo: repository at ${path.relative(ROOT, REPO)}; starting the embedded stack (PGlite, in-process bus)`);
  const dev = await startDev(config, log);
  try {
    await writeFile(path.join(SPECS, 'active', 'demo.yaml'), SPEC);
    console.log('demo: dropped specs/active/demo.yaml (3 tasks); waiting for it to finish');
    const { spec, file } = await waitForEnd();
    console.log(`\ndemo: spec ${spec.id} ${spec.status} in ${((Date.now() - started) / 1000).toFixed(1)} s; spec file now at ${path.relative(DEMO, file)}\n`);
    console.log(git(['log', '--format=%h %s%n%(trailers:key=Task-Id,key=Attempt,separator=%x2C )', 'main..nightshift/demo']).trim());
    console.log('\ntask     status     attempts');
    for (const t of spec.tasks) console.log(`${t.id.padEnd(8)} ${t.status.padEnd(10)} ${t.attempts}`);
    const db = await dev.services!.db();
    const hints = await db.query<{ task_id: string; attempt: number; reason: string }>(`SELECT task_id, attempt, reason FROM failure_logs WHERE spec_id = 'demo' ORDER BY id`);
    for (const f of hints.rows) console.log(`failure recorded: ${f.task_id} attempt ${f.attempt} (${f.reason}); its resolution is stored for the next similar failure`);
    console.log(`\nSee it yourself: git -C ${path.relative(ROOT, REPO)} log --stat nightshift/demo`);
    return spec.status === 'completed' ? 0 : 1;
  } finally {
    await dev.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
