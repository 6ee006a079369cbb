/**
 * The HTTP host in-process, through real HTTP on a free port: every door of
 * `POST /` and the health routes. Lifecycle (ready, shutdown) is in
 * runtime-lifecycle.test.ts.
 */
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { NightshiftError } from '../../shared/errors.ts';
import { makeEvent } from '../../shared/events/cloudevent.ts';
import { toBinary, toStructured } from '../../shared/events/http.ts';
import { serve, type ServerHandle } from '../../shared/runtime/http-host.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import type { Publisher } from '../../shared/runtime/publisher.ts';
import { ErrorReply, HandledReply } from '../../shared/runtime/reply.ts';
import type { NightshiftFunction, NsEvent } from '../../shared/runtime/types.ts';

const task = { specId: 'demo', path: 'specs/active/demo.yaml', taskId: 'api', attempt: 1 };
const assigned = makeEvent('task.assigned', task);
const TOKEN = 'test-token-0123456789';

/** A develop-task stand-in for the host tests: answers each assignment with a diff.submitted. */
const submitsDiffs: NightshiftFunction = {
  name: 'develop-task',
  accepts: ['task.assigned'],
  async handle(event, ctx) {
    if (event.data?.taskId === 'boom') throw new Error('disk on fire at /secret/place');
    if (event.data?.taskId === 'bad-spec') throw new NightshiftError('SPEC_INVALID', 'task bad-spec: no title', { details: ['tasks.0.title: required'] });
    if (event.data?.taskId === 'bad-emit') return [assigned.cloneWith({ data: { specId: 'demo' } }, false)];
    ctx.log.info('working');
    return [makeEvent('diff.submitted', event.data as typeof task, { time: ctx.now() })];
  },
};

const handles: ServerHandle[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
});

interface Started {
  url: string;
  lines: Record<string, unknown>[];
  published: NsEvent[];
}

async function start(env: Record<string, string> = {}): Promise<Started> {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const published: NsEvent[] = [];
  const publisher: Publisher = { publish: async (e) => void published.push(e) };
  const config = loadConfig({ PORT: '0', ...env });
  const handle = await serve(submitsDiffs, { config, publisher, host: '127.0.0.1', log: createLogger({ destination }) });
  handles.push(handle);
  await handle.ready;
  return { url: `http://127.0.0.1:${handle.port}`, lines, published };
}

async function post(url: string, message: { headers: Record<string, string>; body: string }) {
  const res = await fetch(url, { method: 'POST', headers: message.headers, body: message.body });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

function expectError(reply: { status: number; json: unknown }, status: number, code: string): string {
  expect(reply.status).toBe(status);
  const parsed = ErrorReply.parse(reply.json);
  expect(parsed.error.code).toBe(code);
  return parsed.error.message;
}

describe('POST / accepts', () => {
  it('a structured event, answers with the emitted events and publishes them', async () => {
    const { url, published } = await start();
    const reply = await post(`${url}/`, toStructured(assigned));
    expect(reply.status).toBe(200);
    const body = HandledReply.parse(reply.json);
    expect(body.handled).toEqual({ id: assigned.id, type: assigned.type, mode: 'structured' });
    expect(body).toMatchObject({ published: true, dryRun: false });
    expect(body.emitted).toHaveLength(1);
    expect(body.emitted[0]).toMatchObject({ type: 'dev.nightshift.diff.submitted', id: 'demo/api/1/diff-submitted', data: task });
    expect(published.map((e) => e.id)).toEqual(['demo/api/1/diff-submitted']);
  });

  it('a binary event, and a bare ping typed by default or by ?type=', async () => {
    const { url } = await start();
    const binary = await post(url, toBinary(assigned));
    expect(HandledReply.parse(binary.json).handled.mode).toBe('binary');
    const ping = { headers: { 'content-type': 'application/json' }, body: JSON.stringify(task) };
    const byDefault = HandledReply.parse((await post(url, ping)).json);
    expect(byDefault.handled).toEqual({ id: 'demo/api/1/assigned', type: 'dev.nightshift.task.assigned', mode: 'ping' });
    expect(byDefault.emitted).toHaveLength(1);
    const typed = await post(`${url}/?type=task.assigned`, ping);
    expect(typed.status).toBe(200);
  });

  it('a dry run by query or header: events returned, nothing published', async () => {
    const { url, published } = await start();
    for (const [path, headers] of [['/?dryRun=1', {}], ['/', { 'x-nightshift-dry-run': '1' }]] as const) {
      const reply = await post(url + path, { headers: { ...toBinary(assigned).headers, ...headers }, body: toBinary(assigned).body });
      expect(HandledReply.parse(reply.json)).toMatchObject({ dryRun: true, published: false, emitted: [{ type: 'dev.nightshift.diff.submitted' }] });
    }
    expect(published).toEqual([]);
  });
});

describe('POST / refuses', () => {
  it('malformed events with 400', async () => {
    const { url } = await start();
    const { headers, body } = toBinary(assigned);
    const withoutType = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'ce-type'));
    expect(expectError(await post(url, { headers: withoutType, body }), 400, 'BAD_EVENT')).toContain('ce-type');
    expect(expectError(await post(url, { headers: { ...headers, 'ce-specversion': '0.3' }, body }), 400, 'BAD_EVENT')).toContain('specversion');
    expect(expectError(await post(url, { headers, body: 'nope{' }), 400, 'BAD_EVENT')).toContain('not JSON');
    expect(expectError(await post(url, { headers: { ...headers, 'ce-type': 'dev.nightshift.x' }, body }), 400, 'BAD_EVENT')).toContain('unknown event type');
    expect(expectError(await post(url, { headers, body: '{"specId":"demo"}' }), 400, 'BAD_EVENT')).toContain('path');
    const ping = { headers: { 'content-type': 'application/json' }, body: '{"specId":"demo"}' };
    expect(expectError(await post(url, ping), 400, 'BAD_EVENT')).toContain('taskId');
  });

  it('an event type this function does not handle with 422, a wrong content type with 415', async () => {
    const { url } = await start();
    const created = makeEvent('spec.created', { specId: 'demo', path: 'specs/active/demo.yaml' });
    expect(expectError(await post(url, toStructured(created)), 422, 'WRONG_FUNCTION')).toContain('task.assigned');
    expectError(await post(url, { headers: { 'content-type': 'text/plain' }, body: JSON.stringify(task) }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a body over BODY_LIMIT with 413, by Content-Length or while streaming', async () => {
    const { url } = await start({ BODY_LIMIT: '1024' });
    const big = JSON.stringify({ ...task, path: 'x'.repeat(2000) });
    expectError(await post(url, { headers: { 'content-type': 'application/json' }, body: big }), 413, 'PAYLOAD_TOO_LARGE');
    const streamed = await postChunked(url, [Buffer.alloc(800, 32), Buffer.alloc(800, 32), Buffer.alloc(800, 32)]);
    expectError(streamed, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('handler errors: a NightshiftError keeps its status, anything else is a 500 that leaks nothing', async () => {
    const { url } = await start();
    const ping = (taskId: string) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...task, taskId }) });
    const invalid = await post(url, ping('bad-spec'));
    expect(expectError(invalid, 422, 'SPEC_INVALID')).toBe('task bad-spec: no title');
    expect(ErrorReply.parse(invalid.json).error.details).toEqual(['tasks.0.title: required']);
    expect(expectError(await post(url, ping('boom')), 500, 'INTERNAL')).not.toContain('/secret/place');
    expect(expectError(await post(url, ping('bad-emit')), 500, 'INTERNAL')).toContain('invalid event');
  });
});

