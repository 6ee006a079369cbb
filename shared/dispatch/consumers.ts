/**
 * The consumer loop shared by the dev runner and the bridge: one durable
 * consumer per function on the subjects that trigger it; each delivery is
 * invoked, the events the function emitted are published (unless it published
 * them itself), and only then is the message acked (by the bus, when the
 * handler resolves).
 */
import type { Logger } from 'pino';
import type { Bus, Subscription } from '../bus/types.ts';
import { EVENTS, FUNCTION_NAMES, eventsTriggering, type FunctionName } from '../events/catalog.ts';
import type { Invoker } from './invoker.ts';

export interface ConsumerOptions {
  bus: Bus;
  invoker: Invoker;
  log: Logger;
  /** @default all five */
  functions?: readonly FunctionName[];
  /** @default the bus's (5) */
  maxDeliver?: number;
  /** @default the bus's (30 s) */
  ackWaitMs?: number;
  /** Deliveries handled at once per function. @default 4 */
  concurrency?: number;
}

export interface Consumers {
  stop(graceMs?: number): Promise<void>;
}

/** The subjects a function's durable consumer listens on. */
export function subjectsFor(fn: FunctionName): string[] {
  return eventsTriggering(fn).map((n) => EVENTS[n].subject);
}

export async function startConsumers(options: ConsumerOptions): Promise<Consumers> {
  const subs: Subscription[] = [];
  for (const fn of options.functions ?? FUNCTION_NAMES) {
    subs.push(
      await options.bus.subscribe({
        durable: fn,
        subjects: subjectsFor(fn),
        maxDeliver: options.maxDeliver,
        ackWaitMs: options.ackWaitMs,
        concurrency: options.concurrency ?? 4,
        handler: async (delivery) => {
          const result = await options.invoker.invoke(fn, delivery.event);
          if (result.published) return;
          for (const out of result.emitted) await options.bus.publish(out);
        },
      }),
    );
    options.log.debug({ function: fn, subjects: subjectsFor(fn) }, 'consumer started');
  }
  return {
    async stop(graceMs) {
      await Promise.all(subs.map((s) => s.stop({ graceMs })));
    },
  };
}
