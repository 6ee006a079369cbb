import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../shared/exec/checks.ts';
import { NODE, tempDirs } from '../fixtures/agents/harness.ts';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());
const node = (code: string) => [NODE, '-e', code];

describe('runChecks', () => {
  it('runs every check in the tree and passes when all pass', async () => {
    const cwd = dirs.make();
    writeFileSync(join(cwd, 'ok.txt'), 'fine\n');
    const r = await runChecks(
      [
        { name: 'file exists', run: ['test', '-f', 'ok.txt'] },
        { name: 'content', run: node('const s=require("fs").readFileSync("ok.txt","utf8");console.log("read",s.trim());process.exit(s==="fine\\n"?0:1)') },
      ],
      { cwd },
    );
    expect(r.ok).toBe(true);
    expect(r.results.map((c) => [c.name, c.ok, c.exitCode])).toEqual([['file exists', true, 0], ['content', true, 0]]);
    expect(r.results[1]!.output).toContain('read fine');
    expect(r.notRun).toEqual([]);
  });

  it('stops at the first failure and names what did not run', async () => {
    const cwd = dirs.make();
    const r = await runChecks(
      [
        { name: 'lint', run: ['true'] },
        { name: 'test', run: node('console.error("1 test failed: adds numbers");process.exit(1)') },
        { name: 'build', run: ['true'] },
      ],
      { cwd },
    );
    expect(r.ok).toBe(false);
    expect(r.failed).toMatchObject({ name: 'test', ok: false, exitCode: 1, timedOut: false });
    expect(r.failed!.output).toContain('1 test failed: adds numbers');
    expect(r.results).toHaveLength(2);
    expect(r.notRun).toEqual(['build']);
  });

  it('a check past its timeout fails as timed out', async () => {
    const cwd = dirs.make();
    const r = await runChecks([{ name: 'hangs', run: ['sleep', '30'], timeoutSeconds: 1 }], { cwd, killGraceMs: 200 });
    expect(r.ok).toBe(false);
    expect(r.failed).toMatchObject({ name: 'hangs', timedOut: true, exitCode: null });
    expect(r.failed!.output).toContain('ran longer than 1000 ms');
  }, 30_000);

  it('a missing program is a failed check, not a crash', async () => {
    const r = await runChecks([{ name: 'ghost', run: ['nightshift-no-such-check'] }], { cwd: dirs.make() });
    expect(r.failed).toMatchObject({ name: 'ghost', ok: false });
    expect(r.failed!.output).toContain('no such program');
  });

  it('removes denied names from a given env and uses a scratch env by default', async () => {
    const cwd = dirs.make();
    const show = { name: 'env', run: node('console.log(JSON.stringify(process.env))') };
    const given = await runChecks([show], { cwd, env: { PATH: process.env.PATH ?? '/usr/bin', DATABASE_URL: 'postgres://x', CI: '1' } });
    const env = JSON.parse(given.results[0]!.output) as Record<string, string>;
    expect(env.CI).toBe('1');
    expect(env).not.toHaveProperty('DATABASE_URL');
    const scratch = JSON.parse((await runChecks([show], { cwd })).results[0]!.output) as Record<string, string>;
    expect(scratch.TERM).toBe('dumb');
    expect(scratch.HOME).not.toBe(process.env.HOME);
    expect(Object.keys(scratch).some((k) => k.startsWith('VITEST'))).toBe(false);
  });

  it('passes with no checks', async () => {
    expect(await runChecks([], { cwd: dirs.make() })).toEqual({ ok: true, results: [], notRun: [] });
  });
});
