/**
 * The five handlers, called directly: they take their catalogue events and
 * only those, do nothing for a spec that does not exist, refuse a path that
 * leaves the specs folder, and refuse to run without services.
 */
import { describe, expect, it } from 'vitest';
import { collectDiff } from '../../functions/collect-diff/handler.ts';
import { developTask } from '../../functions/develop-task/handler.ts';
import { learnFromFailure } from '../../functions/learn-from-failure/handler.ts';
import { onSpecCreated } from '../../functions/on-spec-created/handler.ts';
import { reviewDiff } from '../../functions/review-diff/handler.ts';
import { loadConfig } from '../../shared/config.ts';
import { NightshiftError } from '../../shared/errors.ts';
import { EVENT_NAMES, eventsTriggering, type EventName } from '../../shared/events/catalog.ts';
import { makeEvent } from '../../shared/events/cloudevent.ts';
import { createServices } from '../../shared/pipeline/services.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import type { NsEvent } from '../../shared/runtime/types.ts';

const config = loadConfig({ SPECS_DIR: '/nonexistent/nightshift-specs' });
const bare = { log: createLogger({ level: 'silent' }), config, now: () => new Date(0) };
const ctx = { ...bare, services: createServices(config) };
const spec = { specId: 'demo', path: 'active/demo.yaml' };
const task = { ...spec, taskId: 'api', attempt: 1 };

/** One valid event of each catalogued kind. */
function sample(name: EventName): NsEvent {
  if (name === 'heartbeat') return makeEvent(name, { worker: 'w1' });
  if (name === 'task.failed') return makeEvent(name, { ...task, reason: 'timeout' });
  if (name.startsWith('spec.')) return makeEvent(name as 'spec.created', spec);
  return makeEvent(name as 'task.assigned', task);
}

describe.each([onSpecCreated, developTask, collectDiff, reviewDiff, learnFromFailure])('$name', (fn) => {
  it('accepts exactly its catalogue triggers, and emits nothing for a spec that does not exist', async () => {
    expect(fn.accepts).toEqual(eventsTriggering(fn.name));
    expect(fn.accepts.length).toBeGreaterThan(0);
    for (const name of fn.accepts) expect(await fn.handle(sample(name), ctx)).toEqual([]);
  });

  it('refuses an event whose path leaves the specs folder with BAD_EVENT', async () => {
    for (const name of fn.accepts) {
      const event = sample(name);
      const err = await fn.handle(makeEvent(name as 'task.failed', { ...(event.data as Record<string, unknown>), path: '../../etc/passwd.yaml' } as never), ctx).catch((e: unknown) => e);
      expect((err as NightshiftError).code).toBe('BAD_EVENT');
    }
  });

  it('refuses to run without services (INTERNAL, not retried)', async () => {
    const err = await fn.handle(sample(fn.accepts[0]!), bare).catch((e: unknown) => e);
    expect((err as NightshiftError).code).toBe('INTERNAL');
    expect((err as NightshiftError).retryable).toBe(false);
  });

  it('refuses every other event with WRONG_FUNCTION', async () => {
    for (const name of EVENT_NAMES.filter((n) => !fn.accepts.includes(n))) {
      const err = await fn.handle(sample(name), ctx).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NightshiftError);
      expect((err as NightshiftError).code).toBe('WRONG_FUNCTION');
    }
  });
});
