/**
 * Executors: run an agent on one task in a workspace. The prompt goes to
 * stdin, the task goes to a JSON file outside the workspace named by
 * NIGHTSHIFT_TASK_FILE, HOME and TMPDIR are private to the run, and the env
 * is built from scratch (env.ts). Agents never commit: develop-task captures
 * the diff of the workspace after the run.
 */
import { isAbsolute } from 'node:path';
import type { Agent } from '../spec/schema.ts';
import { NightshiftError } from '../errors.ts';
import { buildAgentEnv } from './env.ts';
import { runProcess } from './process.ts';
import type { RunProcessResult } from './process.ts';
import { presetArgv } from './presets.ts';
import type { PresetAgent } from './presets.ts';
import { createRunDir } from './run-dir.ts';
import type { RunDir } from './run-dir.ts';
import { assertSandboxAvailable, bwrapArgv } from './sandbox.ts';
import type { BwrapOptions, SandboxMode } from './sandbox.ts';
import type { ExecContext, ExecResult, ExecTask, Executor } from './types.ts';

/** Agent timeout when neither the context nor the agent sets one. @default 1800 s */
export const DEFAULT_AGENT_TIMEOUT_MS = 1800 * 1000;

export interface ExecutorOptions {
  /** Host variables passed to the agent (API keys a person chose to pass); the denylist still wins. @default [] */
  allowEnv?: readonly string[];
  /** Where allowed variables, PATH and LANG are read from. @default process.env */
  hostEnv?: Readonly<Record<string, string | undefined>>;
  /** Output kept per run (head and tail). @default 1 MiB */
  maxOutputBytes?: number;
  /** Time between SIGTERM and SIGKILL on timeout. @default 2000 ms */
  killGraceMs?: number;
  /** @default "none" */
  sandbox?: SandboxMode;
  /** bwrap settings other than workspace and run dir. */
  bwrap?: Omit<BwrapOptions, 'workspace' | 'runDir'>;
  /** Parent of the per-run directories (must be outside workspaces). @default os.tmpdir() */
  runDirParent?: string;
}

type CommandAgent = Extract<Agent, { kind: 'command' }>;
type ArgvBuilder = (task: ExecTask, run: RunDir, promptFile: string) => string[];

/** Runs `agent.command` (an argv array, never a shell string) as the agent. */
export function commandExecutor(agent: CommandAgent, options: ExecutorOptions = {}): Executor {
  return makeExecutor(`command:${agent.command[0]}`, agent.timeoutSeconds, () => [...agent.command], options);
}

/** Runs one of the known coding CLIs (claude, codex, opencode, aider) with its non-interactive argv. */
export function presetExecutor(agent: PresetAgent, options: ExecutorOptions = {}): Executor {
  return makeExecutor(
    agent.kind,
    agent.timeoutSeconds,
    (task, run, promptFile) => presetArgv(agent, { promptFile, runDir: run.root, files: task.files }),
    options,
  );
}

/** The executor for any spec `agent`. */
export function createExecutor(agent: Agent, options: ExecutorOptions = {}): Executor {
  return agent.kind === 'command' ? commandExecutor(agent, options) : presetExecutor(agent, options);
}

function makeExecutor(name: string, timeoutSeconds: number | undefined, argvFor: ArgvBuilder, options: ExecutorOptions): Executor {
  const sandbox = options.sandbox ?? 'none';
  // Fail when the executor is made (at start-up), not on the first task.
  assertSandboxAvailable(sandbox, options.bwrap?.bwrapPath);
  return {
    name,
    async execute(task, ctx) {
      if (!isAbsolute(ctx.workspace)) {
        throw new NightshiftError('EXEC_SPAWN_FAILED', `the workspace must be an absolute path, got '${ctx.workspace}'`);
      }
      const run = await createRunDir(ctx.workspace, options.runDirParent);
      try {
        const taskFile = await run.write('task.json', `${JSON.stringify({ ...task, workspace: ctx.workspace }, null, 2)}\n`);
        const promptFile = await run.write('prompt.md', ctx.prompt);
        const { env, denied } = buildAgentEnv({
          home: run.home,
          tmpDir: run.tmp,
          taskFile,
          allowEnv: options.allowEnv ?? [],
          hostEnv: options.hostEnv ?? process.env,
        });
        let argv = argvFor(task, run, promptFile);
        if (sandbox === 'bwrap') argv = bwrapArgv(argv, { ...options.bwrap, workspace: ctx.workspace, runDir: run.root });
        const timeoutMs = ctx.timeoutMs ?? (timeoutSeconds === undefined ? DEFAULT_AGENT_TIMEOUT_MS : timeoutSeconds * 1000);
        let result: RunProcessResult;
        try {
          result = await runProcess(argv, {
            cwd: ctx.workspace,
            stdin: ctx.prompt,
            env,
            timeoutMs,
            ...(options.maxOutputBytes === undefined ? {} : { maxOutputBytes: options.maxOutputBytes }),
            ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
            ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
          });
        } catch (err) {
          // The agent program is missing or not executable: the task cannot
          // run as configured, which is the agent's failure, not the host's.
          if (err instanceof NightshiftError && err.code === 'EXEC_SPAWN_FAILED') {
            return { ok: false, reason: 'agent-error', exitCode: null, signal: null, output: err.message, durationMs: 0, deniedEnv: denied };
          }
          throw err;
        }
        return toExecResult(result, timeoutMs, denied);
      } finally {
        await run.dispose();
      }
    },
  };
}

function toExecResult(r: RunProcessResult, timeoutMs: number, deniedEnv: string[]): ExecResult {
  const base = { exitCode: r.exitCode, signal: r.signal, durationMs: r.durationMs, deniedEnv };
  if (r.timedOut) {
    return { ...base, ok: false, reason: 'timeout', output: `${r.output}\n[nightshift: the agent ran longer than ${timeoutMs} ms and was killed]\n` };
  }
  if (r.aborted) return { ...base, ok: false, reason: 'internal', output: `${r.output}\n[nightshift: the run was aborted]\n` };
  if (r.exitCode === 0) return { ...base, ok: true, output: r.output };
  const how = r.exitCode === null ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`;
  return { ...base, ok: false, reason: 'agent-error', output: `${r.output}\n[nightshift: the agent ${how}]\n` };
}
