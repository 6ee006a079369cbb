/**
 * A bus that loses published events: it delegates everything to a real bus,
 * but drops a share of `publish` calls on the floor (the caller is told the
 * publish succeeded, as when a message is lost after the broker's ack or a
 * process dies between a state write and its publish). The choice is seeded,
 * so a failing run can be repeated. Tests only (`startDev`'s `wrapBus`).
 *
 *   const lossy = lossyBus({ dropRate: 0.2, seed: 42 });
 *   await startDev(config, log, { wrapBus: lossy.wrap });
 *   ... lossy.dropped.length, lossy.published ...
 */
import { prng } from '../../bench/lib/error-variants.ts';
import type { Bus, PublishResult } from '../../shared/bus/types.ts';
import type { NsEvent } from '../../shared/runtime/types.ts';

export interface LossyBusOptions {
  /** Share of publishes dropped, 0..1. */
  dropRate: number;
  /** Seed of the random choice. */
  seed: number;
}

export interface LossyBus {
  /** Wraps `bus`; every wrapped bus shares this one's random sequence and records. */
  wrap(bus: Bus): Bus;
  /** Every event handed to `publish`, dropped or not, in order. */
  published: NsEvent[];
  /** The events that were dropped. */
  dropped: NsEvent[];
  /** Changes the share dropped from now on (0 stops losing events). */
  setDropRate(rate: number): void;
}

export function lossyBus(options: LossyBusOptions): LossyBus {
  const random = prng(options.seed);
  let rate = options.dropRate;
  const published: NsEvent[] = [];
  const dropped: NsEvent[] = [];
  return {
    published,
    dropped,
    setDropRate(r) {
      rate = r;
    },
    wrap(bus) {
      return {
        async publish(event): Promise<PublishResult> {
          published.push(event);
          if (random() < rate) {
            dropped.push(event);
            return { duplicate: false };
          }
          return bus.publish(event);
        },
        subscribe: (o) => bus.subscribe(o),
        close: (o) => bus.close(o),
      };
    },
  };
}

