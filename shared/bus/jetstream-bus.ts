/**
 * The bus on NATS JetStream: one stream (file storage) over `specs.>` and
 * `heartbeat.>`, one durable pull consumer per function, the CloudEvent id as
 * the message id for the duplicate window. The connection reconnects forever.
 *
 * The consumer's max_deliver is the adapter's `maxDeliver` plus one: when the
 * last allowed delivery dies without an outcome (a crash, an ack wait that ran
 * out), the extra delivery lets the adapter record the dead letter instead of
 * the server dropping the message silently.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino, type Logger } from 'pino';
import { NightshiftError } from '../errors.ts';
import { subjectOf, toJSON, validateEvent } from '../events/cloudevent.ts';
import type { DeadLetterSink, ProcessedEvents } from '../ports.ts';
import type { NsEvent } from '../runtime/types.ts';
import { ensureConsumer, ensureStream } from './jetstream-setup.ts';
import { JetStreamSubscription } from './jetstream-subscription.ts';
import { MemoryDeadLetters } from './memory-sinks.ts';
import { resolveSubscribe } from './subscribe-options.ts';
import { DEFAULT_DUPLICATE_WINDOW_MS, type Bus, type PublishResult, type StopOptions, type SubscribeOptions, type Subscription } from './types.ts';

export interface JetStreamBusOptions {
  /** NATS server URL(s), for example `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** @default "NIGHTSHIFT" */
  stream?: string;
  /** @default ["specs.>", "heartbeat.>"] */
  subjects?: string[];
  /** @default 2 minutes */
  duplicateWindowMs?: number;
  /** @default "file" */
  storage?: 'file' | 'memory';
  /** Messages older than this leave the stream; 0 keeps them forever. @default 7 days */
  maxAgeMs?: number;
  /** How long a publish waits for the server's ack. @default 5000 ms */
  publishTimeoutMs?: number;
  /** Pause between reconnect attempts (plus up to 50% jitter). @default 500 ms */
  reconnectWaitMs?: number;
  /** Where given-up messages go. @default a new MemoryDeadLetters */
  deadLetters?: DeadLetterSink;
  /** Idempotency per consumer for duplicates after the window. @default none */
  processed?: ProcessedEvents;
  /** Connection name shown by the server. @default "nightshift" */
  name?: string;
  /** @default a silent logger */
  log?: Logger;
}

export class JetStreamBus implements Bus {
  readonly deadLetters: DeadLetterSink;
  private readonly subscriptions = new Set<JetStreamSubscription>();
  private closed = false;

  private constructor(
    readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    private readonly options: JetStreamBusOptions,
    private readonly log: Logger,
  ) {
    this.deadLetters = options.deadLetters ?? new MemoryDeadLetters();
  }

  /** Connects, creates or updates the stream, and returns the bus. Throws BUS_UNAVAILABLE or CONFIG_INVALID. */
  static async connect(options: JetStreamBusOptions): Promise<JetStreamBus> {
    const log = (options.log ?? pino({ level: 'silent' })).child({ bus: 'jetstream' });
    const wait = options.reconnectWaitMs ?? 500;
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: options.servers,
        name: options.name ?? 'nightshift',
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: wait,
        reconnectJitter: Math.floor(wait / 2),
      });
    } catch (err) {
      throw new NightshiftError('BUS_UNAVAILABLE', `cannot connect to NATS at ${String(options.servers)}: ${(err as Error).message}`, { cause: err });
    }
    logStatus(nc, log).catch((err: unknown) => log.warn({ err }, 'stopped watching the NATS connection status'));
    try {
      const jsm = await jetstreamManager(nc);
      const stream = options.stream ?? 'NIGHTSHIFT';
      await ensureStream(jsm, {
        name: stream,
        subjects: options.subjects ?? ['specs.>', 'heartbeat.>'],
        duplicateWindowMs: options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS,
        storage: options.storage ?? 'file',
        maxAgeMs: options.maxAgeMs ?? 7 * 24 * 3600_000,
      });
      const js = jetstream(nc, { timeout: options.publishTimeoutMs ?? 5_000 });
      return new JetStreamBus(nc, js, jsm, stream, options, log);
    } catch (err) {
      await nc.close().catch(() => undefined);
      if (err instanceof NightshiftError) throw err;
      throw new NightshiftError('BUS_UNAVAILABLE', `JetStream is not usable at ${String(options.servers)}: ${(err as Error).message}`, { cause: err });
    }
  }

  async publish(event: NsEvent): Promise<PublishResult> {
    this.assertOpen(`publish ${event.id}`);
    validateEvent(event);
    return this.publishBody(subjectOf(event), toJSON(event), event.id);
  }

  /** Publishes a raw body (not validated) with a message id: for tests of poison messages. */
  async publishRaw(subject: string, body: string, messageId = `raw-${Date.now()}-${Math.random()}`): Promise<PublishResult> {
    this.assertOpen(`publish to ${subject}`);
    return this.publishBody(subject, body, messageId);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.assertOpen(`subscribe ${options.durable}`);
    const ctx = resolveSubscribe(options, { deadLetters: this.deadLetters, processed: this.options.processed, log: this.log });
    const settings = {
      durable: ctx.durable,
      subjects: [...ctx.subjects],
      ackWaitMs: ctx.ackWaitMs,
      maxDeliveries: ctx.maxDeliver + 1,
      multiFilter: serverAtLeast(this.nc.info?.version, 2, 10),
    };
    await ensureConsumer(this.jsm, this.stream, settings);
    const sub = new JetStreamSubscription(this.js, this.jsm, this.stream, ctx, settings, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(sub);
    sub.start();
    this.log.info({ durable: ctx.durable, subjects: ctx.subjects }, 'subscribed');
    return sub;
  }

  async close(options: StopOptions = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop(options)));
    // Drain can wait for a server that is gone; give it a moment, then close hard.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.nc.drain().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 2_000)))]);
    clearTimeout(timer);
    if (!this.nc.isClosed()) await this.nc.close().catch(() => undefined);
  }

  private async publishBody(subject: string, body: string, msgID: string): Promise<PublishResult> {
    try {
      const ack = await this.js.publish(subject, body, { msgID });
      return { duplicate: ack.duplicate };
    } catch (err) {
      throw new NightshiftError('BUS_UNAVAILABLE', `publishing ${msgID} to ${subject} on stream ${this.stream} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new NightshiftError('BUS_CLOSED', `cannot ${what}: this JetStream bus is closed`);
  }
}

/** Logs connection status changes (disconnect, reconnect ...) until the connection closes. */
async function logStatus(nc: NatsConnection, log: Logger): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === 'ping' || s.type === 'reconnecting') log.debug({ status: s }, 'nats status');
    else log.info({ status: s }, `nats ${s.type}`);
  }
}

function serverAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const [ma = 0, mi = 0] = (version ?? '0.0.0').split('.').map((n) => Number.parseInt(n, 10));
  return ma > major || (ma === major && mi >= minor);
}
