/**
 * Notifications on the embedded stack, with real webhook receivers
 * (node:http on free ports): one spec completes, one fails. Each gets exactly
 * one generic and one Slack notification, also after an extra reconcile (the
 * failed spec's event is sent again) and a restart of the dev runner (the
 * start-up reconcile sends it to a fresh bus: only the processed-events table
 * stops it). A webhook answering 500 is retried; a webhook that never answers
 * is retried until its timeouts run out and holds up nobody. The events.log
 * lines sit beside the spec: in active/ for the failed one, in the archive
 * for the completed one.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Notification } from '../../shared/notify/index.ts';
import { scriptAgent, startWorld, type World } from '../helpers/pipeline-world.ts';

interface Hit {
  path: string;
  body: Record<string, unknown>;
  at: number;
  status: number;
}

let world: World | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await world?.close();
  world = undefined;
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; base: string }> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The receiver: /generic and /slack answer 200; /flaky answers 500 to the first request of each notification. */
async function receiver(): Promise<{ base: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const flakySeen = new Set<string>();
  const { base } = await listen((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      let status = 200;
      if (req.url === '/flaky' && !flakySeen.has(String(body.id))) {
        flakySeen.add(String(body.id));
        status = 500;
      }
      hits.push({ path: req.url ?? '', body, at: Date.now(), status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'try again');
    });
  });
  return { base, hits };
}

/** A webhook that reads the request and never answers. */
async function deadWebhook(): Promise<{ base: string; tries: { id: string; at: number }[] }> {
  const tries: { id: string; at: number }[] = [];
  const { base } = await listen((req) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => tries.push({ id: String((JSON.parse(text) as { id: unknown }).id), at: Date.now() }));
  });
  return { base, tries };
}

