/**
 * What the shared database contract suite needs from each adapter's test file.
 */
import type { Db } from '../../shared/db/index.ts';

export interface DbHarness {
  /** A fresh, empty, not yet migrated database that no other test sees. */
  db: Db;
  /** Another handle to the same database: a new pool on Postgres, the same instance on PGlite (one connection). */
  connect(): Promise<Db>;
  /** Whether pgvector is available (PGlite: yes; the test Postgres: no). */
  vectors: boolean;
  /** Closes every handle and removes the database. */
  close(): Promise<void>;
}

export type MakeDbHarness = () => Promise<DbHarness>;

/** Vector dimension the contract suite migrates with: small, to keep the tests light. */
export const TEST_VECTOR_DIM = 8;
