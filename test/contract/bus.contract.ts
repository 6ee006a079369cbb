/**
 * The bus contract: the delivery semantics every adapter must have, run
 * against the in-process bus and NATS JetStream alike.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NightshiftError } from '../../shared/errors.ts';
import type { Delivery } from '../../shared/bus/types.ts';
import { diffSubmitted, gate, sleep, taskAssigned, waitFor, type BusWorld, type MakeWorld } from './bus-world.ts';

export { type BusWorld, type MakeWorld } from './bus-world.ts';

/** Window of the worlds under test, so "after the window" is a short wait. */
const WINDOW_MS = 1_000;

export function runBusContract(name: string, makeWorld: MakeWorld): void {
  describe(`bus contract: ${name}`, () => {
    let world: BusWorld;
    const gates: { open(): void }[] = [];
    const hold = () => {
      const g = gate();
      gates.push(g);
      return g.promise;
    };

    beforeEach(async () => {
      world = await makeWorld({ duplicateWindowMs: WINDOW_MS });
    });
    afterEach(async () => {
      for (const g of gates.splice(0)) g.open();
      await world.close();
    });

    it('delivers each event to the durables whose subjects match, once', async () => {
      const bus = await world.open();
      const got: Record<string, Delivery[]> = { dev: [], collect: [], plan: [] };
      const record = (k: string) => async (d: Delivery) => void got[k]!.push(d);
      await bus.subscribe({ durable: 'develop-task', subjects: ['specs.task-assigned'], handler: record('dev') });
      await bus.subscribe({ durable: 'collect-diff', subjects: ['specs.diff-submitted'], handler: record('collect') });
      await bus.subscribe({ durable: 'on-spec-created', subjects: ['specs.created', 'specs.task-completed'], handler: record('plan') });
      for (const t of ['t1', 't2', 't3']) expect(await bus.publish(taskAssigned(t))).toEqual({ duplicate: false });
      await bus.publish(diffSubmitted('t1'));
      await waitFor('4 deliveries', () => got.dev!.length === 3 && got.collect!.length === 1);
      await sleep(300);
      expect(got.dev!.map((d) => d.event.id).sort()).toEqual(['spec-1/t1/1/assigned', 'spec-1/t2/1/assigned', 'spec-1/t3/1/assigned']);
      expect(got.dev!.every((d) => d.subject === 'specs.task-assigned' && d.deliveryCount === 1)).toBe(true);
      expect(got.collect!.map((d) => d.event.id)).toEqual(['spec-1/t1/1/diff-submitted']);
      expect(got.plan).toEqual([]);
      expect(world.deadLetters.letters).toEqual([]);
    });

    it('gives every event to each of two durables', async () => {
      const bus = await world.open();
      const a: string[] = [];
      const b: string[] = [];
      await bus.subscribe({ durable: 'a', subjects: ['specs.>'], handler: async (d) => void a.push(d.event.id) });
      await bus.subscribe({ durable: 'b', subjects: ['specs.task-assigned'], handler: async (d) => void b.push(d.event.id) });
      for (const t of ['t1', 't2', 't3']) await bus.publish(taskAssigned(t));
      await waitFor('both durables', () => a.length === 3 && b.length === 3);
      expect(a.sort()).toEqual(b.sort());
    });

    it('shares a durable between two subscriptions as a work queue', async () => {
      const [one, two] = [await world.open(), await world.open()];
      const seen: { by: string; id: string }[] = [];
      const handler = (by: string) => async (d: Delivery) => {
        seen.push({ by, id: d.event.id });
        await sleep(150);
      };
      await one.subscribe({ durable: 'develop-task', subjects: ['specs.task-assigned'], handler: handler('one') });
      await two.subscribe({ durable: 'develop-task', subjects: ['specs.task-assigned'], handler: handler('two') });
      for (let i = 0; i < 8; i++) await one.publish(taskAssigned(`t${i}`));
      await waitFor('8 deliveries', () => seen.length === 8);
      await sleep(300);
      expect(new Set(seen.map((s) => s.id)).size).toBe(8);
      expect(seen.length).toBe(8);
      expect(seen.some((s) => s.by === 'one') && seen.some((s) => s.by === 'two')).toBe(true);
    });

    it('redelivers to a new subscription when the connection dies mid-handler', async () => {
      const first = await world.open();
      const seen: Delivery[] = [];
      await first.subscribe({ durable: 'develop-task', subjects: ['specs.task-assigned'], ackWaitMs: 1_000, autoHeartbeat: false, handler: async (d) => { seen.push(d); await hold(); } });
      await first.publish(taskAssigned('t1'));
      await waitFor('the first delivery', () => seen.length === 1);
      await first.close({ graceMs: 0 });
      const second = await world.open();
      const again: Delivery[] = [];
      await second.subscribe({ durable: 'develop-task', subjects: ['specs.task-assigned'], ackWaitMs: 1_000, handler: async (d) => void again.push(d) });
      await waitFor('the redelivery', () => again.length === 1);
      expect(again[0]!.event.id).toBe('spec-1/t1/1/assigned');
      expect(again[0]!.deliveryCount).toBeGreaterThanOrEqual(2);
    });

    it('redelivers when a subscription is stopped without finishing, on the same connection', async () => {
      const bus = await world.open();
      const seen: Delivery[] = [];
      const sub = await bus.subscribe({ durable: 'develop-task', subjects: ['specs.task-assigned'], ackWaitMs: 1_000, handler: async (d) => { seen.push(d); await hold(); } });
      await bus.publish(taskAssigned('t1'));
      await waitFor('the first delivery', () => seen.length === 1);
      await sub.stop({ graceMs: 0 });
      for (const g of gates.splice(0)) g.open(); // the abandoned handler finishes now: its ack must not count
      const again: Delivery[] = [];
      await bus.subscribe({ durable: 'develop-task', subjects: ['specs.task-assigned'], ackWaitMs: 1_000, handler: async (d) => void again.push(d) });
      await waitFor('the redelivery', () => again.length === 1);
      expect(again[0]!.deliveryCount).toBeGreaterThanOrEqual(2);
    });

    it('stores a duplicate publish inside the window once', async () => {
      const bus = await world.open();
      const seen: string[] = [];
      await bus.subscribe({ durable: 'develop-task', subjects: ['specs.task-assigned'], handler: async (d) => void seen.push(d.event.id) });
      expect(await bus.publish(taskAssigned('t1'))).toEqual({ duplicate: false });
      expect(await bus.publish(taskAssigned('t1'))).toEqual({ duplicate: true });
      await waitFor('the delivery', () => seen.length === 1);
      await sleep(400);
      expect(seen).toEqual(['spec-1/t1/1/assigned']);
    });

    it('absorbs a duplicate published after the window with ProcessedEvents', async () => {
      const bus = await world.open({ processed: true });
      let effects = 0;
      await bus.subscribe({ durable: 'develop-task', subjects: ['specs.task-assigned'], handler: async () => void (effects += 1) });
      await bus.publish(taskAssigned('t1'));
      await waitFor('the first delivery', () => effects === 1);
      await sleep(WINDOW_MS + 1_000);
      expect(await bus.publish(taskAssigned('t1'))).toEqual({ duplicate: false });
      await waitFor('the second copy to be looked up', () => world.processed.lookups === 2);
      await sleep(200);
      expect(effects).toBe(1);
      expect(await world.processed.has('develop-task', 'spec-1/t1/1/assigned')).toBe(true);
    });

    it('does not redeliver a long handler that sends heartbeats', async () => {
      const bus = await world.open();
      const runs: number[] = [];
      let finished = 0;
      await bus.subscribe({ durable: 'develop-task', subjects: ['specs.task-assigned'], ackWaitMs: 1_000, concurrency: 2, maxDeliver: 10, handler: async (d) => { runs.push(d.deliveryCount); await sleep(3_200); finished += 1; } });
      await bus.publish(taskAssigned('t1'));
      await waitFor('the handler to finish', () => finished === 1);
      await sleep(1_500);
      expect(runs).toEqual([1]);
    });

    it('redelivers a long handler without heartbeats, and ProcessedEvents keeps the effect single', async () => {
      const bus = await world.open({ processed: true });
      const runs: number[] = [];
      const done = new Set<string>();
      let effects = 0;
      let finished = 0;
      await bus.subscribe({
        durable: 'develop-task', subjects: ['specs.task-assigned'], ackWaitMs: 1_000, concurrency: 2, maxDeliver: 10, autoHeartbeat: false,
        handler: async (d) => {
          runs.push(d.deliveryCount);
          await sleep(3_200);
          if (!done.has(d.event.id)) { done.add(d.event.id); effects += 1; } // the idempotent effect
          finished += 1;
        },
      });
      await bus.publish(taskAssigned('t1'));
      await waitFor('a redelivery', () => runs.length >= 2);
      await waitFor('the runs to finish', () => finished === runs.length, 15_000);
      await sleep(300);
      expect(Math.max(...runs)).toBeGreaterThanOrEqual(2);
      expect(effects).toBe(1);
      expect(world.deadLetters.letters).toEqual([]);
    });

    it('dead-letters a poison message after maxDeliver while others keep flowing', async () => {
      const bus = await world.open();
      const ok: string[] = [];
      let poisonRuns = 0;
      await bus.subscribe({
        durable: 'develop-task', subjects: ['specs.task-assigned'], maxDeliver: 3, backoffMs: [100],
        handler: async (d) => {
          if ((d.event.data as { taskId: string }).taskId !== 'poison') return void ok.push(d.event.id);
          poisonRuns += 1;
          throw new NightshiftError('INTERNAL', `boom on delivery ${d.deliveryCount}`);
        },
      });
      await bus.publish(taskAssigned('poison'));
      for (const t of ['t1', 't2', 't3']) await bus.publish(taskAssigned(t));
      await waitFor('the dead letter', () => world.deadLetters.letters.length === 1);
      await waitFor('the good events', () => ok.length === 3);
      await sleep(400);
      const [letter] = world.deadLetters.letters;
      expect(letter).toMatchObject({ consumer: 'develop-task', subject: 'specs.task-assigned', eventId: 'spec-1/poison/1/assigned', deliveries: 3 });
      expect(letter!.reason).toContain('boom on delivery 3');
      expect(JSON.parse(letter!.payload).id).toBe('spec-1/poison/1/assigned');
      expect(poisonRuns).toBe(3);
      expect(ok.sort()).toEqual(['spec-1/t1/1/assigned', 'spec-1/t2/1/assigned', 'spec-1/t3/1/assigned']);
    });

    it('dead-letters at once on a non-retryable error and on a body that is not an event', async () => {
      const bus = await world.open();
      const ok: string[] = [];
      let runs = 0;
      await bus.subscribe({
        durable: 'develop-task', subjects: ['specs.task-assigned'],
        handler: async (d) => {
          if ((d.event.data as { taskId: string }).taskId !== 'bad') return void ok.push(d.event.id);
          runs += 1;
          throw new NightshiftError('SPEC_INVALID', 'task bad has no prompt');
        },
      });
      await bus.publish(taskAssigned('bad'));
      await world.publishRaw('specs.task-assigned', '{ this is not json');
      await bus.publish(taskAssigned('t1'));
      await waitFor('two dead letters and the good event', () => world.deadLetters.letters.length === 2 && ok.length === 1);
      await sleep(300);
      const letters = [...world.deadLetters.letters].sort((x, y) => x.reason.localeCompare(y.reason));
      expect(letters[0]).toMatchObject({ eventId: 'spec-1/bad/1/assigned', deliveries: 1 });
      expect(letters[0]!.reason).toContain('SPEC_INVALID');
      expect(letters[1]).toMatchObject({ subject: 'specs.task-assigned', deliveries: 1, payload: '{ this is not json' });
      expect(letters[1]!.reason).toContain('not a valid event');
      expect(runs).toBe(1);
      expect(ok).toEqual(['spec-1/t1/1/assigned']);
    });

    it('dead-letters a message whose last allowed delivery never finished', async () => {
      const bus = await world.open();
      let runs = 0;
      await bus.subscribe({ durable: 'develop-task', subjects: ['specs.task-assigned'], maxDeliver: 1, ackWaitMs: 1_000, autoHeartbeat: false, concurrency: 2, handler: async () => { runs += 1; await hold(); } });
      await bus.publish(taskAssigned('t1'));
      await waitFor('the dead letter', () => world.deadLetters.letters.length === 1);
      expect(world.deadLetters.letters[0]).toMatchObject({ eventId: 'spec-1/t1/1/assigned', deliveries: 2 });
      expect(world.deadLetters.letters[0]!.reason).toContain('gave up after 1 deliveries');
      expect(runs).toBe(1);
    });

    it('does not redeliver a nakked message before its backoff delay', async () => {
      const bus = await world.open();
      const at: { count: number; ms: number }[] = [];
      await bus.subscribe({
        durable: 'develop-task', subjects: ['specs.task-assigned'], backoffMs: [1_500],
        handler: async (d) => {
          at.push({ count: d.deliveryCount, ms: Date.now() });
          if (d.deliveryCount === 1) throw new Error('first try fails');
        },
      });
      await bus.publish(taskAssigned('t1'));
      await waitFor('the retry', () => at.length === 2);
      expect(at[1]!.count).toBe(2);
      // 1 500 ms is the floor (jitter only adds); a few ms of slack for timer rounding.
      expect(at[1]!.ms - at[0]!.ms).toBeGreaterThanOrEqual(1_490);
      expect(world.deadLetters.letters).toEqual([]);
    });
  });
}
