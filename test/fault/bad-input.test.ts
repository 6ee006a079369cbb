/**
 * Bad input at every door of every function: malformed CloudEvents and HTTP
 * bodies (missing attributes, wrong specversion, non-JSON, oversize, unknown
 * fields, hostile paths, wrong or missing token, wrong methods and content
 * types) sent to the five real function hosts, with real services on PGlite
 * and a real spec and repository behind them. Each gets a 4xx with an error
 * code; afterwards no table has a row, no git ref moved and the spec file is
 * byte for byte the same.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ALL_FUNCTIONS } from '../../cli/functions.ts';
import { loadConfig } from '../../shared/config.ts';
import { migrate, type Db } from '../../shared/db/index.ts';
import { eventsTriggering } from '../../shared/events/catalog.ts';
import { createServices } from '../../shared/pipeline/services.ts';
import { serve, type ServerHandle } from '../../shared/runtime/http-host.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { closePgliteTemplate, makePgliteHarness } from '../helpers/db-pglite.ts';
import type { DbHarness } from '../helpers/db-harness.ts';
import { initRepo, scriptAgent } from '../helpers/pipeline-world.ts';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';

const TOKEN = 'sekret-token';
let dir: string;
let harness: DbHarness;
let git: (args: string[]) => string;
let specText: string;
const servers = new Map<string, ServerHandle>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ns-bad-input-'));
  git = await initRepo(join(dir, 'repo'));
  await mkdir(join(dir, 'specs', 'active'), { recursive: true });
  specText = stringify({ id: 'door', title: 'Door', repo: { path: join(dir, 'repo'), base: 'main' }, agent: scriptAgent({ writes: { 'x.txt': 'x\n' } }), tasks: [{ id: 't', title: 'T', files: ['x.txt'] }] });
  await writeFile(join(dir, 'specs', 'active', 'door.yaml'), specText);
  harness = await makePgliteHarness();
  await migrate(harness.db, { vectorDim: 8 });
  const config = loadConfig({ SPECS_DIR: join(dir, 'specs'), VECTOR_DIM: '8', WORKSPACES_DIR: join(dir, 'ws'), NIGHTSHIFT_TOKEN: TOKEN, BODY_LIMIT: String(64 * 1024), PORT: '0' });
  const services = createServices(config, { db: harness.db });
  for (const fn of ALL_FUNCTIONS) servers.set(fn.name, await serve(fn, { config, host: '127.0.0.1', log: createLogger({ level: 'silent' }), services }));
  for (const s of servers.values()) await s.ready;
});

afterAll(async () => {
  for (const s of servers.values()) await s.close();
  await harness.close();
  await closePgliteTemplate();
  await rm(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${TOKEN}` };
const json = { 'content-type': 'application/json', ...auth };
const ce = { 'content-type': 'application/cloudevents+json', ...auth };
const task = { specId: 'door', path: 'active/door.yaml', taskId: 't', attempt: 1 };

interface Case {
  name: string;
  method?: string;
  headers: Record<string, string>;
  body?: string;
  status: number;
}

/** The requests, for a function whose primary trigger is `type` and which does not handle `otherType`. */
function cases(type: string, otherType: string, data: Record<string, unknown>): Case[] {
  const structured = (over: Record<string, unknown>) => JSON.stringify({ specversion: '1.0', id: 'e-1', source: '/test', type, datacontenttype: 'application/json', data, ...over });
  const binary = (over: Record<string, string>) => ({ 'ce-specversion': '1.0', 'ce-id': 'e-1', 'ce-source': '/test', 'ce-type': type, ...json, ...over });
  return [
    { name: 'empty body', headers: json, body: '', status: 400 },
    { name: 'null', headers: json, body: 'null', status: 400 },
    { name: 'an array', headers: json, body: '[]', status: 400 },
    { name: 'not JSON', headers: json, body: 'hello there', status: 400 },
    { name: 'truncated JSON', headers: json, body: '{"specId": "door"', status: 400 },
    { name: 'structured without id', headers: ce, body: structured({ id: undefined }), status: 400 },
    { name: 'structured without source', headers: ce, body: structured({ source: undefined }), status: 400 },
    { name: 'structured without type', headers: ce, body: structured({ type: undefined }), status: 400 },
    { name: 'specversion 0.3', headers: ce, body: structured({ specversion: '0.3' }), status: 400 },
    { name: 'specversion 2.0', headers: ce, body: structured({ specversion: '2.0' }), status: 400 },
    { name: 'unknown type', headers: ce, body: structured({ type: 'dev.nightshift.nope' }), status: 400 },
    { name: 'a type for another function', headers: ce, body: structured({ type: otherType, data: task }), status: 422 },
    { name: 'a heartbeat', headers: ce, body: structured({ type: 'dev.nightshift.heartbeat', data: { worker: 'w' } }), status: 422 },
    { name: 'unknown data field', headers: ce, body: structured({ data: { ...data, extra: 1 } }), status: 400 },
    { name: 'data without specId', headers: ce, body: structured({ data: { ...data, specId: undefined } }), status: 400 },
    { name: 'specId with ..', headers: ce, body: structured({ data: { ...data, specId: '../etc' } }), status: 400 },
    { name: 'specId with a shell', headers: ce, body: structured({ data: { ...data, specId: '$(touch pwned)' } }), status: 400 },
    { name: 'data as a string', headers: ce, body: structured({ data: 'door' }), status: 400 },
    { name: 'binary without ce-id', headers: binary({ 'ce-id': '' }), body: JSON.stringify(data), status: 400 },
    { name: 'binary without ce-type', headers: binary({ 'ce-type': '' }), body: JSON.stringify(data), status: 400 },
    { name: 'binary specversion 0.3', headers: binary({ 'ce-specversion': '0.3' }), body: JSON.stringify(data), status: 400 },
    { name: 'binary body not JSON', headers: binary({}), body: 'door', status: 400 },
    { name: 'ping with an unknown field', headers: json, body: JSON.stringify({ ...data, hack: true }), status: 400 },
    { name: 'ping with a path out of the specs folder', headers: json, body: JSON.stringify({ ...data, path: '../../etc/passwd.yaml' }), status: 400 },
    { name: 'ping with an absolute path', headers: json, body: JSON.stringify({ ...data, path: '/etc/door.yaml' }), status: 400 },
    { name: 'ping with a path that is no spec', headers: json, body: JSON.stringify({ ...data, path: 'active/door.txt' }), status: 400 },
    { name: 'text/plain', headers: { ...auth, 'content-type': 'text/plain' }, body: JSON.stringify(data), status: 415 },
    { name: 'application/xml', headers: { ...auth, 'content-type': 'application/xml' }, body: '<door/>', status: 415 },
    { name: 'oversize body', headers: json, body: JSON.stringify({ ...data, pad: 'x'.repeat(100 * 1024) }), status: 413 },
    { name: 'no token', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data), status: 401 },
    { name: 'wrong token', headers: { 'content-type': 'application/json', authorization: 'Bearer nope' }, body: JSON.stringify(data), status: 401 },
    { name: 'token in the wrong scheme', headers: { 'content-type': 'application/json', authorization: `Basic ${TOKEN}` }, body: JSON.stringify(data), status: 401 },
    { name: 'GET /', method: 'GET', headers: auth, status: 405 },
    { name: 'PUT /', method: 'PUT', headers: json, body: JSON.stringify(data), status: 405 },
  ];
}

