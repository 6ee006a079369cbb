/**
 * A real pino logger whose JSON lines are kept in memory, so an in-process
 * test can wait for what the code under test logs (as a child-process test
 * reads stdout).
 */
import { pino, type Logger } from 'pino';
import { lineWaiter } from './line-waiter.ts';

export interface CapturedLog {
  log: Logger;
  lines: Record<string, unknown>[];
  /** Resolves with the first line for which `match` is true; rejects after `timeoutMs`. */
  waitFor(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function captureLog(level: pino.LevelWithSilent = 'debug'): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const waiter = lineWaiter(lines, 'the captured log');
  const log = pino(
    { level },
    {
      write(text: string) {
        for (const part of text.split('\n')) if (part.trim()) lines.push(JSON.parse(part) as Record<string, unknown>);
        waiter.notify();
      },
    },
  );
  const waitFor: CapturedLog['waitFor'] = (match, timeoutMs = 30_000) => waiter.waitFor(match, timeoutMs);
  return { log, lines, waitFor };
}
