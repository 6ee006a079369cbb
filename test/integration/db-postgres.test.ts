/**
 * The database contract on the real PostgreSQL server (each test in its own
 * schema), plus what only a server has: connection failures.
 */
import { describe, expect, test } from 'vitest';
import { openDb } from '../../shared/db/index.ts';
import { runDbContract } from '../contract/db.contract.ts';
import { makePostgresHarness } from '../helpers/db-postgres.ts';

runDbContract('postgres', makePostgresHarness, { vectors: false });

describe('postgres only', () => {
  test('an unreachable server is reported as DB_UNAVAILABLE, retryable, without the password', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const db = await openDb({ url: 'postgres://someone:s3cret@127.0.0.1:1/nightshift' });
    try {
      expect(db.kind).toBe('postgres');
      const err = await db.query('SELECT 1').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'DB_UNAVAILABLE', retryable: true });
      expect(String((err as Error).message)).not.toContain('s3cret');
    } finally {
      await db.close();
    }
  });
});
