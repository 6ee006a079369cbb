/**
 * Nak delays. Jitter only ever adds to the nominal delay, so a retried message
 * is never redelivered before the delay its policy names.
 */

/** First delay of the default policy. @default 1000 ms */
export const DEFAULT_BACKOFF_BASE_MS = 1000;
/** Cap of the default policy. @default 60000 ms */
export const DEFAULT_BACKOFF_MAX_MS = 60_000;
/** Largest fraction of the delay added as jitter. @default 0.2 */
export const BACKOFF_JITTER = 0.2;

/**
 * The delay before redelivering a message that failed on delivery number
 * `deliveryCount` (1-based). With `backoffMs` the entry for that delivery is
 * used (the last entry repeats); without it the delay doubles from 1 s up to
 * 60 s. `random` returns a number in [0, 1). @default Math.random
 */
export function nakDelay(deliveryCount: number, backoffMs?: readonly number[], random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(deliveryCount));
  let base: number;
  if (backoffMs && backoffMs.length > 0) {
    base = backoffMs[Math.min(n, backoffMs.length) - 1] ?? 0;
  } else {
    base = Math.min(DEFAULT_BACKOFF_MAX_MS, DEFAULT_BACKOFF_BASE_MS * 2 ** Math.min(n - 1, 30));
  }
  base = Math.max(0, base);
  return Math.round(base + base * BACKOFF_JITTER * random());
}
