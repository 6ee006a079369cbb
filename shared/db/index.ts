/**
 * The state store: open a database (Postgres or embedded PGlite), migrate it,
 * and get the repositories every function uses.
 */
import { attempts } from './repos/attempts.ts';
import { deadLetters } from './repos/dead-letters.ts';
import { failures } from './repos/failures.ts';
import { processedEvents } from './repos/processed-events.ts';
import { retries } from './repos/retries.ts';
import type { Db, Queryable } from './types.ts';

export * from './types.ts';
export { openDb, type OpenDbOptions } from './open.ts';
export { openPostgres, type PostgresOptions } from './postgres.ts';
export { fromPglite, openPglite, type PgliteOptions } from './pglite.ts';
export { migrate, type MigrateOptions, type MigrateResult } from './migrate.ts';
export { MIGRATIONS, type Migration } from './migrations/index.ts';
export * from './repos/attempts.ts';
export * from './repos/dead-letters.ts';
export * from './repos/failures.ts';
export * from './repos/processed-events.ts';
export * from './repos/retries.ts';

/** Every repository over one database (or, for all but `processedEvents`, one transaction). */
export function repositories(db: Db) {
  return {
    processedEvents: processedEvents(db),
    deadLetters: deadLetters(db),
    attempts: attempts(db),
    failures: failures(db),
    retries: retries(db),
  };
}

/** The repositories that run inside a transaction (e.g. the `tx` of `processedEvents.once`). */
export function txRepositories(tx: Queryable) {
  return { deadLetters: deadLetters(tx), attempts: attempts(tx), failures: failures(tx), retries: retries(tx) };
}
