/**
 * Turns a driver error (pg or PGlite) into a NightshiftError that says which
 * statement failed, keeping the SQLSTATE in `details` and the original as `cause`.
 */
import { NightshiftError } from '../errors.ts';

/** SQLSTATE classes where trying again can help: connection loss, shutdown, serialization, deadlock. */
const RETRYABLE_STATES = /^(08|57P|40001|40P01|53)/;

function sqlStateOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** First line of a statement, short enough for a log line. */
export function statementSummary(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}

/** Wraps `err` unless it already is a NightshiftError (a caller's own error inside a transaction). */
export function wrapDbError(err: unknown, where: string): NightshiftError {
  if (err instanceof NightshiftError) return err;
  const state = sqlStateOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const refused = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|Connection terminated/i.test(message);
  if (refused || (state !== undefined && state.startsWith('08'))) {
    return new NightshiftError('DB_UNAVAILABLE', `database unreachable during ${where}: ${message}`, {
      cause: err,
      details: { sqlState: state },
    });
  }
  return new NightshiftError('DB_ERROR', `database error in ${where}: ${message}`, {
    cause: err,
    details: { sqlState: state },
    retryable: state !== undefined && RETRYABLE_STATES.test(state),
  });
}
