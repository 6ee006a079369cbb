/**
 * The function process for real: a slow function bundled with the same
 * esbuild settings as the five, run as a child process and stopped with
 * signals while a request is in flight.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../shared/events/cloudevent.ts';
import { toBinary } from '../../shared/events/http.ts';
import { BUNDLE_OPTIONS } from '../../scripts/build.ts';
import { spawnProcess, startProcess, stopAll } from './host-process.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const assigned = makeEvent('task.assigned', { specId: 'demo', path: 'specs/active/demo.yaml', taskId: 'api', attempt: 1 });

/** A develop-task stand-in that holds each request until the file named by RELEASE_FILE exists. */
const SLOW_FUNCTION = `
import { existsSync } from 'node:fs';
import { main } from './shared/runtime/main.ts';
await main({
  name: 'develop-task',
  accepts: ['task.assigned'],
  async handle(event, ctx) {
    ctx.log.info('slow handler started');
    while (!existsSync(process.env.RELEASE_FILE ?? '')) await new Promise((r) => setTimeout(r, 20));
    ctx.log.info('slow handler finished');
    return [];
  },
});
`;

let dir = '';
let bundle = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nightshift-host-'));
  bundle = join(dir, 'slow.mjs');
  await build({ ...BUNDLE_OPTIONS, stdin: { contents: SLOW_FUNCTION, resolveDir: ROOT, loader: 'ts', sourcefile: 'slow.ts' }, outfile: bundle });
}, 120_000);
afterEach(stopAll);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a function process', () => {
  it('on SIGTERM turns unready, finishes the in-flight request, then exits 0', async () => {
    const release = join(dir, 'release-1');
    const proc = await startProcess(bundle, dir, { PORT: '0', RELEASE_FILE: release, SHUTDOWN_GRACE_MS: '60000' }, 60_000);
    const inFlight = fetch(`${proc.url}/`, { method: 'POST', ...toBinary(assigned) });
    await proc.waitForLine((l) => l.msg === 'slow handler started');
    proc.child.kill('SIGTERM');
    await proc.waitForLine((l) => String(l.msg).startsWith('shutting down'));
    expect((await fetch(`${proc.url}/_/ready`)).status).toBe(503);
    expect((await fetch(`${proc.url}/`, { method: 'POST', ...toBinary(assigned) })).status).toBe(503);
    await writeFile(release, '');
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(await reply.json()).toMatchObject({ handled: { id: assigned.id }, emitted: [] });
    expect(await proc.exited).toBe(0);
    // The 200 above proves the request finished. The order check uses pino's
    // timestamps: a loaded CI run once saw 'stopped' captured before 'slow
    // handler finished' (cause not found; the lines are kept in the message).
    const finished = proc.lines.find((l) => l.msg === 'slow handler finished');
    const stopped = proc.lines.find((l) => l.msg === 'stopped');
    expect(stopped, JSON.stringify(proc.lines)).toBeDefined();
    expect(finished?.time as number, JSON.stringify(proc.lines)).toBeLessThanOrEqual(stopped?.time as number);
    expect(finished).toMatchObject({ eventId: assigned.id, specId: 'demo', taskId: 'api', attempt: 1 });
  }, 90_000);

  it('on SIGINT while idle exits 0 at once', async () => {
    const proc = await startProcess(bundle, dir, { PORT: '0', RELEASE_FILE: join(dir, 'unused') }, 60_000);
    proc.child.kill('SIGINT');
    expect(await proc.exited).toBe(0);
    expect(proc.lines.some((l) => l.msg === 'stopped')).toBe(true);
  }, 90_000);

  it('drops the in-flight request when the grace period runs out, and still exits 0', async () => {
    const proc = await startProcess(bundle, dir, { PORT: '0', RELEASE_FILE: join(dir, 'never'), SHUTDOWN_GRACE_MS: '200' }, 60_000);
    const inFlight = fetch(`${proc.url}/`, { method: 'POST', ...toBinary(assigned) }).then(
      (r) => r.status,
      () => 'dropped',
    );
    await proc.waitForLine((l) => l.msg === 'slow handler started');
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(await inFlight).toBe('dropped');
    expect(proc.lines.some((l) => String(l.msg).startsWith('grace period over'))).toBe(true);
  }, 90_000);

  it('exits 1 naming the variable when the config is wrong', async () => {
    const proc = spawnProcess(bundle, dir, { PORT: 'eighty', RELEASE_FILE: 'x' });
    expect(await proc.exited).toBe(1);
    const fatal = proc.lines.find((l) => l.level === 60);
    expect(String(fatal?.msg)).toContain('PORT');
  }, 90_000);
});
