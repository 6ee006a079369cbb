import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NightshiftError } from '../../shared/errors.ts';
import { runProcess } from '../../shared/exec/process.ts';
import { NODE, agent, isAlive, killIfAlive, tempDirs, waitDead } from '../fixtures/agents/harness.ts';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent' };

async function waitForFile(path: string, ms = 15_000): Promise<string> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      if (text.endsWith('\n')) return text;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${path} did not appear`);
}

describe('runProcess', () => {
  it('feeds stdin, runs in cwd and returns the exit code and combined output', async () => {
    const cwd = dirs.make();
    const script = 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{console.log("in:"+s);console.error("cwd:"+process.cwd());process.exit(7)})';
    const r = await runProcess([NODE, '-e', script], { cwd, env, stdin: 'hello agent', timeoutMs: 20_000 });
    expect(r.exitCode).toBe(7);
    expect(r.signal).toBeNull();
    expect(r.timedOut).toBe(false);
    expect(r.output).toContain('in:hello agent');
    expect(r.output).toContain(`cwd:${cwd}`);
    expect(r.pid).toBeGreaterThan(0);
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('passes arguments as argv, never through a shell', async () => {
    const cwd = dirs.make();
    const r = await runProcess([NODE, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', '$(touch pwned); echo `id`'], { cwd, env, timeoutMs: 20_000 });
    expect(JSON.parse(r.output.trim())).toEqual(['$(touch pwned); echo `id`']);
    expect(existsSync(join(cwd, 'pwned'))).toBe(false);
  });

  it('kills the whole tree on timeout, including a grandchild that ignores SIGTERM', async () => {
    const cwd = dirs.make();
    const pidFile = join(cwd, 'pids');
    let pids: number[] = [];
    try {
      // 8 s leaves a loaded machine plenty of time to start the tree first.
      const run = runProcess([NODE, agent('tree-agent.mjs'), pidFile], { cwd, env, timeoutMs: 8000, killGraceMs: 300 });
      pids = (await waitForFile(pidFile)).trim().split(' ').map(Number);
      expect(pids).toHaveLength(2);
      expect(pids.every((p) => isAlive(p))).toBe(true);
      const r = await run;
      expect(r.timedOut).toBe(true);
      expect(r.exitCode).toBeNull();
      expect(r.signal).toBe('SIGKILL'); // it ignored SIGTERM, so the grace period ran out
      expect(r.output).toContain('tree started');
      for (const p of pids) expect(await waitDead(p)).toBe(true);
    } finally {
      for (const p of pids) killIfAlive(p);
    }
  }, 60_000);

  it('kills the whole tree when the signal aborts', async () => {
    const cwd = dirs.make();
    const pidFile = join(cwd, 'pids');
    const controller = new AbortController();
    let pids: number[] = [];
    try {
      const run = runProcess([NODE, agent('tree-agent.mjs'), pidFile], { cwd, env, timeoutMs: 60_000, killGraceMs: 300, signal: controller.signal });
      pids = (await waitForFile(pidFile)).trim().split(' ').map(Number);
      controller.abort();
      const r = await run;
      expect(r.aborted).toBe(true);
      expect(r.timedOut).toBe(false);
      for (const p of pids) expect(await waitDead(p)).toBe(true);
    } finally {
      for (const p of pids) killIfAlive(p);
    }
  }, 60_000);

  it('kills what the leader left running in its group when it exits normally', async () => {
    const cwd = dirs.make();
    const r = await runProcess(['sh', '-c', 'sleep 1000 >/dev/null 2>&1 & echo $!'], { cwd, env, timeoutMs: 20_000 });
    const leftover = Number(r.output.trim());
    try {
      expect(r.exitCode).toBe(0);
      expect(r.timedOut).toBe(false);
      expect(await waitDead(leftover)).toBe(true);
    } finally {
      killIfAlive(leftover);
    }
  });

  it('caps 5 MB of output to maxOutputBytes, keeping the head and the tail', async () => {
    const cwd = dirs.make();
    const total = 5 * 1024 * 1024;
    const r = await runProcess([NODE, agent('loud-agent.mjs'), String(total)], { cwd, env, timeoutMs: 60_000, maxOutputBytes: 64 * 1024 });
    expect(r.exitCode).toBe(0);
    expect(r.truncated).toBe(true);
    expect(r.outputBytes).toBeGreaterThanOrEqual(total);
    expect(r.output.startsWith('HEAD-START\n')).toBe(true);
    expect(r.output.endsWith('TAIL-END\n')).toBe(true);
    const dropped = /\[\.\.\. nightshift dropped (\d+) bytes of output here \.\.\.\]/.exec(r.output);
    expect(dropped).not.toBeNull();
    expect(Number(dropped![1])).toBe(r.outputBytes - 64 * 1024);
    expect(Buffer.byteLength(r.output)).toBeLessThan(64 * 1024 + 200);
  }, 60_000);

  it('rejects with EXEC_SPAWN_FAILED when the program or the directory does not exist', async () => {
    const cwd = dirs.make();
    const missing = runProcess(['nightshift-no-such-program'], { cwd, env, timeoutMs: 5000 });
    await expect(missing).rejects.toBeInstanceOf(NightshiftError);
    await expect(missing).rejects.toMatchObject({ code: 'EXEC_SPAWN_FAILED', message: expect.stringContaining('no such program') });
    await expect(runProcess(['true'], { cwd: join(cwd, 'gone'), env, timeoutMs: 5000 })).rejects.toMatchObject({ code: 'EXEC_SPAWN_FAILED' });
    await expect(runProcess([], { cwd, env, timeoutMs: 5000 })).rejects.toMatchObject({ code: 'EXEC_SPAWN_FAILED' });
  });

  it('passes exactly the env it is given', async () => {
    const cwd = dirs.make();
    const r = await runProcess([NODE, '-e', 'console.log(JSON.stringify(Object.keys(process.env).sort()))'], { cwd, env: { ...env, ONLY_THIS: '1' }, timeoutMs: 20_000 });
    expect(JSON.parse(r.output.trim())).toEqual(['HOME', 'ONLY_THIS', 'PATH']);
  });
});
