/**
 * Whether a failed task is tried again, and after how long. Pure: the clock
 * and the randomness come from the caller.
 */
import type { FailureReason } from '../events/catalog.ts';

/**
 * Which failure reasons a retry can help, and why. A reason missing here is
 * not retryable.
 *
 * | reason | retry | why |
 * | --- | --- | --- |
 * | agent-error | yes | the agent crashed or exited non-zero; a fresh run with the error as a hint often succeeds |
 * | timeout | yes | the agent or a check ran out of time; the hint asks for a smaller change |
 * | check-failed | yes | the main case: the checks' output and similar resolutions go into the prompt |
 * | empty-diff | yes | the agent changed nothing; the hint says so |
 * | conflict | yes | the integration branch moved; the retry re-runs the task on the new head |
 * | review-rejected | yes | a secret, a denied path or an oversize diff; the findings become the hint and the agent can remove them |
 * | dead-letter | no | delivery itself failed max-deliver times; another attempt would loop, a person must look |
 * | internal | no | a nightshift fault that survived the bus's own redeliveries; retrying the task cannot fix it |
 */
export const RETRYABLE_REASONS: Readonly<Record<FailureReason, boolean>> = {
  'agent-error': true,
  timeout: true,
  'check-failed': true,
  'empty-diff': true,
  conflict: true,
  'review-rejected': true,
  'dead-letter': false,
  internal: false,
};

/** First backoff ceiling. @default 1000 ms */
export const DEFAULT_RETRY_BASE_MS = 1000;
/** Largest backoff. @default 60000 ms */
export const DEFAULT_RETRY_CAP_MS = 60_000;

export interface RetryInput {
  reason: FailureReason;
  /** The attempt that failed, 1-based. */
  attempt: number;
  /** Attempts allowed in all (the task's `maxAttempts`). */
  maxAttempts: number;
  /** Returns a number in [0, 1). @default Math.random */
  random?: () => number;
  /** Backoff ceiling after the first failure; doubles per attempt. @default 1000 ms */
  baseMs?: number;
  /** Largest backoff. @default 60000 ms */
  capMs?: number;
}

export type RetryDecision = { decision: 'retry'; delayMs: number } | { decision: 'give-up'; why: string };

/**
 * Retry while attempts are left and the reason is retryable (see
 * `RETRYABLE_REASONS`), after an exponential backoff with full jitter: a
 * uniform delay in [0, min(cap, base * 2^(attempt-1))]. Full jitter spreads the
 * retries of many tasks that failed together (e.g. one bad push on the
 * integration branch) instead of sending them back in lockstep.
 */
export function decideRetry(input: RetryInput): RetryDecision {
  const { reason, attempt, maxAttempts } = input;
  if (!Number.isInteger(attempt) || attempt < 1) return { decision: 'give-up', why: `attempt must be a positive integer, got ${attempt}` };
  if (RETRYABLE_REASONS[reason] !== true) {
    return { decision: 'give-up', why: `a failure of kind "${reason}" is not retryable: another attempt cannot fix it` };
  }
  if (attempt >= maxAttempts) {
    return { decision: 'give-up', why: `attempt ${attempt} of ${maxAttempts} failed (${reason}); no attempts left` };
  }
  const base = Math.max(0, input.baseMs ?? DEFAULT_RETRY_BASE_MS);
  const cap = Math.max(0, input.capMs ?? DEFAULT_RETRY_CAP_MS);
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt - 1, 30));
  // Clamp so a bad random source can never give a negative delay or one past the ceiling.
  const raw = (input.random ?? Math.random)();
  const r = Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : 0;
  return { decision: 'retry', delayMs: Math.round(r * ceiling) };
}
