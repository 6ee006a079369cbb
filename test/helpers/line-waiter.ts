/**
 * Waiting for a line that matches, among lines that keep arriving (a child's
 * output, a captured log): `notify()` after each new line, `waitFor(match)`
 * resolves with the first match, or rejects after the time-out listing every
 * line seen so far.
 */
export interface LineWaiter<T> {
  notify(): void;
  waitFor(match: (line: T) => boolean, timeoutMs: number): Promise<T>;
}

export function lineWaiter<T>(lines: readonly T[], what: string): LineWaiter<T> {
  const waiters = new Set<() => void>();
  return {
    notify() {
      for (const wake of waiters) wake();
    },
    waitFor(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        const wake = (): void => {
          const found = lines.find(match);
          if (found === undefined) return;
          done();
          resolve(found);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching line within ${timeoutMs} ms from ${what}; lines so far:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`));
        }, timeoutMs);
        waiters.add(wake);
        wake();
      });
    },
  };
}
