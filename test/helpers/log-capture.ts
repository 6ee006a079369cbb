/**
 * A real pino logger whose JSON lines are kept in memory, so an in-process
 * test can wait for what the code under test logs (as a child-process test
 * reads stdout).
 */
import { pino, type Logger } from 'pino';

export interface CapturedLog {
  log: Logger;
  lines: Record<string, unknown>[];
  /** Resolves with the first line for which `match` is true; rejects after `timeoutMs`. */
  waitFor(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function captureLog(level: pino.LevelWithSilent = 'debug'): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  const log = pino(
    { level },
    {
      write(text: string) {
        for (const part of text.split('\n')) if (part.trim()) lines.push(JSON.parse(part) as Record<string, unknown>);
        for (const wake of waiters) wake();
      },
    },
  );
  const waitFor: CapturedLog['waitFor'] = (match, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      const wake = (): void => {
        const found = lines.find(match);
        if (!found) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching log line within ${timeoutMs} ms; lines so far:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`));
      }, timeoutMs);
      waiters.add(wake);
      wake();
    });
  return { log, lines, waitFor };
}
