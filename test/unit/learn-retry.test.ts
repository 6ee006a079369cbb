/**
 * The retry policy: which reasons retry, when attempts run out, and the
 * full-jitter backoff with an injected random source.
 */
import { describe, expect, test } from 'vitest';
import { FAILURE_REASONS } from '../../shared/events/catalog.ts';
import { decideRetry, RETRYABLE_REASONS } from '../../shared/learn/retry-policy.ts';

describe('decideRetry', () => {
  test('every failure reason has a decision; only dead-letter and internal give up at once', () => {
    expect(Object.keys(RETRYABLE_REASONS).sort()).toEqual([...FAILURE_REASONS].sort());
    for (const reason of FAILURE_REASONS) {
      const d = decideRetry({ reason, attempt: 1, maxAttempts: 3, random: () => 0.5 });
      expect(d.decision, reason).toBe(reason === 'dead-letter' || reason === 'internal' ? 'give-up' : 'retry');
    }
    expect(decideRetry({ reason: 'dead-letter', attempt: 1, maxAttempts: 3 })).toMatchObject({ why: expect.stringContaining('dead-letter') });
  });

  test('gives up when the failed attempt was the last one, saying which', () => {
    const d = decideRetry({ reason: 'check-failed', attempt: 3, maxAttempts: 3, random: () => 0 });
    expect(d).toEqual({ decision: 'give-up', why: 'attempt 3 of 3 failed (check-failed); no attempts left' });
    expect(decideRetry({ reason: 'timeout', attempt: 1, maxAttempts: 1 }).decision).toBe('give-up');
    expect(decideRetry({ reason: 'timeout', attempt: 0, maxAttempts: 3 }).decision).toBe('give-up');
  });

  test('the ceiling doubles from 1 s per attempt up to the 60 s cap; random scales within it', () => {
    const top = (attempt: number): number => {
      const d = decideRetry({ reason: 'agent-error', attempt, maxAttempts: 100, random: () => 0.999999 });
      return d.decision === 'retry' ? d.delayMs : -1;
    };
    expect([1, 2, 3, 4, 7, 8, 20].map(top)).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000, 60_000].map((x) => Math.round(x * 0.999999)));
    expect(decideRetry({ reason: 'agent-error', attempt: 3, maxAttempts: 5, random: () => 0.25 })).toEqual({ decision: 'retry', delayMs: 1000 });
    expect(decideRetry({ reason: 'agent-error', attempt: 3, maxAttempts: 5, random: () => 0 })).toEqual({ decision: 'retry', delayMs: 0 });
  });

  test('base and cap are configurable; a broken random source cannot leave the range', () => {
    expect(decideRetry({ reason: 'conflict', attempt: 2, maxAttempts: 5, baseMs: 500, capMs: 600, random: () => 0.5 })).toEqual({ decision: 'retry', delayMs: 300 });
    expect(decideRetry({ reason: 'conflict', attempt: 2, maxAttempts: 5, random: () => 7 })).toEqual({ decision: 'retry', delayMs: 2000 });
    expect(decideRetry({ reason: 'conflict', attempt: 2, maxAttempts: 5, random: () => -1 })).toEqual({ decision: 'retry', delayMs: 0 });
    expect(decideRetry({ reason: 'conflict', attempt: 2, maxAttempts: 5, random: () => Number.NaN })).toEqual({ decision: 'retry', delayMs: 0 });
  });

  test('the default random source stays within the ceiling', () => {
    for (let i = 0; i < 200; i++) {
      const d = decideRetry({ reason: 'empty-diff', attempt: 2, maxAttempts: 3 });
      expect(d.decision).toBe('retry');
      if (d.decision !== 'retry') continue;
      expect(d.delayMs).toBeGreaterThanOrEqual(0);
      expect(d.delayMs).toBeLessThanOrEqual(2000);
    }
  });
});
