/**
 * An attempt row as read back from the database, validated, in camelCase.
 */
import { z } from 'zod';

export const AttemptStatusSchema = z.enum(['pending', 'running', 'succeeded', 'failed']);
export type AttemptStatus = z.infer<typeof AttemptStatusSchema>;

const date = z.date().nullable();

const RowSchema = z.object({
  spec_id: z.string(),
  task_id: z.string(),
  attempt: z.number().int(),
  status: AttemptStatusSchema,
  worker: z.string().nullable(),
  lease_token: z.string().nullable(),
  lease_expires_at: date,
  heartbeat_at: date,
  base_sha: z.string().nullable(),
  // pg gives a Buffer, PGlite a Uint8Array: both become a Buffer.
  diff: z.instanceof(Uint8Array).nullable().transform((d) => (d === null ? null : Buffer.from(d.buffer, d.byteOffset, d.byteLength))),
  log: z.string().nullable(),
  error: z.string().nullable(),
  reason: z.string().nullable(),
  created_at: z.date(),
  started_at: date,
  finished_at: date,
  timings: z.record(z.string(), z.number()).nullable(),
});

export interface Attempt {
  specId: string;
  taskId: string;
  attempt: number;
  status: AttemptStatus;
  worker: string | null;
  leaseToken: string | null;
  leaseExpiresAt: Date | null;
  heartbeatAt: Date | null;
  baseSha: string | null;
  /** `git diff --binary` output, byte for byte. */
  diff: Buffer | null;
  log: string | null;
  error: string | null;
  reason: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Milliseconds per phase, e.g. `{ agent: 41000, checks: 3000 }`. */
  timings: Record<string, number> | null;
}

export const ATTEMPT_COLUMNS = `spec_id, task_id, attempt, status, worker, lease_token, lease_expires_at, heartbeat_at,
  base_sha, diff, log, error, reason, created_at, started_at, finished_at, timings`;

/** Validates one raw row. */
export function toAttempt(raw: unknown): Attempt {
  const r = RowSchema.parse(raw);
  return {
    specId: r.spec_id,
    taskId: r.task_id,
    attempt: r.attempt,
    status: r.status,
    worker: r.worker,
    leaseToken: r.lease_token,
    leaseExpiresAt: r.lease_expires_at,
    heartbeatAt: r.heartbeat_at,
    baseSha: r.base_sha,
    diff: r.diff,
    log: r.log,
    error: r.error,
    reason: r.reason,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    timings: r.timings,
  };
}
