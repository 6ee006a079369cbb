/**
 * The status read model and API on real files and a real PGlite: the list
 * (active, archived and an unreadable file), a spec's detail joined with its
 * attempts, logs, the event stream on a spec change, the token rule, and the
 * gateway's own routes still working beside the API.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { attempts, migrate, type Db } from '../../shared/db/index.ts';
import { startGateway, type Gateway } from '../../shared/dispatch/gateway.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { createStatusApi, listSpecs, specDetail, type StatusApi } from '../../shared/status/index.ts';
import { TEST_VECTOR_DIM } from '../helpers/db-harness.ts';
import { closePgliteTemplate, makePgliteHarness } from '../helpers/db-pglite.ts';

const log = createLogger({ name: 'status-test', level: 'silent' });
const TOKEN = 's3cret-token';

let dir: string;
let db: Db;
let closeDb: () => Promise<void>;
let fnServer: Server;
const gateways: Gateway[] = [];
const apis: StatusApi[] = [];

function alpha(bStatus: string): Record<string, unknown> {
  return {
    id: 'alpha',
    title: 'Alpha spec',
    priority: 'high',
    repo: { path: '.', base: 'main' },
    status: 'in-progress',
    tasks: [
      { id: 'a', title: 'Task A', files: ['a.txt'], status: 'completed', attempts: 2 },
      { id: 'b', title: 'Task B', files: ['b.txt'], dependsOn: ['a'], status: bStatus, attempts: 1 },
    ],
  };
}

async function start(options: { token?: string } = {}): Promise<string> {
  const api = createStatusApi({ specsDir: dir, db, streamIntervalMs: 100, log, ...options });
  apis.push(api);
  const fnPort = (fnServer.address() as AddressInfo).port;
  const gw = await startGateway({ port: 0, log, names: ['echo'], target: async () => ({ host: '127.0.0.1', port: fnPort }), api: api.handle });
  gateways.push(gw);
  return `http://127.0.0.1:${gw.port}`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ns-status-'));
  await mkdir(join(dir, 'active'));
  await mkdir(join(dir, 'archive', '2025-01'), { recursive: true });
  await writeFile(join(dir, 'active', 'alpha.yaml'), stringify(alpha('in-progress')));
  await writeFile(join(dir, 'active', 'broken.yaml'), 'id: broken\ntitle: [not closed\n');
  await writeFile(join(dir, 'archive', '2025-01', 'old.yaml'), stringify({ ...alpha('completed'), id: 'old', title: 'Old spec', status: 'completed' }));
  // Loads, but the system rejected it for what only a run finds: its errors are its problems.
  await writeFile(join(dir, 'active', 'rej.yaml'), stringify({ ...alpha('pending'), id: 'rej', title: 'Rejected', status: 'rejected', errors: ['repo.path: /nowhere does not exist'] }));
  // Not a spec file: ignored.
  await writeFile(join(dir, 'active', 'alpha.errors.txt'), 'nothing');

  const h = await makePgliteHarness();
  db = h.db;
  closeDb = h.close;
  await migrate(db, { vectorDim: TEST_VECTOR_DIM });
  const repo = attempts(db);
  await repo.create('alpha', 'a', 1);
  const l1 = await repo.claim('worker-1', 60_000, { specId: 'alpha', taskId: 'a', attempt: 1 });
  await repo.fail(l1!.token, { error: 'boom: check failed', reason: 'checks', log: 'agent log of attempt 1' });
  await repo.create('alpha', 'a', 2);
  const l2 = await repo.claim('worker-1', 60_000, { specId: 'alpha', taskId: 'a', attempt: 2 });
  await repo.complete(l2!.token, { diff: 'diff --git a/a.txt b/a.txt\n', log: 'agent log of attempt 2', timings: { agent: 12 } });
  await repo.create('alpha', 'b', 1);
  await repo.claim('worker-2', 60_000, { specId: 'alpha', taskId: 'b', attempt: 1 });

  fnServer = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`echo ${req.method} ${req.url}`));
  await new Promise<void>((r) => fnServer.listen(0, '127.0.0.1', r));
});

afterAll(async () => {
  for (const api of apis) api.close();
  await Promise.all(gateways.map((g) => g.close()));
  await new Promise((r) => fnServer.close(r));
  await closeDb();
  await closePgliteTemplate();
  await rm(dir, { recursive: true, force: true });
});

describe('read model', () => {
  test('lists active specs, archived specs and an unreadable file with its problem', async () => {
    const specs = await listSpecs(dir);
    expect(specs.map((s) => [s.id, s.status, s.file, s.archived])).toEqual([
      ['alpha', 'in-progress', 'active/alpha.yaml', false],
      ['broken', 'unreadable', 'active/broken.yaml', false],
      ['rej', 'rejected', 'active/rej.yaml', false],
      ['old', 'completed', 'archive/2025-01/old.yaml', true],
    ]);
    expect(specs[2]?.problems).toEqual(['repo.path: /nowhere does not exist']);
    expect(specs[0]?.problems).toBeUndefined();
    const [a, broken] = specs;
    expect(a).toMatchObject({ title: 'Alpha spec', priority: 'high', progress: { total: 2, completed: 1, inProgress: 1, percentage: 50 } });
    expect(broken?.progress).toBeNull();
    expect(broken?.problems?.[0]).toMatch(/^active\/broken\.yaml:\d+:\d+: YAML syntax error/);
  });

  test('a spec detail joins its attempts (without diffs) and sums durations per task', async () => {
    const now = new Date(Date.now() + 5000);
    const d = await specDetail(dir, 'alpha', attempts(db), now);
    expect(d.attemptsKnown).toBe(true);
    expect(d.attempts.map((a) => [a.taskId, a.attempt, a.status, a.worker])).toEqual([
      ['a', 1, 'failed', 'worker-1'],
      ['a', 2, 'succeeded', 'worker-1'],
      ['b', 1, 'running', 'worker-2'],
    ]);
    expect(d.attempts[0]).toMatchObject({ error: 'boom: check failed', reason: 'checks' });
    expect(d.attempts[1]?.timings).toEqual({ agent: 12 });
    expect(JSON.stringify(d)).not.toContain('diff --git');
    const [a, b] = d.tasks;
    // Completed: its earlier failure is history; two finished attempts have a duration.
    expect(a).toMatchObject({ id: 'a', status: 'completed', attempt: 2, lastError: null });
    expect(a?.durationMs).toBeGreaterThanOrEqual(0);
    // Running: counted up to `now`, so at least the 5 s added above.
    expect(b).toMatchObject({ id: 'b', status: 'in-progress', attempt: 1, dependsOn: ['a'] });
    expect(b?.durationMs).toBeGreaterThanOrEqual(4900);
  });

  test('files only: no attempts, attempt numbers from the file', async () => {
    const d = await specDetail(dir, 'alpha', undefined);
    expect(d.attemptsKnown).toBe(false);
    expect(d.attempts).toEqual([]);
    expect(d.tasks.map((t) => [t.id, t.attempt, t.durationMs])).toEqual([
      ['a', 2, null],
      ['b', 1, null],
    ]);
  });

  test('an unknown spec is NOT_FOUND and names the ids that exist', async () => {
    await expect(specDetail(dir, 'nope', undefined)).rejects.toMatchObject({ code: 'NOT_FOUND', details: { ids: ['alpha', 'broken', 'rej', 'old'] } });
  });
});

describe('HTTP API on the gateway', () => {
  test('GET /api/specs, /api/specs/<id>, the log, 404s, and the gateway routes beside them', async () => {
    const base = await start();
    const list = await fetch(`${base}/api/specs`);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toContain('application/json');
    expect(await list.json()).toEqual({ specs: await listSpecs(dir) });

    const detail = (await (await fetch(`${base}/api/specs/alpha`)).json()) as Record<string, unknown>;
    expect(Object.keys(detail).sort()).toEqual(['archived', 'attempts', 'attemptsKnown', 'file', 'spec', 'tasks']);
    expect(detail.file).toBe('active/alpha.yaml');
    expect((detail.spec as { id: string }).id).toBe('alpha');
    const first = (detail.attempts as Record<string, unknown>[])[0]!;
    expect(Object.keys(first).sort()).toEqual(['attempt', 'durationMs', 'error', 'finishedAt', 'heartbeatAt', 'reason', 'startedAt', 'status', 'taskId', 'timings', 'worker']);
    expect(typeof first.startedAt).toBe('string');

    const archived = (await (await fetch(`${base}/api/specs/old`)).json()) as { archived: boolean; file: string };
    expect(archived).toMatchObject({ archived: true, file: 'archive/2025-01/old.yaml' });

    const logRes = await fetch(`${base}/api/specs/alpha/tasks/a/attempts/1/log`);
    expect(await logRes.json()).toEqual({ log: 'agent log of attempt 1', error: 'boom: check failed', reason: 'checks' });
    const text = await fetch(`${base}/api/specs/alpha/tasks/a/attempts/1/log?format=text`);
    expect(text.headers.get('content-type')).toContain('text/plain');
    expect(await text.text()).toContain('agent log of attempt 1');

    const report = await fetch(`${base}/api/report`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toContain('text/markdown');
    expect(await report.text()).toMatch(/^# /);

    const unknown = await fetch(`${base}/api/specs/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'NOT_FOUND', message: expect.stringContaining('alpha, broken, rej, old') } });
    expect((await fetch(`${base}/api/specs/alpha/tasks/a/attempts/9/log`)).status).toBe(404);
    expect((await fetch(`${base}/api/nothing`)).status).toBe(404);
    const broken = await fetch(`${base}/api/specs/broken`);
    expect(broken.status).toBe(422);
    expect(await broken.json()).toMatchObject({ error: { code: 'SPEC_INVALID' } });
    expect((await fetch(`${base}/api/specs`, { method: 'POST', body: '{}' })).status).toBe(405);

    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<title>nightshift status</title>');
    // Nothing from the network: no external script, style, font or image; the SVG namespace is a name, not a fetch.
    expect(html).not.toMatch(/<script[^>]+src=|<link|@import|url\((?!#)/);
    expect(html.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\//);

    // What the gateway did before still works.
    expect((await fetch(`${base}/_/health`)).status).toBe(200);
    expect(await (await fetch(`${base}/system/functions`)).json()).toEqual([{ name: 'echo' }]);
    expect(await (await fetch(`${base}/function/echo/x?y=1`)).text()).toBe('echo GET /x?y=1');
    expect((await fetch(`${base}/function/nope`)).status).toBe(404);
  });

  test('with a token: refused without it or with a wrong one, accepted as a bearer header or ?token=', async () => {
    const base = await start({ token: TOKEN });
    for (const path of ['/api/specs', '/api/specs/alpha', '/', '/api/stream']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    }
    expect((await fetch(`${base}/api/specs`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${base}/api/specs?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/api/specs`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${base}/api/specs/alpha?token=${TOKEN}`)).status).toBe(200);
    expect((await fetch(`${base}/?token=${TOKEN}`)).status).toBe(200);
    // Health stays open for probes.
    expect((await fetch(`${base}/_/health`)).status).toBe(200);
  });

  test('GET /api/stream sends the overview at once and again when a spec in active/ changes', async () => {
    const base = await start();
    const ac = new AbortController();
    const res = await fetch(`${base}/api/stream`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const nextEvent = async (): Promise<{ specs: { id: string; status: string }[] }> => {
      for (;;) {
        const m = /event: specs\ndata: (.*)\n\n/.exec(buffer);
        if (m) {
          buffer = buffer.slice(m.index + m[0].length);
          return JSON.parse(m[1]!) as { specs: { id: string; status: string }[] };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    try {
      const first = await nextEvent();
      expect(first.specs.find((s) => s.id === 'alpha')?.status).toBe('in-progress');
      await writeFile(join(dir, 'active', 'alpha.yaml'), stringify({ ...alpha('completed'), status: 'completed' }));
      const second = await nextEvent();
      expect(second.specs.find((s) => s.id === 'alpha')?.status).toBe('completed');
      await writeFile(join(dir, 'active', 'gamma.yaml'), stringify({ ...alpha('pending'), id: 'gamma', title: 'Gamma' }));
      const third = await nextEvent();
      expect(third.specs.map((s) => s.id)).toContain('gamma');
    } finally {
      ac.abort();
      await writeFile(join(dir, 'active', 'alpha.yaml'), stringify(alpha('in-progress')));
      await rm(join(dir, 'active', 'gamma.yaml'), { force: true });
    }
  });
});
