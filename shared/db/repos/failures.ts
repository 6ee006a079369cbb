/**
 * Failure history for learn-from-failure: one row per failed attempt, its
 * embedding in pgvector, search by cosine distance, and the resolution that
 * fixed it once a later attempt succeeded.
 */
import { z } from 'zod';
import { NightshiftError } from '../../errors.ts';
import { pgvectorMissingError, serverMajor } from '../pgvector.ts';
import type { Queryable } from '../types.ts';

export interface FailureInput {
  specId: string;
  taskId: string;
  attempt: number;
  /** Short class of failure, e.g. `checks`, `timeout`, `conflict`. */
  reason: string;
  /** The error text as it came. */
  error: string;
  /** The error with paths, numbers, hashes and times taken out (what gets embedded). */
  normalized: string;
  /** The executor that ran, e.g. `command`, `claude`. @default none */
  agent?: string;
}

const RowSchema = z.object({
  id: z.number().int(),
  spec_id: z.string(),
  task_id: z.string(),
  attempt: z.number().int(),
  reason: z.string(),
  error: z.string(),
  normalized: z.string(),
  agent: z.string().nullable(),
  created_at: z.date(),
  resolved_at: z.date().nullable(),
  resolution: z.string().nullable(),
});

export interface Failure extends Omit<FailureInput, 'agent'> {
  id: number;
  agent: string | null;
  createdAt: Date;
  resolvedAt: Date | null;
  resolution: string | null;
}

export interface SimilarFailure extends Failure {
  /** Cosine distance to the query: 0 same direction, 2 opposite. */
  distance: number;
}

export interface SimilarOptions {
  /** Only failures that were later resolved. @default false */
  resolvedOnly?: boolean;
  /** Leave this failure out (usually the one being handled). @default none */
  excludeId?: number;
}

export interface FailuresRepo {
  /** Records a failed attempt and returns its id; recording the same attempt again returns the first id. */
  record(f: FailureInput): Promise<number>;
  /** Stores (or replaces) the embedding of a failure. Throws DB_PGVECTOR_MISSING without pgvector. */
  storeEmbedding(failureId: number, embedding: readonly number[]): Promise<void>;
  /** The `k` nearest failures to `embedding` by cosine distance, nearest first. Throws DB_PGVECTOR_MISSING without pgvector. */
  similar(embedding: readonly number[], k: number, options?: SimilarOptions): Promise<SimilarFailure[]>;
  /** Marks one failure resolved with the text of what fixed it; false when there is no such failure. */
  resolve(failureId: number, resolution: string): Promise<boolean>;
  /** Marks every unresolved failure of a task resolved (its retry succeeded); returns how many. */
  resolveTask(specId: string, taskId: string, resolution: string): Promise<number>;
  get(failureId: number): Promise<Failure | null>;
}

const COLUMNS = 'f.id, f.spec_id, f.task_id, f.attempt, f.reason, f.error, f.normalized, f.agent, f.created_at, f.resolved_at, f.resolution';

function toFailure(raw: unknown): Failure {
  const r = RowSchema.parse(raw);
  return {
    id: r.id, specId: r.spec_id, taskId: r.task_id, attempt: r.attempt, reason: r.reason, error: r.error,
    normalized: r.normalized, agent: r.agent, createdAt: r.created_at, resolvedAt: r.resolved_at, resolution: r.resolution,
  };
}

/** pgvector's text form: `[0.1,0.2,...]`. */
function vectorLiteral(embedding: readonly number[]): string {
  if (embedding.length === 0 || !embedding.every(Number.isFinite)) {
    throw new NightshiftError('INTERNAL', 'an embedding must be a non-empty list of finite numbers', { retryable: false });
  }
  return `[${embedding.join(',')}]`;
}

/** Failures repository over `q`. */
export function failures(q: Queryable): FailuresRepo {
  // The vector table is missing when the pgvector migration was skipped: say how to fix that.
  async function withVectors<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const state = (err as { details?: { sqlState?: string } }).details?.sqlState;
      if (state === '42P01' || state === '42704') throw pgvectorMissingError(await serverMajor(q), err);
      throw err;
    }
  }

  return {
    async record(f) {
      const res = await q.query<{ id: number }>(
        `INSERT INTO failure_logs (spec_id, task_id, attempt, reason, error, normalized, agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (spec_id, task_id, attempt) DO UPDATE SET spec_id = EXCLUDED.spec_id
         RETURNING id`,
        [f.specId, f.taskId, f.attempt, f.reason, f.error, f.normalized, f.agent ?? null],
      );
      // The no-op DO UPDATE makes RETURNING give the existing row's id on a repeat.
      const id = res.rows[0]?.id;
      if (id === undefined) throw new NightshiftError('DB_ERROR', `recording the failure of ${f.specId}/${f.taskId}/${f.attempt} returned no id`);
      return id;
    },

    async storeEmbedding(failureId, embedding) {
      const literal = vectorLiteral(embedding);
      await withVectors(() =>
        q.query(
          `INSERT INTO error_embeddings (failure_id, embedding) VALUES ($1, $2::vector)
           ON CONFLICT (failure_id) DO UPDATE SET embedding = EXCLUDED.embedding`,
          [failureId, literal],
        ),
      );
    },

    async similar(embedding, k, options = {}) {
      const literal = vectorLiteral(embedding);
      const res = await withVectors(() =>
        q.query(
          `SELECT ${COLUMNS}, (e.embedding <=> $1::vector)::float8 AS distance
             FROM error_embeddings e JOIN failure_logs f ON f.id = e.failure_id
            WHERE ($3::boolean IS NOT TRUE OR f.resolved_at IS NOT NULL)
              AND ($4::integer IS NULL OR f.id <> $4)
            ORDER BY e.embedding <=> $1::vector
            LIMIT $2`,
          [literal, Math.max(0, Math.floor(k)), options.resolvedOnly === true, options.excludeId ?? null],
        ),
      );
      return res.rows.map((raw) => ({ ...toFailure(raw), distance: z.number().parse((raw as { distance: unknown }).distance) }));
    },

    async resolve(failureId, resolution) {
      const res = await q.query('UPDATE failure_logs SET resolved_at = now(), resolution = $2 WHERE id = $1', [failureId, resolution]);
      return res.rowCount === 1;
    },

    async resolveTask(specId, taskId, resolution) {
      const res = await q.query(
        'UPDATE failure_logs SET resolved_at = now(), resolution = $3 WHERE spec_id = $1 AND task_id = $2 AND resolved_at IS NULL',
        [specId, taskId, resolution],
      );
      return res.rowCount;
    },

    async get(failureId) {
      const res = await q.query(`SELECT ${COLUMNS} FROM failure_logs f WHERE f.id = $1`, [failureId]);
      return res.rows[0] === undefined ? null : toFailure(res.rows[0]);
    },
  };
}
