/**
 * The consumer loop the dev runner and the bridge share (startConsumers),
 * in process: the in-process bus, a LocalInvoker over small real handlers
 * named after the real functions, and the state store on PGlite on disk
 * (processed events and dead letters), wired as openBackbone wires them.
 *
 * "Nothing more happened" is never checked by sleeping: each durable takes
 * one delivery at a time, in order, so once a sentinel event published
 * afterwards has been handled, everything published before it has been too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus, type Bus } from '../../shared/bus/index.ts';
import { loadConfig, type Config } from '../../shared/config.ts';
import { deadLetters, migrate, openDb, processedEvents, type Db } from '../../shared/db/index.ts';
import { openBackbone } from '../../shared/dispatch/backbone.ts';
import { startConsumers, type Consumers } from '../../shared/dispatch/consumers.ts';
import { FailingDeadLetters } from '../../shared/dispatch/dead-letters.ts';
import { LocalInvoker } from '../../shared/dispatch/invoker.ts';
import { NightshiftError } from '../../shared/errors.ts';
import type { FunctionName } from '../../shared/events/catalog.ts';
import { makeEvent } from '../../shared/events/cloudevent.ts';
import type { NightshiftFunction, NsEvent } from '../../shared/runtime/types.ts';
import { captureLog, type CapturedLog } from '../helpers/log-capture.ts';

const PATH = 'active/demo.yaml';
const task = (taskId: string, attempt = 1) => ({ specId: 'demo', path: PATH, taskId, attempt });

/** What each test function received, in order. */
type Received = Record<'develop-task' | 'collect-diff' | 'learn-from-failure', NsEvent[]>;

/**
 * Three small handlers named after real functions:
 * - develop-task emits `diff.submitted` for its task, or throws a
 *   non-retryable error for the task "explode";
 * - collect-diff records what it got;
 * - learn-from-failure records what it got, and throws a non-retryable error
 *   for the task "poison".
 */
function testFunctions(received: Received): NightshiftFunction[] {
  return [
    {
      name: 'develop-task',
      accepts: ['task.assigned'],
      async handle(event) {
        received['develop-task'].push(event);
        const data = event.data as ReturnType<typeof task>;
        if (data.taskId === 'explode') throw new NightshiftError('SPEC_INVALID', 'task explode has no agent', { retryable: false });
        return [makeEvent('diff.submitted', data, { source: '/nightshift/develop-task' })];
      },
    },
    {
      name: 'collect-diff',
      accepts: ['diff.submitted'],
      async handle(event) {
        received['collect-diff'].push(event);
        return [];
      },
    },
    {
      name: 'learn-from-failure',
      accepts: ['task.failed'],
      async handle(event) {
        received['learn-from-failure'].push(event);
        if ((event.data as { taskId?: string }).taskId === 'poison') throw new NightshiftError('BAD_REQUEST', 'cannot learn from this failure');
        return [];
      },
    },
  ];
}

interface World {
  bus: Bus;
  db: Db;
  logs: CapturedLog;
  received: Received;
  /** Every event published on the bus, seen by an extra durable on `specs.>`. */
  seen: NsEvent[];
  /** Resolves once `pred` holds (polled every 20 ms), or fails after `ms`. */
  until(pred: () => boolean | Promise<boolean>, ms?: number): Promise<void>;
}

const FUNCTIONS: readonly FunctionName[] = ['develop-task', 'collect-diff', 'learn-from-failure'];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

/**
 * A world on PGlite in a temp dir. `duplicateWindowMs` undefined means the
 * dev runner's own wiring (openBackbone); a number builds the same parts by
 * hand with that duplicate window (0 lets every publish through, so only the
 * processed-events table can stop a repeat).
 */