async function until<T>(what: string, get: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const lines = async (file: string): Promise<Notification[]> => (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Notification);

it('sends one generic and one Slack notification per finished spec, retries a 500, is not held up by a dead webhook', async () => {
  const rx = await receiver();
  const dead = await deadWebhook();
  world = await startWorld({
    env: {
      NOTIFY_WEBHOOKS: `${rx.base}/generic,${dead.base}/dead,${rx.base}/flaky`,
      NOTIFY_SLACK_WEBHOOKS: `${rx.base}/slack`,
      NOTIFY_TASK_FAILURES: 'true',
      NOTIFY_TIMEOUT_MS: '400',
      NOTIFY_RETRIES: '2',
      NOTIFY_RETRY_BASE_MS: '50',
    },
  });
  const repo = { path: world.repo, base: 'main' };
  await world.drop({ id: 'notify-ok', title: 'Lands one file', repo, tasks: [{ id: 'write', title: 'Write ok.txt', files: ['ok.txt'], agent: scriptAgent({ writes: { 'ok.txt': 'ok\n' } }) }] });
  await world.drop({ id: 'notify-bad', title: 'Never works', repo, tasks: [{ id: 'broken', title: 'Always fails', files: ['bad.txt'], maxAttempts: 1, agent: scriptAgent({ failAttempts: [1, 2, 3] }) }] });
  expect((await world.waitFor('notify-ok', ['completed', 'failed'])).status).toBe('completed');
  expect((await world.waitFor('notify-bad', ['completed', 'failed'])).status).toBe('failed');

  const of = (path: string, specId: string, event?: string): Hit[] =>
    rx.hits.filter((h) => h.path === path && (h.body.specId === specId || String((h.body.text as string | undefined) ?? '').includes(`\`${specId}\``)) && (event === undefined || h.body.event === event));
  await until('both generic notifications', () => (of('/generic', 'notify-ok').length && of('/generic', 'notify-bad', 'spec.failed').length ? true : undefined));
  await until('both flaky deliveries to succeed', () => (rx.hits.filter((h) => h.path === '/flaky' && h.status === 200 && h.body.event !== 'task.failed').length >= 2 ? true : undefined));

  // Extra rounds: the reconcile sends spec.failed again (same id) through the gateway, then a restart
  // sends it once more to a fresh in-process bus; neither may notify again.
  const again = await fetch(`http://127.0.0.1:${world.dev.port}/function/on-spec-created`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ specId: 'notify-bad', path: 'active/notify-bad.yaml' }),
  });
  expect(again.status).toBe(200);
  const emitted = ((await again.json()) as { emitted: { id: string }[] }).emitted.map((e) => e.id);
  expect(emitted.some((id) => id.startsWith('notify-bad/failed/'))).toBe(true);
  const restartAt = new Date();
  await world.restart();
  const db = await world.dev.services!.db();
  const end = Date.now() + 15_000;
  for (;;) {
    const r = await db.query(`SELECT 1 FROM processed_events WHERE consumer = 'on-spec-created' AND event_id LIKE 'notify-bad/%/reconcile/%' AND at >= $1`, [restartAt]);
    if (r.rows.length > 0) break;
    if (Date.now() > end) throw new Error('no reconcile of notify-bad after the restart');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 2000)); // room for a duplicate to arrive

  // Exactly one per spec and kind.
  expect(of('/generic', 'notify-ok')).toHaveLength(1);
  expect(of('/generic', 'notify-bad', 'spec.failed')).toHaveLength(1);
  expect(of('/generic', 'notify-bad', 'task.failed')).toHaveLength(1);
  expect(of('/slack', 'notify-ok')).toHaveLength(1);
  expect(of('/slack', 'notify-bad').filter((h) => String(h.body.text).includes(':x:'))).toHaveLength(1);

  const ok = of('/generic', 'notify-ok')[0]!.body;
  expect(ok).toMatchObject({ id: 'notify-ok/completed', event: 'spec.completed', specId: 'notify-ok', status: 'completed', title: 'Lands one file', branch: 'nightshift/notify-ok' });
  expect(ok.path).toMatch(/^archive\/\d{4}-\d{2}\/notify-ok\.yaml$/);
  expect(ok.progress).toMatchObject({ total: 1, completed: 1 });
  expect(Number.isNaN(Date.parse(String(ok.at)))).toBe(false);
  const bad = of('/generic', 'notify-bad', 'spec.failed')[0]!.body;
  expect(bad).toMatchObject({ event: 'spec.failed', status: 'failed', title: 'Never works', path: 'active/notify-bad.yaml', branch: 'nightshift/notify-bad' });
  expect(String(bad.id)).toMatch(/^notify-bad\/failed\//);
  expect((bad.errors as string[])[0]).toContain('task broken failed after 1 attempt(s)');
  const taskFailed = of('/generic', 'notify-bad', 'task.failed')[0]!.body;
  expect(taskFailed.task).toMatchObject({ id: 'broken', attempt: 1, reason: 'agent-error' });
  expect(String((taskFailed.task as { error?: string }).error)).toContain('failing attempt 1 on purpose');
  const slackOk = of('/slack', 'notify-ok')[0]!.body;
  expect(slackOk.text).toContain('Lands one file');
  expect(slackOk.text).toContain('completed');
  expect(Array.isArray(slackOk.blocks)).toBe(true);

  // The 500 was retried: two requests per notification, the second answered 200.
  for (const id of [ok.id, bad.id, taskFailed.id]) {
    expect(rx.hits.filter((h) => h.path === '/flaky' && h.body.id === id).map((h) => h.status)).toEqual([500, 200]);
  }
  // The dead webhook got three tries (NOTIFY_RETRIES=2) per notification, and the others did not wait for it.
  for (const id of [ok.id, bad.id, taskFailed.id]) expect(dead.tries.filter((t) => t.id === id)).toHaveLength(3);
  const deadOk = dead.tries.filter((t) => t.id === ok.id).map((t) => t.at);
  expect(of('/generic', 'notify-ok')[0]!.at).toBeLessThan(deadOk[1]!);
  expect(of('/slack', 'notify-ok')[0]!.at).toBeLessThan(deadOk[1]!);

  // events.log: beside the failed spec in active/, and moved with the completed one into the archive.
  const badLog = await lines(join(world.specsDir, 'active', 'notify-bad.events.log'));
  expect(badLog.map((l) => l.event).sort()).toEqual(['spec.failed', 'task.failed']);
  expect(badLog.find((l) => l.event === 'spec.failed')).toMatchObject({ id: bad.id, status: 'failed', path: 'active/notify-bad.yaml' });
  const archived = await world.specFile('notify-ok');
  const okLog = await lines(join(dirname(archived!), 'notify-ok.events.log'));
  expect(okLog).toHaveLength(1);
  expect(okLog[0]).toMatchObject({ id: 'notify-ok/completed', event: 'spec.completed', status: 'completed' });
  expect(existsSync(join(world.specsDir, 'active', 'notify-ok.events.log'))).toBe(false);
}, 120_000);
