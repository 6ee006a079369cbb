import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandExecutor } from '../../shared/exec/executor.ts';
import { bwrapAvailable } from '../../shared/exec/sandbox.ts';
import type { ExecTask } from '../../shared/exec/types.ts';
import { NODE, agent, makeRepo, tempDirs } from '../fixtures/agents/harness.ts';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());
const task: ExecTask = { specId: 'demo', id: 'sandboxed', title: 'Sandboxed edit', acceptance: [], files: ['src/app.js'], attempt: 1 };

// Registered by what is installed, so the suite says which one ran.
if (bwrapAvailable()) {
  describe('bwrap sandbox (bubblewrap installed)', () => {
    it('runs the agent in the workspace; it edits files there and cannot write outside', async () => {
      const ws = makeRepo(dirs.make());
      const outside = dirs.make();
      const exec = commandExecutor(
        { kind: 'command', command: [NODE, '-e', `require("fs").appendFileSync("src/app.js","// sandboxed\\n");try{require("fs").writeFileSync(${JSON.stringify(join(outside, 'escape'))},"x");console.log("ESCAPED")}catch(e){console.log("blocked",e.code)}`] },
        { sandbox: 'bwrap' },
      );
      const r = await exec.execute(task, { workspace: ws, prompt: 'x', timeoutMs: 30_000 });
      expect(r.ok).toBe(true);
      expect(r.output).toContain('blocked');
      expect(readFileSync(join(ws, 'src/app.js'), 'utf8')).toContain('// sandboxed');
    });

    it('still gives the task file and the prompt', async () => {
      const ws = makeRepo(dirs.make());
      // The agent script lives outside the workspace: bind its folder read-only, as a tool installed elsewhere would be.
      const script = agent('report-agent.mjs');
      const exec = commandExecutor({ kind: 'command', command: [NODE, script] }, { sandbox: 'bwrap', bwrap: { extraBinds: [{ path: dirname(script) }] } });
      const r = await exec.execute(task, { workspace: ws, prompt: 'inside', timeoutMs: 30_000 });
      const report = JSON.parse(r.output);
      expect(report.stdin).toBe('inside');
      expect(report.task.id).toBe('sandboxed');
    });
  });
} else {
  describe('bwrap sandbox (bubblewrap not installed)', () => {
    it("sandbox 'bwrap' fails when the executor is made, naming the package", () => {
      expect(() => commandExecutor({ kind: 'command', command: ['true'] }, { sandbox: 'bwrap' })).toThrow(/Debian package 'bubblewrap'/);
    });
  });
}
