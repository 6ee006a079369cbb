/**
 * Attempts of a task, handed to workers under a lease. Lease times come from
 * the database clock (`now()`), never from a worker's clock. Finishing an
 * attempt is a compare-and-set on the lease token: a worker whose attempt was
 * re-claimed by another after its lease ran out is refused and records nothing.
 */
import { randomUUID } from 'node:crypto';
import { NightshiftError } from '../../errors.ts';
import type { Queryable } from '../types.ts';
import { ATTEMPT_COLUMNS, toAttempt, type Attempt } from './attempt-row.ts';

export type { Attempt, AttemptStatus } from './attempt-row.ts';

export interface AttemptKey {
  specId: string;
  taskId: string;
  attempt: number;
}

/** A claimed attempt: keep `token` to heartbeat and finish it. */
export interface Lease extends AttemptKey {
  token: string;
  /** When the lease runs out, by the database clock. */
  expiresAt: Date;
}

export interface AttemptResult {
  /** `git diff --binary` output (a string is stored as UTF-8). @default none */
  diff?: Uint8Array | string;
  log?: string;
  /** The commit the workspace started from. @default unchanged */
  baseSha?: string;
  timings?: Record<string, number>;
}

export interface AttemptFailure {
  error: string;
  /** Short class of failure, e.g. `timeout`, `checks`, `conflict`. @default none */
  reason?: string;
  log?: string;
  baseSha?: string;
  timings?: Record<string, number>;
}

export interface AttemptsRepo {
  /** Adds a pending attempt; true when new, false when it already existed (left as it was). */
  create(specId: string, taskId: string, attempt: number): Promise<boolean>;
  /** Adds many pending attempts of one spec in one statement; returns how many were new. */
  createMany(specId: string, keys: readonly { taskId: string; attempt: number }[]): Promise<number>;
  /**
   * Claims one attempt for `worker` for `leaseMs`: the oldest pending one, or
   * one whose lease ran out; or exactly `key` when given. Null when there is
   * nothing to claim (or `key` is held by a live lease or already finished).
   */
  claim(worker: string, leaseMs: number, key?: AttemptKey): Promise<Lease | null>;
  /** Extends the lease by `leaseMs` from now; false when the token no longer holds the attempt. */
  heartbeat(token: string, leaseMs: number): Promise<boolean>;
  /**
   * Marks the attempt succeeded with its result; false (and nothing written)
   * when the token no longer holds it. A lease that ran out but was not yet
   * re-claimed still holds: nobody else has the attempt, so the work is kept.
   */
  complete(token: string, result: AttemptResult): Promise<boolean>;
  /** Marks the attempt failed; false (and nothing written) when the token no longer holds it. */
  fail(token: string, failure: AttemptFailure): Promise<boolean>;
  /**
   * Gives a claimed attempt back (status `pending`, no lease) after the worker
   * hit a fault of its own, so a redelivery can claim it at once instead of
   * waiting for the lease to run out. False when the token no longer holds it.
   */
  release(token: string): Promise<boolean>;
  /**
   * Marks a finished attempt failed after a later stage refused its result
   * (a conflict, a review finding, a dead letter). True when it changed the row;
   * false when it was already failed (the first reason is kept) or does not exist.
   */
  markFailed(key: AttemptKey, failure: AttemptFailure): Promise<boolean>;
  get(key: AttemptKey): Promise<Attempt | null>;
  /**
   * Every attempt of a spec, by task and attempt, in one round trip: without
   * their diffs, and without their logs unless `withLogs` (a log may be 1 MiB,
   * and the reconcile reads this often).
   */
  listForSpec(specId: string, options?: { withLogs?: boolean }): Promise<Attempt[]>;
  /** Running attempts whose lease has run out, oldest expiry first (for recovery). */
  expired(): Promise<Attempt[]>;
}

function checkLeaseMs(leaseMs: number): void {
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
    throw new NightshiftError('INTERNAL', `lease length must be a positive number of milliseconds, got ${leaseMs}`, { retryable: false });
  }
}

const toBytes = (diff: Uint8Array | string | undefined): Uint8Array | null =>
  diff === undefined ? null : typeof diff === 'string' ? Buffer.from(diff, 'utf8') : diff;

const CLAIMABLE = `(status = 'pending' OR (status = 'running' AND lease_expires_at <= now()))`;

