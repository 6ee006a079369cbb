/**
 * The bus contract on NATS JetStream, each case on its own private
 * nats-server (file storage in a temp dir), plus the JetStream-only setup rules.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { JetStreamBus } from '../../shared/bus/jetstream-bus.ts';
import { MemoryDeadLetters } from '../../shared/bus/memory-sinks.ts';
import { runBusContract } from '../contract/bus.contract.ts';
import { newSinks, taskAssigned, waitFor, type BusWorld } from '../contract/bus-world.ts';
import { startNatsServer } from '../helpers/nats-server.ts';

runBusContract('NATS JetStream', async ({ duplicateWindowMs }) => {
  const server = await startNatsServer();
  const sinks = newSinks();
  const buses: JetStreamBus[] = [];
  const open = async (processed: boolean) => {
    const bus = await JetStreamBus.connect({ servers: server.url, duplicateWindowMs, deadLetters: sinks.deadLetters, processed: processed ? sinks.processed : undefined });
    buses.push(bus);
    return bus;
  };
  const world: BusWorld = {
    ...sinks,
    open: (options = {}) => open(options.processed ?? false),
    publishRaw: async (subject, body) => {
      await (await open(false)).publishRaw(subject, body);
    },
    close: async () => {
      await Promise.all(buses.map((b) => b.close({ graceMs: 0 })));
      await server.stop();
    },
  };
  return world;
});

describe('JetStream setup', () => {
  it('creates the stream and consumers idempotently and updates a changed config', async () => {
    const server = await startNatsServer();
    const buses: JetStreamBus[] = [];
    try {
      const connect = async (duplicateWindowMs: number) => {
        const bus = await JetStreamBus.connect({ servers: server.url, duplicateWindowMs, deadLetters: new MemoryDeadLetters() });
        buses.push(bus);
        return bus;
      };
      const a = await connect(1_000);
      const b = await connect(1_000);
      const sub = { durable: 'develop-task', subjects: ['specs.task-assigned'], handler: async () => {} };
      await (await a.subscribe({ ...sub, ackWaitMs: 1_000 })).stop();
      await (await b.subscribe({ ...sub, ackWaitMs: 1_000 })).stop();
      const c = await connect(3_000);
      await (await c.subscribe({ ...sub, ackWaitMs: 2_000, maxDeliver: 7 })).stop();
      const jsm = await jetstreamManager(c.nc);
      const stream = await jsm.streams.info('NIGHTSHIFT');
      expect(stream.config.duplicate_window).toBe(3_000 * 1e6);
      expect(stream.config.subjects.sort()).toEqual(['heartbeat.>', 'specs.>']);
      const consumer = await jsm.consumers.info('NIGHTSHIFT', 'develop-task');
      expect(consumer.config.ack_wait).toBe(2_000 * 1e6);
      expect(consumer.config.max_deliver).toBe(8);
      expect(consumer.config.filter_subject).toBe('specs.task-assigned');
      // Two subjects: a multi-subject filter from 2.10, no server filter (the adapter filters) before.
      await (await c.subscribe({ ...sub, ackWaitMs: 2_000, maxDeliver: 7, subjects: ['specs.task-assigned', 'specs.task-failed'] })).stop();
      const widened = (await jsm.consumers.info('NIGHTSHIFT', 'develop-task')).config;
      expect(widened.filter_subject ?? '').toBe('');
      const [major = 0, minor = 0] = server.version.split('.').map(Number);
      const multiFilter = major > 2 || (major === 2 && minor >= 10);
      expect(widened.filter_subjects ?? []).toEqual(multiFilter ? ['specs.task-assigned', 'specs.task-failed'] : []);
    } finally {
      await Promise.all(buses.map((b) => b.close({ graceMs: 0 })));
      await server.stop();
    }
  });

  it('says where it failed when no server listens', async () => {
    const server = await startNatsServer();
    const url = server.url;
    await server.stop();
    await expect(JetStreamBus.connect({ servers: url })).rejects.toMatchObject({ code: 'BUS_UNAVAILABLE', message: expect.stringContaining(url) });
  });

  it('keeps delivering on a multi-subject durable (client-side filter on servers before 2.10)', async () => {
    const server = await startNatsServer();
    const bus = await JetStreamBus.connect({ servers: server.url });
    try {
      const seen: string[] = [];
      await bus.subscribe({ durable: 'on-spec-created', subjects: ['specs.created', 'specs.task-assigned'], handler: async (d) => void seen.push(d.subject) });
      await bus.publish(taskAssigned('t1'));
      await waitFor('the delivery', () => seen.length === 1);
      expect(seen).toEqual(['specs.task-assigned']);
    } finally {
      await bus.close({ graceMs: 0 });
      await server.stop();
    }
  });
});
