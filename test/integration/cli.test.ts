/**
 * The `nightshift` command as a user runs it: `node bin/nightshift.js ...` as
 * a child process, with only PATH, HOME and the variables each case names.
 * Exit codes: 0 success, 1 the work failed or the input was invalid, 2 usage
 * or configuration error.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, runCli, spawnCli, stopCliProcesses } from '../helpers/cli-process.ts';
import { createTestSchema, type TestSchema } from '../helpers/pg-schema.ts';

const EXAMPLES = ['specs/examples/hello-script.yaml', 'specs/examples/text-utils.yaml'];
/** Line 4 has a priority that does not exist; the task list is empty (line 8). */
const BROKEN_SPEC = `id: broken
title: A broken spec
description: For the validate command.
priority: urgent
repo:
  path: .
  base: main
tasks: []
`;

let tmp: string | undefined;
let schema: TestSchema | undefined;
afterEach(async () => {
  // Every step runs even if one before it fails.
  const dir = tmp;
  for (const step of [stopCliProcesses, () => schema?.drop(), () => (dir ? rm(dir, { recursive: true, force: true, maxRetries: 5 }) : undefined)]) {
    await Promise.resolve().then(step).catch(() => undefined);
  }
  tmp = undefined;
  schema = undefined;
});

async function tempDir(): Promise<string> {
  tmp = await mkdtemp(join(tmpdir(), 'nightshift-cli-'));
  return tmp;
}

describe('nightshift', () => {
  it('--help exits 0 and lists the commands', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['dev', 'bridge', 'watch', 'migrate', 'validate']) expect(run.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  }, 60_000);

  it('an unknown command exits 2 and says so', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
  }, 60_000);

  it('a bad environment value exits 2 naming the variable', async () => {
    const dir = await tempDir();
    const run = await runCli(['dev'], { cwd: dir, env: { PORT: 'eighty', SPECS_DIR: join(dir, 'specs'), NIGHTSHIFT_HOME: join(dir, '.nightshift') } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^nightshift: invalid configuration: PORT: /m);
  }, 60_000);

  it('watch without NATS_URL prints each spec event as a JSON line, and stops on SIGTERM with 0', async () => {
    const dir = await tempDir();
    const watch = spawnCli(['watch'], { cwd: dir, env: { SPECS_DIR: join(dir, 'specs') } });
    await watch.waitForLine((l) => String(l.msg).startsWith('nightshift watch is up'), 60_000);
    await copyFile(join(ROOT, 'specs', 'examples', 'hello-script.yaml'), join(dir, 'specs', 'active', 'hello-script.yaml'));
    const event = await watch.waitForLine((l) => l.specversion === '1.0', 30_000);
    expect(event).toMatchObject({ type: 'dev.nightshift.spec.created', subject: 'hello-script', data: { specId: 'hello-script', path: 'active/hello-script.yaml' } });
    watch.child.kill('SIGTERM');
    expect(await watch.exited).toBe(0);
  }, 90_000);

  describe('validate', () => {
    it('exits 0 on the examples and prints an ok line per file', async () => {
      const run = await runCli(['validate', ...EXAMPLES]);
      expect(run.code).toBe(0);
      expect(run.stdout.trim().split('\n')).toEqual([
        'ok specs/examples/hello-script.yaml (spec hello-script, 1 task)',
        expect.stringMatching(/^ok specs\/examples\/text-utils\.yaml \(spec text-utils, \d+ tasks\)$/),
      ]);
    }, 60_000);

    it('exits 1 on a broken spec and prints file:line: field for each problem', async () => {
      const file = join(await tempDir(), 'broken.yaml');
      await writeFile(file, BROKEN_SPEC);
      const run = await runCli(['validate', EXAMPLES[0]!, file]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('ok specs/examples/hello-script.yaml');
      expect(run.stdout).toContain(`invalid ${file}`);
      expect(run.stdout).toMatch(new RegExp(`^  ${escape(file)}:4:\\d+: priority: .*urgent`, 'm'));
      expect(run.stdout).toMatch(new RegExp(`^  ${escape(file)}:8:\\d+: tasks: `, 'm'));
    }, 60_000);

    it('--json prints one JSON document with the same findings', async () => {
      const file = join(await tempDir(), 'broken.yaml');
      await writeFile(file, BROKEN_SPEC);
      const run = await runCli(['validate', '--json', EXAMPLES[0]!, file]);
      expect(run.code).toBe(1);
      const results = JSON.parse(run.stdout) as { file: string; ok: boolean; id?: string; tasks?: number; problems?: string[] }[];
      expect(results).toHaveLength(2);
      expect(results[0]).toEqual({ file: EXAMPLES[0], ok: true, id: 'hello-script', tasks: 1 });
      expect(results[1]).toMatchObject({ file, ok: false });
      expect(results[1]!.problems).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${escape(file)}:4:\\d+: priority: `))]));

      const good = await runCli(['validate', '--json', ...EXAMPLES]);
      expect(good.code).toBe(0);
      expect((JSON.parse(good.stdout) as { ok: boolean }[]).every((r) => r.ok)).toBe(true);
    }, 60_000);
  });

  describe('migrate', () => {
    it('applies every migration to the embedded PGlite under NIGHTSHIFT_HOME, then nothing the second time', async () => {
      const dir = await tempDir();
      const env = { NIGHTSHIFT_HOME: join(dir, '.nightshift') };
      const first = await runCli(['migrate'], { cwd: dir, env });
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('database: pglite');
      expect(first.stdout).toContain('applied: 001_core, 002_vector_embeddings');

      const second = await runCli(['migrate'], { cwd: dir, env });
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('applied: nothing (up to date)');

      const json = await runCli(['migrate', '--json'], { cwd: dir, env });
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual({ database: 'pglite', applied: [], skipped: [], vector: true });
    }, 120_000);

    it('on Postgres without pgvector applies the core, reports the vector migration skipped with the how-to, and exits 0', async () => {
      const dir = await tempDir();
      schema = await createTestSchema('cli');
      const env = { DATABASE_URL: schema.url, NIGHTSHIFT_HOME: join(dir, '.nightshift') };
      const run = await runCli(['migrate'], { cwd: dir, env });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('database: postgres');
      expect(run.stdout).toContain('applied: 001_core\n');
      const skipped = run.stdout.split('\n').find((l) => l.startsWith('skipped '));
      expect(skipped).toMatch(/^skipped 002_vector_embeddings: the Postgres server has no pgvector extension/);
      expect(skipped).toMatch(/apt-get install postgresql-\d+-pgvector/);
      expect(skipped).toContain('CREATE EXTENSION vector');

      const again = await runCli(['migrate', '--json'], { cwd: dir, env });
      expect(again.code).toBe(0);
      const result = JSON.parse(again.stdout) as { database: string; applied: string[]; skipped: { migration: string; reason: string }[]; vector: boolean };
      expect(result).toMatchObject({ database: 'postgres', applied: [], vector: false });
      expect(result.skipped.map((s) => s.migration)).toEqual(['002_vector_embeddings']);
      expect(await schema.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual([{ version: 1 }]);
    }, 120_000);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
