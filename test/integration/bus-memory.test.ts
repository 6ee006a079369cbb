/**
 * The bus contract on the in-process adapter, plus what only it has: several
 * buses sharing one broker, and the pure helpers both adapters use.
 */
import { describe, expect, it } from 'vitest';
import { nakDelay } from '../../shared/bus/backoff.ts';
import { MemoryBroker } from '../../shared/bus/memory-broker.ts';
import { MemoryBus } from '../../shared/bus/memory-bus.ts';
import { subjectMatches } from '../../shared/bus/subject.ts';
import { NightshiftError } from '../../shared/errors.ts';
import { runBusContract } from '../contract/bus.contract.ts';
import type { BusWorld } from '../contract/bus-world.ts';
import { newSinks, taskAssigned } from '../contract/bus-world.ts';

runBusContract('in-process', async ({ duplicateWindowMs }) => {
  const broker = new MemoryBroker({ duplicateWindowMs });
  const sinks = newSinks();
  const buses: MemoryBus[] = [];
  const world: BusWorld = {
    ...sinks,
    open: async (options = {}) => {
      const bus = new MemoryBus({ broker, deadLetters: sinks.deadLetters, processed: options.processed ? sinks.processed : undefined });
      buses.push(bus);
      return bus;
    },
    publishRaw: async (subject, body) => {
      await new MemoryBus({ broker }).publishRaw(subject, body);
    },
    close: async () => {
      await Promise.all(buses.map((b) => b.close({ graceMs: 0 })));
      broker.close();
    },
  };
  return world;
});

describe('in-process bus', () => {
  it('refuses work after close, and bad subscriptions, with plain errors', async () => {
    const bus = new MemoryBus();
    await expect(bus.subscribe({ durable: 'has.dot', subjects: ['specs.>'], handler: async () => {} })).rejects.toThrow(/durable name/);
    await expect(bus.subscribe({ durable: 'x', subjects: [], handler: async () => {} })).rejects.toThrow(/at least one subject/);
    await expect(bus.subscribe({ durable: 'x', subjects: ['specs.>'], ackWaitMs: 10, handler: async () => {} })).rejects.toThrow(/ackWaitMs/);
    await bus.close();
    const err = await bus.publish(taskAssigned('t1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NightshiftError);
    expect((err as NightshiftError).code).toBe('BUS_CLOSED');
  });
});

describe('nakDelay', () => {
  it('doubles from 1 s up to 60 s by default, and jitter only adds up to 20%', () => {
    expect([1, 2, 3, 7, 30].map((n) => nakDelay(n, undefined, () => 0))).toEqual([1_000, 2_000, 4_000, 60_000, 60_000]);
    expect(nakDelay(1, undefined, () => 0.999)).toBe(1_200);
  });
  it('takes the entry for the delivery from backoffMs and repeats the last', () => {
    expect([1, 2, 3, 9].map((n) => nakDelay(n, [100, 500, 2_000], () => 0))).toEqual([100, 500, 2_000, 2_000]);
  });
});

describe('subjectMatches', () => {
  it('follows NATS wildcards', () => {
    expect(subjectMatches('specs.>', 'specs.task-assigned')).toBe(true);
    expect(subjectMatches('specs.>', 'specs')).toBe(false);
    expect(subjectMatches('heartbeat.*', 'heartbeat.w1')).toBe(true);
    expect(subjectMatches('heartbeat.*', 'heartbeat.w1.x')).toBe(false);
    expect(subjectMatches('specs.created', 'specs.updated')).toBe(false);
  });
});
