/** `nightshift migrate`: applies the versioned SQL migrations and reports what it did. */
import { join } from 'node:path';
import type { Config } from '../shared/config.ts';
import { migrate, openDb } from '../shared/db/index.ts';

export async function runMigrate(config: Config, options: { json: boolean }): Promise<number> {
  const db = await openDb({ url: config.DATABASE_URL, dataDir: config.DATABASE_URL ? undefined : join(config.NIGHTSHIFT_HOME, 'pglite'), vectorDim: config.VECTOR_DIM });
  try {
    const result = await migrate(db, { vectorDim: config.VECTOR_DIM });
    // Named as `applied` names them (`002_vector_embeddings`), so the two lists read alike.
    const skipped = result.skipped.map((s) => ({ migration: `${String(s.version).padStart(3, '0')}_${s.name}`, reason: s.error.message }));
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ database: db.kind, applied: result.applied, skipped, vector: result.vector })}\n`);
    } else {
      process.stdout.write(`database: ${db.kind}\n`);
      process.stdout.write(result.applied.length ? `applied: ${result.applied.join(', ')}\n` : 'applied: nothing (up to date)\n');
      for (const s of skipped) process.stdout.write(`skipped ${s.migration}: ${s.reason}\n`);
    }
    return 0;
  } finally {
    await db.close();
  }
}