/** Attempts repository over `q`. */
export function attempts(q: Queryable): AttemptsRepo {
  async function finish(token: string, status: 'succeeded' | 'failed', f: AttemptResult & Partial<AttemptFailure>): Promise<boolean> {
    const res = await q.query(
      `UPDATE attempts SET status = $2, finished_at = now(), diff = $3, log = $4, error = $5, reason = $6,
              base_sha = COALESCE($7, base_sha), timings = $8::jsonb
        WHERE lease_token = $1 AND status = 'running'`,
      [token, status, toBytes(f.diff), f.log ?? null, f.error ?? null, f.reason ?? null, f.baseSha ?? null, f.timings === undefined ? null : JSON.stringify(f.timings)],
    );
    return res.rowCount === 1;
  }

  return {
    async create(specId, taskId, attempt) {
      const res = await q.query(
        `INSERT INTO attempts (spec_id, task_id, attempt) VALUES ($1, $2, $3)
         ON CONFLICT (spec_id, task_id, attempt) DO NOTHING`,
        [specId, taskId, attempt],
      );
      return res.rowCount > 0;
    },

    async createMany(specId, keys) {
      if (keys.length === 0) return 0;
      const res = await q.query(
        `INSERT INTO attempts (spec_id, task_id, attempt)
         SELECT $1, t, a FROM unnest($2::text[], $3::int[]) AS k(t, a)
         ON CONFLICT (spec_id, task_id, attempt) DO NOTHING`,
        [specId, keys.map((k) => k.taskId), keys.map((k) => k.attempt)],
      );
      return res.rowCount;
    },

    async claim(worker, leaseMs, key) {
      checkLeaseMs(leaseMs);
      const token = randomUUID();
      const params: unknown[] = [worker, token, leaseMs];
      let only = '';
      if (key !== undefined) {
        params.push(key.specId, key.taskId, key.attempt);
        only = 'AND spec_id = $4 AND task_id = $5 AND attempt = $6';
      }
      // SKIP LOCKED: concurrent claimers pass over a row another is taking
      // instead of queueing behind it, so each attempt goes to exactly one.
      const res = await q.query<{ spec_id: string; task_id: string; attempt: number; lease_expires_at: Date }>(
        `UPDATE attempts
            SET status = 'running', worker = $1, lease_token = $2, heartbeat_at = now(), started_at = now(),
                lease_expires_at = now() + $3::double precision * interval '1 millisecond'
          WHERE id = (SELECT id FROM attempts WHERE ${CLAIMABLE} ${only}
                       ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING spec_id, task_id, attempt, lease_expires_at`,
        params,
      );
      const row = res.rows[0];
      if (row === undefined) return null;
      return { token, specId: row.spec_id, taskId: row.task_id, attempt: row.attempt, expiresAt: row.lease_expires_at };
    },

    async heartbeat(token, leaseMs) {
      checkLeaseMs(leaseMs);
      const res = await q.query(
        `UPDATE attempts SET heartbeat_at = now(), lease_expires_at = now() + $2::double precision * interval '1 millisecond'
          WHERE lease_token = $1 AND status = 'running'`,
        [token, leaseMs],
      );
      return res.rowCount === 1;
    },

    complete: (token, result) => finish(token, 'succeeded', result),
    fail: (token, failure) => finish(token, 'failed', failure),

    async release(token) {
      const res = await q.query(
        `UPDATE attempts SET status = 'pending', worker = NULL, lease_token = NULL, lease_expires_at = NULL
          WHERE lease_token = $1 AND status = 'running'`,
        [token],
      );
      return res.rowCount === 1;
    },

    async markFailed(key, f) {
      const res = await q.query(
        `UPDATE attempts SET status = 'failed', error = $4, reason = $5, finished_at = COALESCE(finished_at, now()),
                lease_token = NULL, lease_expires_at = NULL, log = COALESCE($6, log)
          WHERE spec_id = $1 AND task_id = $2 AND attempt = $3 AND status <> 'failed'`,
        [key.specId, key.taskId, key.attempt, f.error, f.reason ?? null, f.log ?? null],
      );
      return res.rowCount === 1;
    },

    async listForSpec(specId, options = {}) {
      let columns = ATTEMPT_COLUMNS.replace(/\bdiff\b/, 'NULL::bytea AS diff');
      if (!options.withLogs) columns = columns.replace(/\blog\b/, 'NULL::text AS log');
      const res = await q.query(`SELECT ${columns} FROM attempts WHERE spec_id = $1 ORDER BY task_id, attempt`, [specId]);
      return res.rows.map(toAttempt);
    },

    async get(key) {
      const res = await q.query(`SELECT ${ATTEMPT_COLUMNS} FROM attempts WHERE spec_id = $1 AND task_id = $2 AND attempt = $3`, [
        key.specId,
        key.taskId,
        key.attempt,
      ]);
      return res.rows[0] === undefined ? null : toAttempt(res.rows[0]);
    },

    async expired() {
      const res = await q.query(
        `SELECT ${ATTEMPT_COLUMNS} FROM attempts WHERE status = 'running' AND lease_expires_at <= now() ORDER BY lease_expires_at, id`,
      );
      return res.rows.map(toAttempt);
    },
  };
}