async function makeWorld(options: { duplicateWindowMs?: number } = {}): Promise<World> {
  const home = await mkdtemp(join(tmpdir(), 'nightshift-dispatch-'));
  cleanups.push(() => rm(home, { recursive: true, force: true, maxRetries: 5 }));
  const config: Config = loadConfig({ NIGHTSHIFT_HOME: home });
  const logs = captureLog('debug');
  let bus: Bus;
  let db: Db;
  if (options.duplicateWindowMs === undefined) {
    const backbone = await openBackbone(config, logs.log);
    cleanups.push(() => backbone.close(2_000));
    expect(backbone.describe).toEqual({ db: 'pglite', bus: 'memory' });
    ({ bus, db } = backbone);
  } else {
    db = await openDb({ dataDir: join(home, 'pglite') });
    cleanups.push(() => db.close());
    await migrate(db);
    const sink = new FailingDeadLetters(deadLetters(db), logs.log);
    bus = new MemoryBus({ duplicateWindowMs: options.duplicateWindowMs, deadLetters: sink, processed: processedEvents(db), log: logs.log });
    sink.bus = bus;
    cleanups.push(() => bus.close({ graceMs: 2_000 }));
  }
  const received: Received = { 'develop-task': [], 'collect-diff': [], 'learn-from-failure': [] };
  const seen: NsEvent[] = [];
  const observer = await bus.subscribe({ durable: 'observer', subjects: ['specs.>'], handler: async (d) => void seen.push(d.event) });
  cleanups.push(() => observer.stop({ graceMs: 2_000 }));
  const consumers: Consumers = await startConsumers({
    bus,
    invoker: new LocalInvoker(testFunctions(received), { log: logs.log, config }),
    log: logs.log,
    functions: FUNCTIONS,
    concurrency: 1,
  });
  cleanups.push(() => consumers.stop(2_000));
  const until: World['until'] = async (pred, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!(await pred())) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms; log:\n${logs.lines.map((l) => JSON.stringify(l)).join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { bus, db, logs, received, seen, until };
}

async function processedBy(db: Db, consumer: string): Promise<string[]> {
  const res = await db.query<{ event_id: string }>('SELECT event_id FROM processed_events WHERE consumer = $1 ORDER BY event_id', [consumer]);
  return res.rows.map((r) => r.event_id);
}

describe('startConsumers with a LocalInvoker on the in-process bus', () => {
  it('publishes what a function emitted, and it reaches the next function', async () => {
    const w = await makeWorld();
    await w.bus.publish(makeEvent('task.assigned', task('api')));
    await w.until(() => w.received['collect-diff'].length === 1);

    const got = w.received['collect-diff'][0]!;
    expect(got.id).toBe('demo/api/1/diff-submitted');
    expect(got.type).toBe('dev.nightshift.diff.submitted');
    expect(got.source).toBe('/nightshift/develop-task');
    expect(got.data).toEqual(task('api'));
    expect(w.seen.map((e) => e.id)).toContain('demo/api/1/diff-submitted');
    // Acked after the handler, with the processed mark in the state store.
    await w.until(async () => (await processedBy(w.db, 'collect-diff')).length === 1);
    expect(await processedBy(w.db, 'develop-task')).toEqual(['demo/api/1/assigned']);
    expect(await processedBy(w.db, 'collect-diff')).toEqual(['demo/api/1/diff-submitted']);
    // The invoker logs every run with the event's ids.
    expect(w.logs.lines).toContainEqual(
      expect.objectContaining({ msg: 'handled event', function: 'develop-task', eventId: 'demo/api/1/assigned', specId: 'demo', taskId: 'api', attempt: 1, emitted: 1 }),
    );
  }, 60_000);

  it('handles an event published twice once (inside the duplicate window)', async () => {
    const w = await makeWorld();
    const event = makeEvent('task.assigned', task('api'));
    expect(await w.bus.publish(event)).toEqual({ duplicate: false });
    expect(await w.bus.publish(makeEvent('task.assigned', task('api')))).toEqual({ duplicate: true });
    await w.bus.publish(makeEvent('task.assigned', task('sentinel')));
    await w.until(() => w.received['collect-diff'].length === 2);

    expect(w.received['develop-task'].map((e) => e.id)).toEqual(['demo/api/1/assigned', 'demo/sentinel/1/assigned']);
    expect(w.received['collect-diff'].map((e) => e.id)).toEqual(['demo/api/1/diff-submitted', 'demo/sentinel/1/diff-submitted']);
  }, 60_000);

  it('handles an event published twice once (after the window: the processed-events table)', async () => {
    const w = await makeWorld({ duplicateWindowMs: 0 });
    await w.bus.publish(makeEvent('task.assigned', task('api')));
    await w.until(async () => (await processedBy(w.db, 'develop-task')).includes('demo/api/1/assigned'));
    // Outside the window the bus stores the repeat and delivers it ...
    expect(await w.bus.publish(makeEvent('task.assigned', task('api')))).toEqual({ duplicate: false });
    await w.bus.publish(makeEvent('task.assigned', task('sentinel')));
    await w.until(() => w.received['collect-diff'].length === 2);

    // ... and the consumer acks it without running the handler again.
    expect(w.received['develop-task'].map((e) => e.id)).toEqual(['demo/api/1/assigned', 'demo/sentinel/1/assigned']);
    expect(w.received['collect-diff'].map((e) => e.id)).toEqual(['demo/api/1/diff-submitted', 'demo/sentinel/1/diff-submitted']);
    expect(w.logs.lines).toContainEqual(expect.objectContaining({ consumer: 'develop-task', eventId: 'demo/api/1/assigned', msg: expect.stringContaining('already processed') }));
  }, 60_000);

  it('dead-letters a non-retryable failure at once and fails the task: learn-from-failure gets task.failed with reason dead-letter', async () => {
    const w = await makeWorld();
    await w.bus.publish(makeEvent('task.assigned', task('explode')));
    await w.until(() => w.received['learn-from-failure'].length === 1);

    expect(w.received['develop-task']).toHaveLength(1); // no retry of a non-retryable error
    expect(w.received['collect-diff']).toHaveLength(0);
    const letters = await deadLetters(w.db).list('develop-task');
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ consumer: 'develop-task', subject: 'specs.task-assigned', eventId: 'demo/explode/1/assigned', deliveries: 1 });
    expect(letters[0]!.reason).toContain('non-retryable');
    expect(letters[0]!.reason).toContain('SPEC_INVALID');
    expect(JSON.parse(letters[0]!.payload)).toMatchObject({ id: 'demo/explode/1/assigned', data: task('explode') });

    const failed = w.received['learn-from-failure'][0]!;
    expect(failed.type).toBe('dev.nightshift.task.failed');
    expect(failed.id).toBe('demo/explode/1/failed');
    expect(failed.source).toBe('/nightshift/bus');
    expect(failed.data).toEqual({ ...task('explode'), reason: 'dead-letter' });
    expect(await processedBy(w.db, 'develop-task')).toEqual([]);
  }, 60_000);

  it('only records a dead-lettered task.failed: no new task.failed, no loop', async () => {
    // Window 0: were a task.failed published again with the same id, the bus would deliver it.
    const w = await makeWorld({ duplicateWindowMs: 0 });
    await w.bus.publish(makeEvent('task.failed', { ...task('poison'), reason: 'agent-error' }));
    await w.logs.waitFor((l) => l.msg === 'message dead-lettered' && l.eventId === 'demo/poison/1/failed');
    await w.bus.publish(makeEvent('task.failed', { ...task('sentinel'), reason: 'agent-error' }));
    await w.until(() => w.received['learn-from-failure'].length === 2 && w.seen.length === 2);

    expect(w.received['learn-from-failure'].map((e) => e.id)).toEqual(['demo/poison/1/failed', 'demo/sentinel/1/failed']);
    // The observer durable saw every message on specs.>: the two this test published, nothing else.
    expect(w.seen.map((e) => e.id)).toEqual(['demo/poison/1/failed', 'demo/sentinel/1/failed']);
    const letters = await deadLetters(w.db).list();
    expect(letters.map((l) => [l.consumer, l.eventId])).toEqual([['learn-from-failure', 'demo/poison/1/failed']]);
    expect(letters[0]!.reason).toContain('BAD_REQUEST');
  }, 60_000);
});