describe('bearer token', () => {
  it('is required on POST / when NIGHTSHIFT_TOKEN is set, never on health and ready', async () => {
    const { url, lines } = await start({ NIGHTSHIFT_TOKEN: TOKEN });
    const message = toBinary(assigned);
    const missing = await post(url, message);
    expectError(missing, 401, 'UNAUTHORIZED');
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expectError(await post(url, { ...message, headers: { ...message.headers, authorization: `Bearer ${TOKEN}x` } }), 401, 'UNAUTHORIZED');
    expectError(await post(url, { ...message, headers: { ...message.headers, authorization: TOKEN } }), 401, 'UNAUTHORIZED');
    const ok = await post(url, { ...message, headers: { ...message.headers, authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect((await fetch(`${url}/_/health`)).status).toBe(200);
    expect((await fetch(`${url}/_/ready`)).status).toBe(200);
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
  });
});

describe('routes and logs', () => {
  it('health, ready, 404 and 405', async () => {
    const { url } = await start();
    expect(await (await fetch(`${url}/_/health`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${url}/_/ready`)).json()).toEqual({ status: 'ready' });
    expectError(await jsonOf(fetch(`${url}/nope`)), 404, 'NOT_FOUND');
    const get = await jsonOf(fetch(`${url}/`));
    expectError(get, 405, 'METHOD_NOT_ALLOWED');
    expect(get.headers.get('allow')).toBe('POST');
    expectError(await jsonOf(fetch(`${url}/_/health`, { method: 'POST' })), 405, 'METHOD_NOT_ALLOWED');
  });

  it('every line of work carries the event id, spec, task and attempt', async () => {
    const { url, lines } = await start();
    await post(url, toStructured(assigned));
    const work = lines.filter((l) => l.msg === 'working' || l.msg === 'handling event' || l.msg === 'handled event' || l.msg === 'published');
    expect(work.map((l) => l.msg)).toEqual(['handling event', 'working', 'published', 'handled event']);
    for (const line of work) expect(line).toMatchObject({ eventId: assigned.id, specId: 'demo', taskId: 'api', attempt: 1 });
  });
});

async function jsonOf(pending: Promise<Response>) {
  const res = await pending;
  return { status: res.status, headers: res.headers, json: (await res.json()) as unknown };
}

/** POSTs a chunked body (no Content-Length), so only stream counting can catch it. */
function postChunked(url: string, chunks: Buffer[]): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString()) }));
    });
    // The server may close the connection once it has answered 413; that is the point.
    req.on('error', (err) => (req.writableFinished ? undefined : reject(err)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}
