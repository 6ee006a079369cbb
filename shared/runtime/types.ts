/**
 * The contract between a function's handler and the hosts that run it (the
 * HTTP process, the dev runner, the bridge). A handler is a function from an
 * event and a context to the events it emits; it never opens a connection
 * itself: everything it needs arrives in the context.
 */
import type { CloudEvent } from 'cloudevents';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { EventName, FunctionName } from '../events/catalog.ts';
import type { Services } from '../pipeline/services.ts';

/** A nightshift CloudEvent; `data` is the event's ping payload. */
export type NsEvent<P = Record<string, unknown>> = CloudEvent<P>;

export interface FunctionContext {
  log: Logger;
  config: Config;
  /** The clock; tests pass a fixed one. */
  now(): Date;
  /**
   * True when the caller asked for a dry run: the host returns the emitted
   * events without publishing them, and a handler should skip side effects.
   * @default false
   */
  dryRun?: boolean;
  /** The spec store, database, embedder and settings. Pipeline handlers refuse to run without them. @default none */
  services?: Services;
}

export interface NightshiftFunction {
  name: FunctionName;
  /** Event names this function is triggered by (from the catalogue). */
  accepts: readonly EventName[];
  /** Handles one event; returns the events to emit. Must be idempotent. */
  handle(event: NsEvent, ctx: FunctionContext): Promise<NsEvent[]>;
  /** Runs once before the host reports ready (open pools, warm caches). @default none */
  init?(ctx: FunctionContext): Promise<void>;
  /** Runs once after in-flight work has drained on shutdown. @default none */
  shutdown?(ctx: FunctionContext): Promise<void>;
  /** Extra readiness check after init (for example a live database). @default always ready */
  ready?(): boolean | Promise<boolean>;
}
