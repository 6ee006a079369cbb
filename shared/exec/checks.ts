/**
 * Runs a spec's checks (argv arrays) in a tree, one after the other, through
 * the same process runner as the agents. Stops at the first failure: the
 * later checks would run on a tree already known to be bad, cost time, and
 * bury the first error that the retry prompt needs.
 */
import type { Check } from '../spec/schema.ts';
import { NightshiftError } from '../errors.ts';
import { buildAgentEnv, filterDeniedEnv } from './env.ts';
import { runProcess } from './process.ts';
import { createRunDir } from './run-dir.ts';
import type { RunDir } from './run-dir.ts';

/** Per-check timeout when the check sets none. @default 600 s */
export const DEFAULT_CHECK_TIMEOUT_MS = 600 * 1000;
/** Output kept per check. @default 256 KiB */
export const DEFAULT_CHECK_OUTPUT_BYTES = 256 * 1024;

export interface RunChecksOptions {
  /** The tree the checks run in (a workspace or a candidate worktree). */
  cwd: string;
  /**
   * The checks' environment. Denied names are removed even here. @default a
   * scratch env (buildAgentEnv) with a private HOME and TMPDIR
   */
  env?: Record<string, string>;
  /** Timeout of a check that sets no `timeoutSeconds`. @default 600 s */
  timeoutMs?: number;
  /** @default 256 KiB per check */
  maxOutputBytes?: number;
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL. @default 2000 ms */
  killGraceMs?: number;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  exitCode: number | null;
  timedOut: boolean;
  output: string;
  durationMs: number;
}

export interface ChecksResult {
  /** True when every check passed (or there were none). */
  ok: boolean;
  /** Results in order, up to and including the first failure. */
  results: CheckResult[];
  /** The first failing check, if any. */
  failed?: CheckResult;
  /** Names of the checks not run because an earlier one failed. */
  notRun: string[];
}

/** Runs `checks` in order in `options.cwd`, stopping at the first failure. */
export async function runChecks(checks: readonly Check[], options: RunChecksOptions): Promise<ChecksResult> {
  const results: CheckResult[] = [];
  let scratch: RunDir | undefined;
  try {
    let env: Record<string, string>;
    if (options.env !== undefined) env = filterDeniedEnv(options.env);
    else {
      scratch = await createRunDir(options.cwd);
      env = buildAgentEnv({ home: scratch.home, tmpDir: scratch.tmp }).env;
    }
    for (const [i, check] of checks.entries()) {
      const result = await runOne(check, env, options);
      results.push(result);
      if (!result.ok) return { ok: false, results, failed: result, notRun: checks.slice(i + 1).map((c) => c.name) };
      if (options.signal?.aborted) break;
    }
    const notRun = checks.slice(results.length).map((c) => c.name);
    return { ok: notRun.length === 0, results, notRun };
  } finally {
    await scratch?.dispose();
  }
}

async function runOne(check: Check, env: Record<string, string>, options: RunChecksOptions): Promise<CheckResult> {
  const timeoutMs = check.timeoutSeconds === undefined ? (options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS) : check.timeoutSeconds * 1000;
  try {
    const r = await runProcess(check.run, {
      cwd: options.cwd,
      env,
      timeoutMs,
      maxOutputBytes: options.maxOutputBytes ?? DEFAULT_CHECK_OUTPUT_BYTES,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    });
    let output = r.output;
    if (r.timedOut) output += `\n[nightshift: check '${check.name}' ran longer than ${timeoutMs} ms and was killed]\n`;
    else if (r.aborted) output += `\n[nightshift: check '${check.name}' was aborted]\n`;
    else if (r.exitCode !== 0) output += `\n[nightshift: check '${check.name}' ${r.exitCode === null ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`}]\n`;
    return { name: check.name, ok: r.exitCode === 0 && !r.timedOut && !r.aborted, exitCode: r.exitCode, timedOut: r.timedOut, output, durationMs: r.durationMs };
  } catch (err) {
    // A check whose program is missing is a failed check, said in plain words.
    if (err instanceof NightshiftError && err.code === 'EXEC_SPAWN_FAILED') {
      return { name: check.name, ok: false, exitCode: null, timedOut: false, output: err.message, durationMs: 0 };
    }
    throw err;
  }
}
