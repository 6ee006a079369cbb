import { mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { SpecStore } from '../../../shared/spec/store.ts';

const AT = '2025-03-04T05:06:07.000Z';
const USER_SPEC = `# Demo spec: the user's comments must survive.
id: demo
title: 'Demo spec'   # single quotes on purpose
description: >
  A folded description that is long enough that a reformatting stringifier would be tempted to wrap it somewhere past eighty columns.

priority: high
repo: { path: ../repo, base: main }

tasks:
  # the first task
  - id: t1
    title: "First"
    files:
    - src/a.ts
    status: pending # set by nightshift

  - id: t2
    title: Second
    dependsOn: [t1]
# trailing comment
`;

let dir: string;
let store: SpecStore;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ns-store-'));
  store = new SpecStore({ root: dir, clock: () => new Date(AT) });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('SpecStore.update', () => {
  it('changes only the system-owned lines, byte for byte', async () => {
    const file = await put('demo.yaml', USER_SPEC);
    const result = await store.update('demo.yaml', (d) => {
      d.setTaskStatus('t1', 'assigned', { attempts: 1, note: 'go' });
      d.setTaskStatus('t2', 'blocked', { lastError: 'boom: "x"\nsecond line' });
    });
    expect(result.changed).toBe(true);
    const expected = USER_SPEC.replace('status: pending # set by nightshift\n', 'status: assigned # set by nightshift\n    attempts: 1\n').replace(
      '    dependsOn: [t1]\n# trailing comment\n',
      `    dependsOn: [t1]
    lastError: "boom: \\"x\\"\\nsecond line"
    status: blocked
progress:
  total: 2
  completed: 0
  inProgress: 1
  failed: 0
  blocked: 1
  pending: 0
  percentage: 0
changeLog:
  - at: ${AT}
    by: nightshift
    task: t1
    from: pending
    to: assigned
    note: go
  - at: ${AT}
    by: nightshift
    task: t2
    from: pending
    to: blocked
# trailing comment
`,
    );
    expect(await readFile(file, 'utf8')).toBe(expected);
    expect(result.spec.tasks[1]?.lastError).toBe('boom: "x"\nsecond line');
    expect(await readdir(dir)).toEqual(['demo.yaml']); // no temp or lock file left
  });

  it('writes nothing at all when nothing changes', async () => {
    const file = await put('demo.yaml', USER_SPEC);
    const old = new Date('2020-01-01T00:00:00Z');
    const { utimes } = await import('node:fs/promises');
    await utimes(file, old, old);
    const before = await stat(file);
    const result = await store.update('demo.yaml', (d) => {
      d.setTaskStatus('t1', 'pending');
      d.setSpecStatus('pending');
      d.setTaskFields('t2', { attempts: 0 });
    });
    expect(result.changed).toBe(false);
    const after = await stat(file);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
    expect(await readFile(file, 'utf8')).toBe(USER_SPEC);
    expect(await readdir(dir)).toEqual(['demo.yaml']);
  });

  it('walks a task and the spec through their whole lives and keeps progress right', async () => {
    await put('demo.yaml', USER_SPEC);
    await store.update('demo.yaml', (d) => void d.setSpecStatus('planning'));
    await store.update('demo.yaml', (d) => void d.setSpecStatus('in-progress'));
    for (const to of ['assigned', 'in-progress', 'diff-submitted', 'in-review'] as const) {
      const r = await store.update('demo.yaml', (d) => void d.setTaskStatus('t1', to));
      expect(r.spec.progress).toMatchObject({ total: 2, inProgress: 1, pending: 1, completed: 0 });
    }
    let r = await store.update('demo.yaml', (d) => void d.setTaskStatus('t1', 'completed'));
    expect(r.spec.progress).toEqual({ total: 2, completed: 1, inProgress: 0, failed: 0, blocked: 0, pending: 1, percentage: 50 });
    r = await store.update('demo.yaml', (d) => {
      d.setTaskStatus('t2', 'assigned', { attempts: 1 });
      d.setTaskStatus('t2', 'failed', { lastError: 'tests failed' });
    });
    expect(r.spec.progress).toMatchObject({ failed: 1, percentage: 50 });
    r = await store.update('demo.yaml', (d) => {
      d.setTaskStatus('t2', 'assigned', { attempts: 2, lastError: null });
      for (const to of ['in-progress', 'diff-submitted', 'in-review', 'completed'] as const) d.setTaskStatus('t2', to);
      d.setSpecStatus('completed', 'all tasks done');
    });
    expect(r.spec.status).toBe('completed');
    expect(r.spec.tasks[1]).toMatchObject({ status: 'completed', attempts: 2 });
    expect(r.spec.tasks[1]?.lastError).toBeUndefined();
    expect(r.spec.progress).toMatchObject({ completed: 2, percentage: 100 });
    expect(r.spec.changeLog.map((e) => `${e.task ?? 'spec'}:${e.from}>${e.to}`)).toEqual([
      'spec:pending>planning', 'spec:planning>in-progress',
      't1:pending>assigned', 't1:assigned>in-progress', 't1:in-progress>diff-submitted', 't1:diff-submitted>in-review', 't1:in-review>completed',
      't2:pending>assigned', 't2:assigned>failed', 't2:failed>assigned', 't2:assigned>in-progress', 't2:in-progress>diff-submitted',
      't2:diff-submitted>in-review', 't2:in-review>completed', 'spec:in-progress>completed',
    ]);
  });

  it('refuses an illegal transition with a clear message and leaves the file alone', async () => {
    const file = await put('demo.yaml', USER_SPEC);
    await store.update('demo.yaml', (d) => {
      for (const to of ['assigned', 'in-progress', 'diff-submitted', 'in-review', 'completed'] as const) d.setTaskStatus('t1', to);
    });
    const before = await readFile(file, 'utf8');
    await expect(store.update('demo.yaml', (d) => void d.setTaskStatus('t1', 'assigned'))).rejects.toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      message: 'task t1 of spec demo: cannot go from completed to assigned',
    });
    await expect(store.update('demo.yaml', (d) => void d.setSpecStatus('completed'))).rejects.toThrow('spec demo: cannot go from pending to completed');
    await expect(store.update('demo.yaml', (d) => void d.setTaskStatus('nope', 'assigned'))).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('picks up a save by rename made while it writes (the look before the rename)', async () => {
    const file = await put('demo.yaml', USER_SPEC);
    let calls = 0;
    const r = await store.update('demo.yaml', async (d) => {
      calls++;
      if (calls === 2) {
        // A new inode, as editors that save through a temp file make: only reading the path again sees it.
        await writeFile(`${file}.new`, USER_SPEC.replace('title: Second', 'title: Saved by rename'));
        await rename(`${file}.new`, file);
      }
      d.setTaskStatus('t2', 'assigned');
    });
    expect(calls).toBe(3);
    expect(r.spec.tasks[1]).toMatchObject({ title: 'Saved by rename', status: 'assigned' });
    expect(await readFile(file, 'utf8')).toContain('title: Saved by rename\n');
  });

  it('picks up an in-place save that lands during the rename (the old file is read again)', async () => {
    const file = await put('demo.yaml', USER_SPEC);
    let saves = 0;
    const racy = new SpecStore({
      root: dir,
      clock: () => new Date(AT),
      beforeRename: async () => {
        if (saves++ === 0) await writeFile(file, USER_SPEC.replace('title: Second', 'title: Saved in place'));
      },
    });
    const r = await racy.update('demo.yaml', (d) => void d.setTaskStatus('t2', 'assigned'));
    expect(saves).toBe(2);
    expect(r.spec.tasks[1]).toMatchObject({ title: 'Saved in place', status: 'assigned' });
    expect(await readFile(file, 'utf8')).toContain('title: Saved in place\n');
    expect(await readdir(dir)).toEqual(['demo.yaml']);
  });

  it('picks up a user edit made while it writes, by starting over', async () => {
    const file = await put('demo.yaml', USER_SPEC);
    let calls = 0;
    const r = await store.update('demo.yaml', async (d) => {
      calls++;
      // Call 1 is the unlocked look, call 2 the first locked attempt: the user saves during it.
      if (calls === 2) await writeFile(file, USER_SPEC.replace('title: Second', 'title: Second, renamed by the user # edited'));
      d.setTaskStatus('t2', 'assigned');
    });
    expect(calls).toBe(3);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('title: Second, renamed by the user # edited');
    expect(r.spec.tasks[1]).toMatchObject({ title: 'Second, renamed by the user', status: 'assigned' });
  });

  it('keeps the file permissions and handles CRLF line endings', async () => {
    const crlf = USER_SPEC.replace(/\n/g, '\r\n');
    const file = await put('crlf.yaml', crlf);
    const { chmod } = await import('node:fs/promises');
    await chmod(file, 0o600);
    await store.update('crlf.yaml', (d) => void d.setTaskStatus('t2', 'assigned'));
    const text = await readFile(file, 'utf8');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(text.startsWith(crlf.slice(0, crlf.indexOf('  - id: t2')))).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('still writes a spec in flow style, where no line can be spliced', async () => {
    await put('flow.yaml', '{ id: flow, title: Flow, repo: { path: . }, tasks: [ { id: t1, title: One } ] }\n');
    const r = await store.update('flow.yaml', (d) => void d.setTaskStatus('t1', 'assigned'));
    expect((await store.read('flow.yaml')).spec).toEqual(r.spec);
    expect(r.spec.tasks[0]?.status).toBe('assigned');
  });

  it('keeps the end of an over-long lastError within the schema limit', async () => {
    await put('demo.yaml', USER_SPEC);
    const long = `${'x'.repeat(70_000)}THE END`;
    const r = await store.update('demo.yaml', (d) => void d.setTaskStatus('t1', 'failed', { lastError: long }));
    expect(r.spec.tasks[0]?.lastError).toHaveLength(64 * 1024);
    expect(r.spec.tasks[0]?.lastError).toMatch(/^\[\.\.\.\] x+THE END$/);
  });

  it('caps the changeLog, dropping the oldest entries', async () => {
    const log = Array.from({ length: 500 }, (_, i) => `  - { at: "${AT}", by: old, to: pending, note: "n${i}" }\n`).join('');
    await put('log.yaml', `${USER_SPEC}changeLog:\n${log}`);
    const r = await store.update('log.yaml', (d) => void d.setTaskStatus('t1', 'assigned'));
    expect(r.spec.changeLog).toHaveLength(400);
    expect(r.spec.changeLog[0]?.note).toBe('n101');
    expect(r.spec.changeLog.at(-1)).toMatchObject({ task: 't1', to: 'assigned' });
  });
});

describe('bad specs', () => {
  it('never rewrites a file that does not parse, and writes its errors beside it', async () => {
    const broken = 'id: demo\ntitle: [unclosed\n  # my notes\n';
    const file = await put('broken.yaml', broken);
    await expect(store.update('broken.yaml', (d) => void d.setSpecStatus('planning'))).rejects.toMatchObject({ code: 'SPEC_INVALID', parsed: false });
    const r = await store.markRejected('broken.yaml');
    expect(r).toMatchObject({ where: 'beside', changed: true });
    expect(await readFile(file, 'utf8')).toBe(broken);
    const errors = await readFile(`${file}.errors.txt`, 'utf8');
    expect(errors).toMatch(/^nightshift could not read broken.yaml/);
    expect(errors).toMatch(/line \d+, column \d+: YAML syntax error/);
    expect((await store.markRejected('broken.yaml')).changed).toBe(false); // same errors: no write
    expect(await store.writeErrorsBeside('broken.yaml', [])).toBe(true);
    expect(await readdir(dir)).toEqual(['broken.yaml']);
  });

  it('marks a parseable but invalid spec rejected in place, keeping the rest of the text', async () => {
    const invalid = USER_SPEC.replace('  - id: t2\n', '  - id: T2 bad\n');
    const file = await put('bad.yaml', invalid);
    await writeFile(`${file}.errors.txt`, 'left from when it did not parse\n');
    const r = await store.markRejected('bad.yaml');
    expect(r).toMatchObject({ where: 'spec', changed: true });
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(invalid.replace('# trailing comment\n', ''))).toBe(true);
    const data = YAML.parse(text) as { status: string; errors: string[]; changeLog: unknown[] };
    expect(data.status).toBe('rejected');
    expect(data.errors.join('\n')).toMatch(/^line 18, column \d+: tasks\[1\]\.id: task id must be/m);
    expect(data.changeLog).toEqual([{ at: AT, by: 'nightshift', from: 'pending', to: 'rejected', note: '1 problem' }]);
    expect(await readdir(dir)).toEqual(['bad.yaml']); // the stale errors file is gone
    expect((await store.markRejected('bad.yaml')).changed).toBe(false);

    // The user fixes it; leaving `rejected` clears the errors.
    await writeFile(file, text.replace('id: T2 bad', 'id: t2'));
    const fixed = await store.update('bad.yaml', (d) => void d.setSpecStatus('pending', 'fixed by the user'));
    expect(fixed.spec.status).toBe('pending');
    expect(fixed.spec.errors).toBeUndefined();
    expect(await readFile(file, 'utf8')).not.toContain('errors:');
  });
});

describe('SpecStore.archive', () => {
  it('moves a completed spec to archive/YYYY-MM without overwriting an earlier one', async () => {
    const done = USER_SPEC.replace('id: demo\n', 'id: demo\nstatus: completed\n');
    await put('demo.yaml', done);
    const first = await store.archive('demo.yaml');
    expect(first).toBe(path.join(dir, 'archive', '2025-03', 'demo.yaml'));
    await put('demo.yaml', done.replace('Demo spec', 'Second run'));
    const second = await store.archive('demo.yaml');
    expect(second).toBe(path.join(dir, 'archive', '2025-03', 'demo-1.yaml'));
    expect(await readFile(first, 'utf8')).toBe(done);
    expect(await readFile(second, 'utf8')).toContain('Second run');
    expect((await readdir(dir)).sort()).toEqual(['archive']);
  });

  it('refuses a spec that is not completed', async () => {
    await put('demo.yaml', USER_SPEC);
    await expect(store.archive('demo.yaml')).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION', message: expect.stringContaining('spec demo is pending') });
    expect(await readdir(dir)).toEqual(['demo.yaml']);
  });
});
