/**
 * The database side of learn-from-failure: record a failure with its
 * embedding and find similar resolved ones; record what fixed a task once a
 * retry succeeds.
 */
import { asNightshiftError, NightshiftError } from '../errors.ts';
import { failures, type SimilarFailure } from '../db/repos/failures.ts';
import type { Queryable } from '../db/types.ts';
import type { Embedder } from './embedder.ts';
import { normalizeError } from './normalize.ts';

export interface FailureReport {
  specId: string;
  taskId: string;
  /** The attempt that failed, 1-based. */
  attempt: number;
  /** The failure class, e.g. `check-failed`. */
  reason: string;
  /** The error text as it came (checks' output, agent log tail, review findings). */
  error: string;
  /** The executor that ran. @default none */
  agent?: string;
}

export interface RecordOptions {
  /** How many similar resolved failures to return. @default 5 */
  k?: number;
}

export interface RecordResult {
  failureId: number;
  normalized: string;
  /** Resolved past failures nearest first, never this one. */
  similar: SimilarFailure[];
  /**
   * Set when the search could not run (pgvector missing, embeddings endpoint
   * down or mismatched): the failure is recorded, `similar` is empty, and the
   * retry goes on without hints. The caller should log it.
   */
  searchSkipped?: NightshiftError;
}

/** A database handle (or transaction) plus its vector dimension, to check the embedder against. */
export type LearnDb = Queryable & { readonly vectorDim?: number };

/**
 * Records the failure in `failure_logs` (idempotent per spec/task/attempt),
 * embeds its normalized text, stores the vector in `error_embeddings`, and
 * returns the `k` nearest failures that were later resolved, excluding itself.
 * The embedder is called outside any transaction: a remote one may be slow.
 */
export async function recordAndFindSimilar(db: LearnDb, embedder: Embedder, failure: FailureReport, options: RecordOptions = {}): Promise<RecordResult> {
  const repo = failures(db);
  const normalized = normalizeError(failure.error);
  const failureId = await repo.record({ ...failure, normalized });
  try {
    if (db.vectorDim !== undefined && db.vectorDim !== embedder.dim) {
      throw new NightshiftError(
        'CONFIG_INVALID',
        `embedder ${embedder.id} makes vectors of ${embedder.dim} numbers but error_embeddings holds ${db.vectorDim}: set VECTOR_DIM to match`,
      );
    }
    const [vector] = await embedder.embed([normalized]);
    if (vector === undefined || vector.length !== embedder.dim) {
      throw new NightshiftError('EMBEDDINGS_INVALID', `embedder ${embedder.id} returned no vector of ${embedder.dim} numbers for failure ${failureId}`);
    }
    await repo.storeEmbedding(failureId, vector);
    const similar = await repo.similar(vector, options.k ?? 5, { resolvedOnly: true, excludeId: failureId });
    return { failureId, normalized, similar };
  } catch (err) {
    const e = asNightshiftError(err);
    // Learning is an aid: without vectors or embeddings the retry still happens, just without hints.
    const degradable = ['DB_PGVECTOR_MISSING', 'EMBEDDINGS_FAILED', 'EMBEDDINGS_INVALID', 'CONFIG_INVALID'];
    if (!degradable.includes(e.code)) throw e;
    return { failureId, normalized, similar: [], searchSkipped: e };
  }
}

/** Longest stored resolution, in characters. @default 4000 */
export const MAX_RESOLUTION_CHARS = 4000;

export interface Resolution {
  specId: string;
  taskId: string;
  /** What fixed it: e.g. the successful attempt's summary, commit message or changed files. */
  resolution: string;
}

/**
 * Marks every open failure of the task resolved with `resolution` (its retry
 * succeeded), so the next similar failure gets it as a hint. Returns how many
 * failures it resolved; 0 when the task never failed or was already resolved.
 */
export async function recordResolution(db: Queryable, r: Resolution): Promise<number> {
  const text = r.resolution.trim();
  if (text === '') {
    throw new NightshiftError('INTERNAL', `the resolution of ${r.specId}/${r.taskId} is empty; say what fixed it`, { retryable: false });
  }
  const capped = text.length > MAX_RESOLUTION_CHARS ? `${text.slice(0, MAX_RESOLUTION_CHARS - 1)}…` : text;
  return failures(db).resolveTask(r.specId, r.taskId, capped);
}
