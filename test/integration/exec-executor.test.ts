import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandExecutor, createExecutor } from '../../shared/exec/executor.ts';
import { isInside } from '../../shared/exec/run-dir.ts';
import type { ExecTask } from '../../shared/exec/types.ts';
import { NODE, agent, gitStatus, killIfAlive, makeRepo, tempDirs, waitDead } from '../fixtures/agents/harness.ts';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const task: ExecTask = { specId: 'demo', id: 'edit-app', title: 'Edit the app', acceptance: ['app edited'], files: ['src/app.js', 'src/new/util.js'], attempt: 1 };
const hostEnv = { PATH: process.env.PATH, LANG: 'C.UTF-8', ANTHROPIC_API_KEY: 'sk-test', DATABASE_URL: 'postgres://u:p@db/x', NATS_URL: 'nats://bus:4222', NIGHTSHIFT_TOKEN: 'secret', PGPASSWORD: 'pw', AWS_ACCESS_KEY_ID: 'AKIA', HOME: '/root' };

describe('command executor', () => {
  it('gives the prompt on stdin, the task in a JSON file outside the workspace, cwd = workspace, a private HOME', async () => {
    const ws = makeRepo(dirs.make());
    const exec = commandExecutor({ kind: 'command', command: [NODE, agent('report-agent.mjs')] }, { hostEnv });
    const r = await exec.execute(task, { workspace: ws, prompt: 'Please edit the app.\n', timeoutMs: 30_000 });
    expect(r.ok).toBe(true);
    const report = JSON.parse(r.output);
    expect(report.stdin).toBe('Please edit the app.\n');
    expect(report.cwd).toBe(ws);
    expect(report.taskFile).toBe(report.env.NIGHTSHIFT_TASK_FILE);
    expect(isInside(report.taskFile, ws)).toBe(false);
    expect(report.task).toMatchObject({ ...task, workspace: ws });
    expect(report.env.HOME).not.toBe('/root');
    expect(isInside(report.env.HOME, ws)).toBe(false);
    expect(report.env.TERM).toBe('dumb');
    expect(isInside(report.env.TMPDIR, ws)).toBe(false);
    // the run directory (task file, HOME) is gone afterwards and nothing landed in the repo
    expect(existsSync(report.taskFile)).toBe(false);
    expect(existsSync(report.env.HOME)).toBe(false);
    expect(gitStatus(ws)).toBe('');
  });

  it('passes allowed variables and never the denied ones, even when allowed', async () => {
    const ws = makeRepo(dirs.make());
    const allowEnv = ['ANTHROPIC_API_KEY', 'DATABASE_URL', 'NATS_URL', 'NIGHTSHIFT_TOKEN', 'PGPASSWORD', 'AWS_ACCESS_KEY_ID'];
    const exec = commandExecutor({ kind: 'command', command: [NODE, agent('report-agent.mjs')] }, { hostEnv, allowEnv });
    const r = await exec.execute(task, { workspace: ws, prompt: 'x', timeoutMs: 30_000 });
    const env = JSON.parse(r.output).env as Record<string, string>;
    expect(env.ANTHROPIC_API_KEY).toBe('sk-test');
    for (const name of ['DATABASE_URL', 'NATS_URL', 'NIGHTSHIFT_TOKEN', 'PGPASSWORD', 'AWS_ACCESS_KEY_ID']) expect(env).not.toHaveProperty(name);
    expect(r.deniedEnv).toEqual(['DATABASE_URL', 'NATS_URL', 'NIGHTSHIFT_TOKEN', 'PGPASSWORD', 'AWS_ACCESS_KEY_ID']);
    expect(JSON.stringify(env)).not.toContain('postgres://');
  });

  it('a script agent really edits the workspace (changed and new files, nothing committed)', async () => {
    const ws = makeRepo(dirs.make());
    const exec = createExecutor({ kind: 'command', command: [NODE, agent('edit-agent.mjs')] });
    const r = await exec.execute(task, { workspace: ws, prompt: 'edit', timeoutMs: 30_000 });
    expect(r).toMatchObject({ ok: true, exitCode: 0 });
    expect(r.output).toContain('edited 2 files');
    expect(readFileSync(join(ws, 'src/app.js'), 'utf8')).toContain('// edited by edit-app attempt 1');
    expect(gitStatus(ws).split('\n').filter(Boolean).sort()).toEqual([' M src/app.js', '?? ADDED.md', '?? src/new/util.js']);
  });

  it('a non-zero exit is an agent-error with the output tail', async () => {
    const ws = makeRepo(dirs.make());
    const exec = commandExecutor({ kind: 'command', command: [NODE, agent('fail-agent.mjs')] }, { maxOutputBytes: 256 });
    const r = await exec.execute(task, { workspace: ws, prompt: 'x', timeoutMs: 30_000 });
    expect(r).toMatchObject({ ok: false, reason: 'agent-error', exitCode: 3 });
    expect(r.output).toContain('ERROR: could not make the tests pass (boom)');
    expect(r.output).toContain('nightshift dropped');
    expect(r.output).toContain('exited with code 3');
  });

  it('a missing program is an agent-error that says so', async () => {
    const ws = makeRepo(dirs.make());
    const r = await commandExecutor({ kind: 'command', command: ['nightshift-no-such-agent'] }).execute(task, { workspace: ws, prompt: 'x' });
    expect(r).toMatchObject({ ok: false, reason: 'agent-error', exitCode: null });
    expect(r.output).toContain("cannot run 'nightshift-no-such-agent'");
  });

  it('a timeout kills the agent tree and is reported as timeout', async () => {
    const ws = makeRepo(dirs.make());
    const pidFile = join(dirs.make(), 'pids');
    const exec = commandExecutor({ kind: 'command', command: [NODE, agent('tree-agent.mjs'), pidFile], timeoutSeconds: 8 }, { killGraceMs: 300 });
    let pids: number[] = [];
    try {
      const r = await exec.execute(task, { workspace: ws, prompt: 'x' });
      pids = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number);
      expect(r).toMatchObject({ ok: false, reason: 'timeout' });
      expect(r.output).toContain('ran longer than 8000 ms');
      for (const p of pids) expect(await waitDead(p)).toBe(true);
    } finally {
      for (const p of pids) killIfAlive(p);
    }
  }, 60_000);
});
