/**
 * The host's lifecycle in-process: not ready until init has finished, ready
 * 503 while shutting down, in-flight work drained, the grace period enforced.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { makeEvent } from '../../shared/events/cloudevent.ts';
import { toBinary } from '../../shared/events/http.ts';
import { serve, type ServerHandle } from '../../shared/runtime/http-host.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import type { NightshiftFunction } from '../../shared/runtime/types.ts';

const assigned = makeEvent('task.assigned', { specId: 'demo', path: 'specs/active/demo.yaml', taskId: 'api', attempt: 1 });
const silent = createLogger({ level: 'silent' });

/** A promise with its resolve exposed, to hold a handler or init until the test lets go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

const handles: ServerHandle[] = [];
const gates: (() => void)[] = [];
afterEach(async () => {
  for (const open of gates.splice(0)) open();
  await Promise.all(handles.splice(0).map((h) => h.close()));
});

async function start(fn: NightshiftFunction, env: Record<string, string> = {}) {
  const handle = await serve(fn, { config: loadConfig({ PORT: '0', ...env }), log: silent, host: '127.0.0.1' });
  handles.push(handle);
  return { handle, url: `http://127.0.0.1:${handle.port}` };
}

const status = async (url: string, init?: RequestInit) => (await fetch(url, init)).status;
const postEvent = (url: string) => fetch(`${url}/`, { method: 'POST', ...toBinary(assigned) });

/** A develop-task stand-in whose handler calls `started`, then waits for `held` before answering. */
function heldFunction(held: Promise<void>, hooks: Partial<NightshiftFunction> = {}, started = () => {}): NightshiftFunction {
  return {
    name: 'develop-task',
    accepts: ['task.assigned'],
    async handle() {
      started();
      await held;
      return [];
    },
    ...hooks,
  };
}

describe('readiness', () => {
  it('is 503 (and POST / too) until init has finished; health answers all along', async () => {
    const init = gate();
    gates.push(init.open);
    const { handle, url } = await start(heldFunction(Promise.resolve(), { init: () => init.opened }));
    expect(await status(`${url}/_/health`)).toBe(200);
    expect(await status(`${url}/_/ready`)).toBe(503);
    const early = await postEvent(url);
    expect(early.status).toBe(503);
    expect(((await early.json()) as { error: { code: string } }).error.code).toBe('NOT_READY');
    init.open();
    await handle.ready;
    expect(await status(`${url}/_/ready`)).toBe(200);
    expect((await postEvent(url)).status).toBe(200);
  });

  it('stays 503 when init throws, and follows the function’s own ready check', async () => {
    const failing = await start(heldFunction(Promise.resolve(), { init: async () => Promise.reject(new Error('no database')) }));
    await expect(failing.handle.ready).rejects.toThrow('no database');
    expect(await status(`${failing.url}/_/ready`)).toBe(503);
    let live = false;
    const probed = await start(heldFunction(Promise.resolve(), { ready: () => live }));
    await probed.handle.ready;
    expect(await status(`${probed.url}/_/ready`)).toBe(503);
    live = true;
    expect(await status(`${probed.url}/_/ready`)).toBe(200);
  });
});

describe('shutdown', () => {
  it('turns ready 503, refuses new work, finishes the in-flight request, then runs the shutdown hook', async () => {
    const work = gate();
    gates.push(work.open);
    const calls: string[] = [];
    const started = gate();
    const fn = heldFunction(work.opened, { shutdown: async () => void calls.push('shutdown') }, started.open);
    const { handle, url } = await start(fn);
    await handle.ready;
    const inFlight = postEvent(url);
    await started.opened;
    const closing = handle.close();
    expect(await status(`${url}/_/ready`)).toBe(503);
    expect(await status(`${url}/_/health`)).toBe(200);
    expect((await postEvent(url)).status).toBe(503);
    expect(calls).toEqual([]);
    work.open();
    expect((await inFlight).status).toBe(200);
    expect(await closing).toBe(true);
    expect(calls).toEqual(['shutdown']);
    await expect(fetch(`${url}/_/health`)).rejects.toThrow();
  });

  it('drops in-flight work once SHUTDOWN_GRACE_MS has passed', async () => {
    const never = gate();
    gates.push(never.open);
    const started = gate();
    const { handle, url } = await start(heldFunction(never.opened, {}, started.open), { SHUTDOWN_GRACE_MS: '50' });
    await handle.ready;
    const inFlight = postEvent(url).then(
      (r) => r.status,
      () => 'dropped',
    );
    await started.opened;
    expect(await handle.close()).toBe(false);
    expect(await inFlight).toBe('dropped');
  });
});
