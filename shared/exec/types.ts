/**
 * The executor port: what develop-task calls to have an agent work on a task
 * in a workspace. Adapters: the command executor and the CLI presets (both in
 * executor.ts), which differ only in how they build argv.
 */
import type { FailureReason } from '../events/catalog.ts';
import type { Spec, Task } from '../spec/schema.ts';

/** The task as the agent receives it, in the JSON file named by NIGHTSHIFT_TASK_FILE. */
export interface ExecTask {
  specId: string;
  id: string;
  title: string;
  description?: string;
  acceptance: string[];
  /** Files (or globs) the task owns. */
  files: string[];
  /** 1 for the first try. */
  attempt: number;
  /** Resolutions of similar past failures (learn-from-failure). */
  hints?: string[];
  /** The error of the previous attempt, when this is a retry. */
  previousError?: string;
}

export interface ExecContext {
  /** Absolute path of the workspace; the agent runs with it as cwd. */
  workspace: string;
  /** Text written to the agent's stdin (see buildPrompt). */
  prompt: string;
  /** Overrides the agent's timeoutSeconds. @default agent.timeoutSeconds, else 1800 s */
  timeoutMs?: number;
  /** Aborting kills the agent's process tree. */
  signal?: AbortSignal;
}

export interface ExecResult {
  ok: boolean;
  /**
   * Why it failed: `agent-error` (non-zero exit, killed by a signal, could not
   * start), `timeout`, or `internal` when the run was aborted by the host.
   */
  reason?: Extract<FailureReason, 'agent-error' | 'timeout' | 'internal'>;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Combined stdout and stderr, head and tail kept. */
  output: string;
  durationMs: number;
  /** Names the allowlist asked for that the denylist removed. */
  deniedEnv: string[];
}

export interface Executor {
  /** For logs: `command:<program>` or the preset's name. */
  readonly name: string;
  execute(task: ExecTask, ctx: ExecContext): Promise<ExecResult>;
}

/** Builds the ExecTask for one attempt of `task` in `spec`. */
export function toExecTask(
  spec: Pick<Spec, 'id'>,
  task: Pick<Task, 'id' | 'title' | 'description' | 'acceptance' | 'files'>,
  extra: { attempt: number; hints?: string[]; previousError?: string },
): ExecTask {
  const out: ExecTask = {
    specId: spec.id,
    id: task.id,
    title: task.title,
    acceptance: [...task.acceptance],
    files: [...task.files],
    attempt: extra.attempt,
  };
  if (task.description !== undefined) out.description = task.description;
  if (extra.hints !== undefined && extra.hints.length > 0) out.hints = [...extra.hints];
  if (extra.previousError !== undefined) out.previousError = extra.previousError;
  return out;
}
