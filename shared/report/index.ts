/**
 * The mentor's retrospective over the failure history (DESIGN.md: `nightshift
 * report`), and the attempt logs of `nightshift logs`. Plain queries over the
 * state store (Postgres or PGlite); `reportMarkdown` is also what
 * `GET /api/report` serves.
 */
import type { Queryable } from '../db/index.ts';
import { failuresByAgent, failuresByReason, totals, type AgentCount, type ReasonCount, type Totals } from './counts.ts';
import { renderMarkdown } from './markdown.ts';
import { retryRates, type RateRow } from './retries.ts';
import { similarFailures, type SimilarResult } from './similar.ts';
import { slowestTasks, type SlowTask } from './slowest.ts';

export { attemptLogs, lastLines, type AttemptLog } from './logs.ts';
export { parseSince } from './since.ts';
export { DEFAULT_GROUP_DISTANCE } from './similar.ts';
export type { AgentCount, ReasonCount, Totals, RateRow, SimilarResult, SlowTask };

export interface ReportOptions {
  /** Only what happened from this moment on. @default the beginning (everything) */
  since?: Date;
  /** Rows in the similar-failures and slowest-tasks tables. @default 10 */
  limit?: number;
  /** Farthest cosine distance inside a group of similar failures (pgvector). @default 0.25 */
  maxDistance?: number;
  /** The report's "generated at". @default now */
  now?: Date;
}

export interface ReportData {
  generatedAt: string;
  /** ISO time, or null for everything. */
  since: string | null;
  totals: Totals;
  byReason: ReasonCount[];
  byAgent: AgentCount[];
  similar: SimilarResult;
  retries: RateRow[];
  slowest: SlowTask[];
}

const EPOCH = new Date(0);

/** The report's numbers. */
export async function reportData(db: Queryable, options: ReportOptions = {}): Promise<ReportData> {
  const since = options.since ?? EPOCH;
  const limit = options.limit ?? 10;
  return {
    generatedAt: (options.now ?? new Date()).toISOString(),
    since: options.since ? options.since.toISOString() : null,
    totals: await totals(db, since),
    byReason: await failuresByReason(db, since),
    byAgent: await failuresByAgent(db, since),
    similar: await similarFailures(db, since, { limit, ...(options.maxDistance === undefined ? {} : { maxDistance: options.maxDistance }) }),
    retries: await retryRates(db, since),
    slowest: await slowestTasks(db, since, limit),
  };
}

/** The report as markdown. */
export async function reportMarkdown(db: Queryable, options: ReportOptions = {}): Promise<string> {
  return renderMarkdown(await reportData(db, options));
}

export { renderMarkdown };
