/**
 * Each function's esbuild bundle runs on its own: `index.mjs` alone in an
 * empty temp dir with no node_modules above it, started with `node index.mjs`,
 * answers ready, handles every accepted event in all three forms and refuses a
 * malformed one. This is what each function image does (DESIGN.md section 7).
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, eventsTriggering, type EventName } from '../../shared/events/catalog.ts';
import { makeEvent } from '../../shared/events/cloudevent.ts';
import { toBinary, toStructured } from '../../shared/events/http.ts';
import type { NsEvent } from '../../shared/runtime/types.ts';
import { buildFunctions, type BuiltBundle } from '../../scripts/build.ts';
import { startProcess, stopAll } from './host-process.ts';

const spec = { specId: 'demo', path: 'specs/active/demo.yaml' };
const task = { ...spec, taskId: 'api', attempt: 1 };

/** The ping payload of an accepted event (what a person would curl). */
function payloadOf(name: EventName): Record<string, unknown> {
  if (name === 'task.failed') return { ...task, reason: 'timeout' };
  return name.startsWith('spec.') ? spec : task;
}

const eventOf = (name: EventName): NsEvent => makeEvent(name as 'task.failed', payloadOf(name) as never);

const dirs: string[] = [];
let bundles: BuiltBundle[] = [];
beforeAll(async () => {
  const outDir = await mkdtemp(join(tmpdir(), 'nightshift-build-'));
  dirs.push(outDir);
  bundles = await buildFunctions({ outDir });
}, 180_000);
afterEach(stopAll);
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Copies the bundle alone into a fresh temp dir with no node_modules anywhere above it. */
async function isolate(bundle: BuiltBundle): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `nightshift-${bundle.name}-`));
  dirs.push(dir);
  await copyFile(bundle.file, join(dir, 'index.mjs'));
  for (let up = dir; ; up = dirname(up)) {
    expect(existsSync(join(up, 'node_modules')), `node_modules above ${dir} at ${up}`).toBe(false);
    if (dirname(up) === up) break;
  }
  return dir;
}

describe.each(FUNCTION_NAMES)('bundle %s', (name) => {
  it('starts alone, handles its events as structured, binary and ping, refuses a malformed one', async () => {
    const bundle = bundles.find((b) => b.name === name);
    expect(bundle?.bytes).toBeGreaterThan(0);
    const dir = await isolate(bundle!);
    const proc = await startProcess(join(dir, 'index.mjs'), dir, { PORT: '0' }, 60_000);

    for (const accepted of eventsTriggering(name)) {
      const event = eventOf(accepted);
      const ping = { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payloadOf(accepted)) };
      for (const [mode, path, message] of [
        ['structured', '/', toStructured(event)],
        ['binary', '/', toBinary(event)],
        ['ping', `/?type=${accepted}`, ping],
      ] as const) {
        const res = await fetch(proc.url + path, { method: 'POST', ...message });
        const body = (await res.json()) as { handled?: { type: string; mode: string }; emitted?: unknown[] };
        expect(res.status, `${name} ${mode} ${accepted}: ${JSON.stringify(body)}`).toBe(200);
        expect(body).toEqual({ handled: { id: event.id, type: event.type, mode }, emitted: [], published: false, dryRun: false });
      }
    }

    const { headers } = toBinary(eventOf(eventsTriggering(name)[0]!));
    const bad = await fetch(`${proc.url}/`, { method: 'POST', headers, body: '{"specId": "demo", ' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'BAD_EVENT', message: expect.stringContaining('not JSON') } });

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }, 120_000);
});
