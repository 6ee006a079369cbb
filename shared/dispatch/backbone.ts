/**
 * Opens what the dev runner and the bridge stand on: the state store
 * (Postgres when DATABASE_URL is set, else PGlite under NIGHTSHIFT_HOME) with
 * migrations applied, and the bus (JetStream when NATS_URL is set, else the
 * in-process bus) whose dead letters and processed events live in that store.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { JetStreamBus, MemoryBus, type Bus } from '../bus/index.ts';
import type { Config } from '../config.ts';
import { deadLetters, migrate, openDb, processedEvents, type Db } from '../db/index.ts';
import { NightshiftError } from '../errors.ts';
import { FailingDeadLetters } from './dead-letters.ts';

export interface Backbone {
  db: Db;
  bus: Bus;
  /** "embedded" (PGlite + in-process bus) or what is real. */
  describe: { db: 'postgres' | 'pglite'; bus: 'jetstream' | 'memory' };
  close(graceMs?: number): Promise<void>;
}

export interface BackboneOptions {
  /** Refuse to run without NATS_URL and DATABASE_URL (the bridge). @default false */
  requireServices?: boolean;
}

export async function openBackbone(config: Config, log: Logger, options: BackboneOptions = {}): Promise<Backbone> {
  if (options.requireServices) {
    const missing = (['NATS_URL', 'DATABASE_URL'] as const).filter((k) => config[k] === undefined);
    if (missing.length) throw new NightshiftError('CONFIG_INVALID', `set ${missing.join(' and ')}: this command needs real services`);
  }
  const db = await openDb({ url: config.DATABASE_URL, dataDir: config.DATABASE_URL ? undefined : join(config.NIGHTSHIFT_HOME, 'pglite'), vectorDim: config.VECTOR_DIM });
  try {
    const result = await migrate(db, { vectorDim: config.VECTOR_DIM, log });
    if (result.applied.length) log.info({ applied: result.applied }, 'migrations applied');
    // A skipped migration (pgvector missing) was already logged by migrate() through `log`.
    const sink = new FailingDeadLetters(deadLetters(db), log);
    const common = { deadLetters: sink, processed: processedEvents(db), log };
    const bus: Bus = config.NATS_URL
      ? await JetStreamBus.connect({ servers: config.NATS_URL, stream: config.NATS_STREAM, ...common })
      : new MemoryBus(common);
    sink.bus = bus;
    return {
      db,
      bus,
      describe: { db: db.kind === 'postgres' ? 'postgres' : 'pglite', bus: config.NATS_URL ? 'jetstream' : 'memory' },
      async close(graceMs) {
        try {
          await bus.close({ graceMs });
        } finally {
          await db.close();
        }
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}
