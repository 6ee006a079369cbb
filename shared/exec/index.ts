/**
 * Executors and checks: the process runner (process-group kills, capped
 * output), the from-scratch agent environment, the command and preset
 * executors, the agent prompt, the check runner and the optional bwrap sandbox.
 */
export { runProcess } from './process.ts';
export type { RunProcessOptions, RunProcessResult } from './process.ts';
export { OutputCapture, DEFAULT_MAX_OUTPUT_BYTES, droppedMarker } from './output-capture.ts';
export { buildAgentEnv, filterDeniedEnv, isDeniedEnvName, DENIED_ENV, TASK_FILE_ENV, DEFAULT_PATH } from './env.ts';
export type { AgentEnv, AgentEnvOptions } from './env.ts';
export { createRunDir, isInside } from './run-dir.ts';
export type { RunDir } from './run-dir.ts';
export { buildPrompt, MAX_PREVIOUS_ERROR_CHARS } from './prompt.ts';
export type { PromptOptions } from './prompt.ts';
export { presetArgv, PRESET_PROMPT_INPUT } from './presets.ts';
export type { PresetAgent, PresetContext, PresetName } from './presets.ts';
export { commandExecutor, presetExecutor, createExecutor, DEFAULT_AGENT_TIMEOUT_MS } from './executor.ts';
export type { ExecutorOptions } from './executor.ts';
export { runChecks, DEFAULT_CHECK_TIMEOUT_MS, DEFAULT_CHECK_OUTPUT_BYTES } from './checks.ts';
export type { CheckResult, ChecksResult, RunChecksOptions } from './checks.ts';
export { bwrapArgv, assertSandboxAvailable, bwrapAvailable, BWRAP_PATH } from './sandbox.ts';
export type { BwrapOptions, SandboxMode } from './sandbox.ts';
export { toExecTask } from './types.ts';
export type { ExecContext, ExecResult, ExecTask, Executor } from './types.ts';
