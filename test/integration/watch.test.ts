/**
 * The spec watcher on real file-system events in a temp folder: one change
 * per distinct content, bursts debounced, litter ignored. Periodic rescans are
 * off here so that every change comes from a file event.
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { sha256, watchSpecs, type SpecChange, type SpecWatcher, type WatchSpecsOptions } from '../../shared/watch/index.ts';

interface Harness { dir: string; changes: SpecChange[]; logs: Record<string, unknown>[]; watcher: SpecWatcher }
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(options: Partial<WatchSpecsOptions> = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'ns-watch-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const dir = join(root, 'active');
  const changes: SpecChange[] = [];
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const watcher = await watchSpecs({ dir, onChange: (c) => void changes.push(c), rescanMs: 0, log, ...options });
  cleanups.push(() => watcher.close());
  return { dir, changes, logs, watcher };
}

/** Polls until `done()` holds; the limit is only there so a broken watcher fails instead of hanging. */
async function waitFor(done: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const spec = (id: string, title = 'a title') => `# a comment\nid: ${id}\ntitle: ${title}\n`;

describe('watchSpecs on file events', () => {
  test('a new spec file gives one created change with its id and content hash', async () => {
    const h = await start();
    const path = join(h.dir, 'add-login.yaml');
    await writeFile(path, spec('add-login'));
    await waitFor(() => h.changes.length > 0, 'the created change');
    expect(h.changes).toEqual([{ kind: 'created', path, specId: 'add-login', hash: sha256(spec('add-login')) }]);
  });

  test('saving identical content again reports nothing; a real edit reports updated', async () => {
    const h = await start();
    const path = join(h.dir, 'same.yml');
    await writeFile(path, spec('same'));
    await waitFor(() => h.changes.length === 1, 'the first change');
    await writeFile(path, spec('same'));
    // The watcher logs each unchanged read; waiting for that line proves the second save was seen.
    await waitFor(() => h.logs.some((l) => l.msg === 'spec unchanged; no event' && l.path === path), 'the unchanged save');
    expect(h.changes).toHaveLength(1);
    await writeFile(path, spec('same', 'edited'));
    await waitFor(() => h.changes.length === 2, 'the updated change');
    expect(h.changes[1]).toMatchObject({ kind: 'updated', specId: 'same', hash: sha256(spec('same', 'edited')) });
  });

  test('a burst of 10 quick writes gives one change with the final content', async () => {
    const h = await start({ debounceMs: 600 });
    const path = join(h.dir, 'burst.yaml');
    for (let i = 0; i < 10; i++) {
      await writeFile(path, spec('burst', `version ${i}`));
      await new Promise((r) => setTimeout(r, 10));
    }
    const last = sha256(spec('burst', 'version 9'));
    await waitFor(() => h.changes.some((c) => c.hash === last), 'the final content');
    // Changes for one path are delivered in order, so any earlier one would already be here.
    expect(h.changes).toEqual([{ kind: 'created', path, specId: 'burst', hash: last }]);
  });

  test('hidden, temp, backup and sidecar files and subfolders are ignored', async () => {
    const h = await start();
    const litter = ['.real.4242.ab12cd.tmp', '.real.yaml.swp', '.#real.yaml', 'real.yaml~', '4913', '#real.yaml#',
      'real.yaml.tmp', 'real.errors.txt', 'real.events.log', 'real.yaml___jb_tmp___', '.hidden.yaml'];
    for (const name of litter) await writeFile(join(h.dir, name), spec('litter'));
    await mkdir(join(h.dir, 'sub'));
    await writeFile(join(h.dir, 'sub', 'nested.yaml'), spec('nested'));
    // Events for the litter come first; the real file's change arriving means they were all handled.
    await writeFile(join(h.dir, 'real.yaml'), spec('real'));
    await waitFor(() => h.changes.length > 0, 'the real spec');
    expect(await h.watcher.rescan()).toEqual([]);
    expect(h.changes.map((c) => c.specId)).toEqual(['real']);
  });

  test('the id: inside the file wins over the file name; an unparseable file is named by its file', async () => {
    const h = await start();
    await writeFile(join(h.dir, 'Draft Notes.yaml'), spec('add-search'));
    const broken = 'id: [unclosed\n  title: : :\n\t- nope';
    await writeFile(join(h.dir, 'My Broken Spec!.yaml'), broken);
    await waitFor(() => h.changes.length === 2, 'both changes');
    const ids = Object.fromEntries(h.changes.map((c) => [c.path.split('/').pop(), c.specId]));
    expect(ids).toEqual({ 'Draft Notes.yaml': 'add-search', 'My Broken Spec!.yaml': 'my-broken-spec-' });
    expect(h.changes.find((c) => c.specId === 'my-broken-spec-')?.hash).toBe(sha256(broken));
  });

  test('an atomic save (temp file + rename over the spec, as the spec store writes) gives one updated change', async () => {
    const h = await start();
    const path = join(h.dir, 'atomic.yaml');
    await writeFile(path, spec('atomic'));
    await waitFor(() => h.changes.length === 1, 'the first change');
    for (const title of ['second', 'third']) {
      const temp = join(h.dir, `.atomic.yaml.${process.pid}.${title}.tmp`);
      await writeFile(temp, spec('atomic', title));
      await rename(temp, path);
      await waitFor(() => h.changes.some((c) => c.hash === sha256(spec('atomic', title))), `the ${title} save`);
    }
    expect(h.changes.map((c) => c.kind)).toEqual(['created', 'updated', 'updated']);
  });

  test('a deleted file is forgotten, so writing it back is created again', async () => {
    const h = await start();
    const path = join(h.dir, 'gone.yaml');
    await writeFile(path, spec('gone'));
    await waitFor(() => h.changes.length === 1, 'the first change');
    await rm(path);
    await waitFor(() => h.logs.some((l) => l.msg === 'spec file gone; forgotten' && l.path === path), 'the delete');
    await writeFile(path, spec('gone'));
    await waitFor(() => h.changes.length === 2, 'the second change');
    expect(h.changes.map((c) => c.kind)).toEqual(['created', 'created']);
  });
});
