/**
 * The repair path of the spec watcher: the start-up scan, the periodic
 * rescan with file events turned off (so a change is "missed" on purpose),
 * and a failing change handler retried by the next rescan.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { changeToEvent, sha256, watchSpecs, type SpecChange, type WatchSpecsOptions } from '../../shared/watch/index.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tempSpecs(): Promise<{ root: string; dir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'ns-watch-rescan-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const dir = join(root, 'active');
  await mkdir(dir);
  return { root, dir };
}

function silentLog(logs: Record<string, unknown>[] = []) {
  return pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
}

async function start(options: WatchSpecsOptions) {
  const watcher = await watchSpecs(options);
  cleanups.push(() => watcher.close());
  return watcher;
}

async function waitFor(done: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const spec = (id: string, title = 'a title') => `id: ${id}\ntitle: ${title}\n`;

describe('watchSpecs rescans', () => {
  test('specs already in the folder are reported as created before watchSpecs resolves', async () => {
    const { dir } = await tempSpecs();
    await writeFile(join(dir, 'b.yaml'), spec('bravo'));
    await writeFile(join(dir, 'a.yml'), spec('alpha'));
    await writeFile(join(dir, '.a.yml.123.x.tmp'), spec('temp'));
    const changes: SpecChange[] = [];
    await start({ dir, onChange: (c) => void changes.push(c), rescanMs: 0, log: silentLog() });
    expect(changes).toEqual([
      { kind: 'created', path: join(dir, 'a.yml'), specId: 'alpha', hash: sha256(spec('alpha')) },
      { kind: 'created', path: join(dir, 'b.yaml'), specId: 'bravo', hash: sha256(spec('bravo')) },
    ]);
  });

  test('with file events off, the periodic rescan picks up new and edited files', async () => {
    const { dir } = await tempSpecs();
    const changes: SpecChange[] = [];
    await start({ dir, onChange: (c) => void changes.push(c), fsEvents: false, rescanMs: 100, log: silentLog() });
    expect(changes).toEqual([]);
    const path = join(dir, 'late.yaml');
    await writeFile(path, spec('late'));
    await waitFor(() => changes.length === 1, 'the rescan to find the new file');
    await writeFile(path, spec('late', 'edited'));
    await waitFor(() => changes.length === 2, 'the rescan to find the edit');
    expect(changes.map((c) => [c.kind, c.hash])).toEqual([
      ['created', sha256(spec('late'))],
      ['updated', sha256(spec('late', 'edited'))],
    ]);
  });

  test('rescan() reports only what differs from the last report, and forgets deleted files', async () => {
    const { dir } = await tempSpecs();
    const path = join(dir, 'x.yaml');
    await writeFile(path, spec('x'));
    const changes: SpecChange[] = [];
    const watcher = await start({ dir, onChange: (c) => void changes.push(c), fsEvents: false, rescanMs: 0, log: silentLog() });
    expect(await watcher.rescan()).toEqual([]);
    await rm(path);
    expect(await watcher.rescan()).toEqual([]);
    await writeFile(path, spec('x'));
    expect(await watcher.rescan()).toEqual([{ kind: 'created', path, specId: 'x', hash: sha256(spec('x')) }]);
    expect(changes).toHaveLength(2);
  });

  test('a change handler that throws once is retried by the next rescan, and the error is logged', async () => {
    const { dir } = await tempSpecs();
    const calls: SpecChange[] = [];
    const logs: Record<string, unknown>[] = [];
    const onChange = (c: SpecChange) => {
      calls.push(c);
      if (calls.length === 1) throw new Error('bus is down');
    };
    const watcher = await start({ dir, onChange, fsEvents: false, rescanMs: 100, log: silentLog(logs) });
    await writeFile(join(dir, 'flaky.yaml'), spec('flaky'));
    await waitFor(() => calls.length === 2, 'the retry');
    expect(calls[1]).toEqual(calls[0]);
    expect(calls[1]?.kind).toBe('created');
    const failure = logs.find((l) => l.msg === 'spec change handler failed; the next rescan retries');
    expect((failure?.err as { message?: string } | undefined)?.message).toBe('bus is down');
    expect(await watcher.rescan()).toEqual([]);
  });

  test('a restarted watcher reports the same content under the same event id', async () => {
    const { root, dir } = await tempSpecs();
    await writeFile(join(dir, 'keep.yaml'), spec('keep'));
    const first: SpecChange[] = [];
    const w1 = await start({ dir, onChange: (c) => void first.push(c), rescanMs: 0, log: silentLog() });
    await w1.close();
    const second: SpecChange[] = [];
    await start({ dir, onChange: (c) => void second.push(c), rescanMs: 0, log: silentLog() });
    expect(second).toEqual(first);
    expect(second.map((c) => changeToEvent(c, root).id)).toEqual(first.map((c) => changeToEvent(c, root).id));
  });

  test('close() called from inside onChange resolves instead of waiting for itself', async () => {
    const { dir } = await tempSpecs();
    let closedInside = false;
    const watcher = await start({
      dir,
      onChange: async () => {
        await watcher.close();
        closedInside = true;
      },
      fsEvents: false,
      rescanMs: 0,
      log: silentLog(),
    });
    await writeFile(join(dir, 'stop.yaml'), spec('stop'));
    await watcher.rescan();
    expect(closedInside).toBe(true);
  });

  test('the folder is created when it does not exist', async () => {
    const { root } = await tempSpecs();
    const dir = join(root, 'fresh', 'active');
    const watcher = await start({ dir, onChange: () => undefined, fsEvents: false, rescanMs: 0, log: silentLog() });
    await writeFile(join(dir, 'new.yaml'), spec('new'));
    expect((await watcher.rescan()).map((c) => c.specId)).toEqual(['new']);
  });
});
