import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, lockPathFor } from '../../../shared/spec/lock.ts';
import { SpecStore } from '../../../shared/spec/store.ts';
import { manyTaskSpec } from '../../fixtures/spec-text.ts';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ns-lock-'));
  file = path.join(dir, 'busy.yaml');
  await writeFile(file, manyTaskSpec(20));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('spec lock', () => {
  it('recovers a lock left by a dead writer and sweeps its temp file', async () => {
    const pid = deadPid();
    await writeFile(lockPathFor(file), JSON.stringify({ pid, host: hostname(), at: Date.now(), token: 'x' }));
    await writeFile(path.join(dir, `.busy.yaml.${pid}.abcdef.tmp`), 'half a spec');
    const store = new SpecStore({ root: dir, lock: { timeoutMs: 2000 } });
    const r = await store.update('busy.yaml', (d) => void d.setTaskStatus('t01', 'assigned'));
    expect(r.changed).toBe(true);
    expect(await readdir(dir)).toEqual(['busy.yaml']);
  });

  it('gives up with SPEC_LOCKED, naming the holder, when a live writer keeps the lock', async () => {
    const held = await acquireLock(file);
    try {
      const store = new SpecStore({ root: dir, lock: { timeoutMs: 200 } });
      const before = await readFile(file, 'utf8');
      await expect(store.update('busy.yaml', (d) => void d.setTaskStatus('t01', 'assigned'))).rejects.toMatchObject({
        code: 'SPEC_LOCKED',
        message: expect.stringContaining(`"pid":${process.pid}`),
      });
      expect(await readFile(file, 'utf8')).toBe(before);
    } finally {
      await held.release();
    }
    expect(await readdir(dir)).toEqual(['busy.yaml']);
  });

  it('loses no update among 20 writers in one process', async () => {
    const store = new SpecStore({ root: dir });
    const ids = Array.from({ length: 20 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    await Promise.all(ids.map((id) => store.update('busy.yaml', (d) => void d.setTaskStatus(id, 'assigned', { note: id }))));
    const { spec } = await store.read('busy.yaml');
    expect(spec.tasks.every((t) => t.status === 'assigned')).toBe(true);
    expect(spec.changeLog.map((e) => e.note).sort()).toEqual(ids);
    expect(spec.progress).toMatchObject({ total: 20, inProgress: 20, pending: 0 });
  });
});
