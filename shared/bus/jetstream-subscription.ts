/**
 * The consumer loop of one JetStream subscription: pull as many messages as
 * there are free slots, hand each to `processDelivery`, and start over after
 * any error. Fetches end or fail when the server goes away; the loop simply
 * fetches again, so it survives server restarts and reconnects.
 */
import type { Consumer, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { JetStreamApiError } from '@nats-io/jetstream';
import type { RawDelivery } from './delivery.ts';
import { processDelivery } from './delivery.ts';
import { ensureConsumer, type ConsumerSettings } from './jetstream-setup.ts';
import type { ResolvedSubscription } from './subscribe-options.ts';
import { DEFAULT_GRACE_MS, type StopOptions, type Subscription } from './types.ts';
import { WorkPool } from './work-pool.ts';

/** How long one pull request waits on the server. Short, so a lost pull is soon replaced. */
const FETCH_EXPIRES_MS = 5_000;
const MAX_RETRY_DELAY_MS = 5_000;

interface Batch {
  close(): Promise<void | Error>;
}

export class JetStreamSubscription implements Subscription {
  private readonly pool: WorkPool;
  private consumer: Consumer | undefined;
  private batch: Batch | undefined;
  private interrupt: (() => void) | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    private readonly ctx: ResolvedSubscription,
    private readonly settings: ConsumerSettings,
    private readonly onStopped: (s: JetStreamSubscription) => void,
  ) {
    this.pool = new WorkPool(ctx.concurrency);
  }

  start(): void {
    this.loopDone = this.loop();
  }

  stop(options: StopOptions = {}): Promise<void> {
    this.stopping ??= (async () => {
      const drained = this.pool.stop(options.graceMs ?? DEFAULT_GRACE_MS);
      this.interrupt?.();
      await this.batch?.close().catch(() => undefined);
      await Promise.all([drained, this.loopDone]);
      this.onStopped(this);
    })();
    return this.stopping;
  }

  private async loop(): Promise<void> {
    const log = this.ctx.log.child({ consumer: this.ctx.durable });
    let failures = 0;
    while (!this.pool.isClosed) {
      await this.pool.waitForSlot();
      if (this.pool.isClosed) break;
      const started = Date.now();
      let received = 0;
      try {
        this.consumer ??= await this.js.consumers.get(this.stream, this.ctx.durable);
        const batch = await this.consumer.fetch({ max_messages: this.pool.free, expires: FETCH_EXPIRES_MS });
        this.batch = batch;
        // stop() may have run while the pull was being set up, before there was a batch to close.
        if (this.pool.isClosed) void batch.close();
        for await (const m of batch) {
          received += 1;
          // Stopped while this batch was open: give the message back at once for other subscriptions.
          if (this.pool.isClosed) tryOp(() => m.nak());
          else this.pool.run(() => processDelivery(this.pool.guard(toRaw(m)), this.ctx));
        }
        failures = 0;
      } catch (err) {
        if (this.pool.isClosed) break;
        failures += 1;
        this.consumer = undefined;
        log.warn({ err, failures }, 'fetching messages failed; retrying');
        if (err instanceof JetStreamApiError && err.code === 10014) {
          // The consumer is gone (a server that lost its state): put it back.
          await ensureConsumer(this.jsm, this.stream, this.settings).catch((e: unknown) => log.warn({ err: e }, 'could not re-create the consumer'));
        }
      } finally {
        this.batch = undefined;
      }
      // Back off after errors, and after pulls that ended at once without messages, so a broken server is not hammered.
      if (failures > 0) await this.pause(Math.min(MAX_RETRY_DELAY_MS, 100 * 2 ** failures));
      else if (received === 0 && Date.now() - started < 200) await this.pause(200);
    }
  }

  /** Sleeps; `stop` wakes it early. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.interrupt = undefined;
        resolve();
      }, ms);
      this.interrupt = () => {
        clearTimeout(timer);
        this.interrupt = undefined;
        resolve();
      };
    });
  }
}

function toRaw(m: JsMsg): RawDelivery {
  return {
    subject: m.subject,
    data: m.data,
    deliveryCount: m.info.deliveryCount,
    messageId: m.headers?.get('Nats-Msg-Id') || undefined,
    ack: () => m.ack(),
    nak: (delayMs) => m.nak(delayMs),
    // No reason: servers before 2.11 ignore "+TERM <reason>" and would redeliver. The dead letter holds the reason.
    term: () => m.term(),
    working: () => m.working(),
  };
}

function tryOp(op: () => void): void {
  try {
    op();
  } catch {
    // The connection is gone; the server redelivers after the ack wait.
  }
}
