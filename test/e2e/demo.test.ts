/**
 * `npm run demo` as a newcomer runs it: a child process with no NATS_URL or
 * DATABASE_URL, in its own folder. It must finish with exit 0, the three
 * squash commits on nightshift/demo, and the retried task on attempt 2.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliEnv, ROOT } from '../helpers/cli-process.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  dir = undefined;
});

it('runs the demo spec to completion on the embedded stack and exits 0', async () => {
  dir = await mkdtemp(join(tmpdir(), 'ns-demo-'));
  const demo = join(dir, 'demo');
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'demo.ts')], {
    cwd: ROOT,
    env: cliEnv({ DEMO_DIR: demo, WORKSPACES_DIR: join(dir, 'workspaces') }),
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).toContain('spec demo completed');
  expect(run.stdout).toMatch(/goodbye\s+completed\s+2/);
  const log = execFileSync('git', ['log', '--format=%(trailers:key=Task-Id,valueonly)', 'main..nightshift/demo'], { cwd: join(demo, 'repo'), encoding: 'utf8' });
  expect(log.split('\n').filter(Boolean)).toEqual(['index', 'goodbye', 'hello']);
}, 300_000);