const TABLES = ['attempts', 'processed_events', 'failure_logs', 'retry_history', 'dead_letters'];

async function counts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]?.n);
  return out;
}

describe.each(ALL_FUNCTIONS.map((f) => f.name))('%s', (name) => {
  it('answers every malformed request with a 4xx and an error code, and changes nothing', async () => {
    const refs = git(['for-each-ref']);
    const [primary] = eventsTriggering(name as never);
    const other = name === 'develop-task' ? 'dev.nightshift.review.requested' : 'dev.nightshift.task.assigned';
    const data = primary!.startsWith('spec.') ? { specId: 'door', path: 'active/door.yaml' } : primary === 'task.failed' ? { ...task, reason: 'timeout' } : task;
    const list = cases(`dev.nightshift.${primary}`, other, data);
    expect(list.length).toBeGreaterThanOrEqual(30);
    const port = servers.get(name)!.port;
    for (const c of list) {
      const res = await fetch(`http://127.0.0.1:${port}/`, { method: c.method ?? 'POST', headers: c.headers, ...(c.body === undefined ? {} : { body: c.body }) });
      const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      expect(res.status, `${name}: ${c.name}: ${JSON.stringify(body)}`).toBe(c.status);
      expect(body.error?.code, `${name}: ${c.name}`).toMatch(/^[A-Z_]+$/);
      expect(body.error?.message?.length ?? 0, `${name}: ${c.name}`).toBeGreaterThan(5);
    }
    expect(await counts(harness.db)).toEqual(Object.fromEntries(TABLES.map((t) => [t, 0])));
    expect(git(['for-each-ref'])).toBe(refs);
    expect(await readFile(join(dir, 'specs', 'active', 'door.yaml'), 'utf8')).toBe(specText);
  });
});
