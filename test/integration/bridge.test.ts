/**
 * The bridge (`startBridge`, what `nightshift bridge` runs) on a private
 * nats-server and a private Postgres schema, delivering to a stand-in for the
 * deployed functions: a real HTTP server (startRecordingFunction) reached
 * through FUNCTION_URL_TEMPLATE, as an OpenFaaS gateway would be. Events are
 * published with a second JetStreamBus connection, as the functions and the
 * watcher of another process would publish them.
 *
 * Retries use the bus's default backoff (1 s, then 2 s, plus jitter), so a
 * case with two or three deliveries takes a few seconds.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterEach, describe, expect, it } from 'vitest';
import { startBridge } from '../../cli/bridge.ts';
import type { Running } from '../../cli/dev.ts';
import { JetStreamBus } from '../../shared/bus/index.ts';
import { loadConfig } from '../../shared/config.ts';
import { startGateway } from '../../shared/dispatch/gateway.ts';
import { NightshiftError } from '../../shared/errors.ts';
import { makeEvent } from '../../shared/events/cloudevent.ts';
import { serve } from '../../shared/runtime/http-host.ts';
import type { NightshiftFunction, NsEvent } from '../../shared/runtime/types.ts';
import { ROOT, runCli } from '../helpers/cli-process.ts';
import { captureLog, type CapturedLog } from '../helpers/log-capture.ts';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.ts';
import { createTestSchema, type TestSchema } from '../helpers/pg-schema.ts';
import { okReply, startRecordingFunction, unusedPort, type RecordingFunction, type Respond } from '../helpers/recording-function.ts';

const TOKEN = 'bridge-test-token';
const ping = { specId: 'demo', path: 'active/demo.yaml', taskId: 'api', attempt: 1 };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

interface World {
  nats: NatsServer;
  schema: TestSchema;
  specsDir: string;
  logs: CapturedLog;
  /** A second connection, for publishing and for reading consumer state. */
  publisher: JetStreamBus;
  bridge: Running;
  /** Resolves once develop-task's durable has nothing pending or unacked. */
  drained(durable: string): Promise<void>;
}

/** Starts nats-server, a schema and the bridge pointing at `urlTemplate`. */
async function startWorld(urlTemplate: string, maxDeliver = 3): Promise<World> {
  const tmp = await mkdtemp(join(tmpdir(), 'nightshift-bridge-'));
  cleanups.push(() => rm(tmp, { recursive: true, force: true, maxRetries: 5 }));
  const nats = await startNatsServer();
  cleanups.push(() => nats.stop());
  const schema = await createTestSchema('bridge');
  cleanups.push(() => schema.drop());
  const logs = captureLog('debug');
  const config = loadConfig({
    NATS_URL: nats.url,
    DATABASE_URL: schema.url,
    PORT: '0',
    SPECS_DIR: join(tmp, 'specs'),
    NIGHTSHIFT_HOME: join(tmp, '.nightshift'),
    NIGHTSHIFT_TOKEN: TOKEN,
    FUNCTION_URL_TEMPLATE: urlTemplate,
    ACK_WAIT_MS: '1000',
    MAX_DELIVER: String(maxDeliver),
    RESCAN_MS: '0',
    SHUTDOWN_GRACE_MS: '2000',
    INVOKE_TIMEOUT_MS: '10000',
  });
  const bridge = await startBridge(config, logs.log);
  cleanups.push(() => bridge.close());
  const publisher = await JetStreamBus.connect({ servers: nats.url });
  cleanups.push(() => publisher.close());
  const jsm = await jetstreamManager(publisher.nc);
  const drained = async (durable: string): Promise<void> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const info = await jsm.consumers.info(config.NATS_STREAM, durable);
      if (info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq > 0) return;
      if (Date.now() > deadline) throw new Error(`consumer ${durable} still has work: ${JSON.stringify(info)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { nats, schema, specsDir: config.SPECS_DIR, logs, publisher, bridge, drained };
}

/** Polls `pred` every 50 ms; fails after `ms`. */
async function until(pred: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function standIn(respond?: Respond, port?: number): Promise<RecordingFunction> {
  const fns = await startRecordingFunction({ respond, port });
  cleanups.push(() => fns.close());
  return fns;
}

describe('the bridge', () => {
  it('POSTs a JetStream event in binary mode to its function, publishes what it returned, and acks on 2xx', async () => {
    const diff = makeEvent('diff.submitted', ping, { source: '/nightshift/develop-task' });
    const fns = await standIn((req) =>
      req.fn === 'develop-task' ? { status: 200, body: okReply(req, [diff.toJSON()], false) } : { status: 200 },
    );
    const w = await startWorld(fns.urlTemplate);
    expect((await fetch(`http://127.0.0.1:${w.bridge.port}/_/health`)).status).toBe(200);

    await w.publisher.publish(makeEvent('task.assigned', ping));
    await fns.waitFor(() => fns.to('collect-diff').length === 1);

    const [call] = fns.to('develop-task');
    expect(call).toMatchObject({ method: 'POST', path: '/function/develop-task' });
    expect(call!.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': 'demo/api/1/assigned',
      'ce-type': 'dev.nightshift.task.assigned',
      'ce-source': '/nightshift/on-spec-created',
      'ce-subject': 'demo',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(call!.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(call!.body)).toEqual(ping);

    // The emitted diff.submitted was not published by the function (published: false): the bridge published it.
    const [next] = fns.to('collect-diff');
    expect(next!.headers).toMatchObject({ 'ce-id': diff.id, 'ce-type': 'dev.nightshift.diff.submitted', 'ce-source': '/nightshift/develop-task' });

    await w.drained('develop-task');
    await w.drained('collect-diff');
    expect(fns.to('develop-task')).toHaveLength(1);
    const rows = await w.schema.query('SELECT consumer, event_id FROM processed_events ORDER BY consumer');
    expect(rows).toEqual([
      { consumer: 'collect-diff', event_id: diff.id },
      { consumer: 'develop-task', event_id: 'demo/api/1/assigned' },
    ]);
    expect(await w.schema.query('SELECT * FROM dead_letters')).toEqual([]);
  }, 90_000);

  it('drives real function hosts (serve) behind the local gateway: binary in, emitted events out and on to the next function', async () => {
    const collected: NsEvent[] = [];
    const developTask: NightshiftFunction = {
      name: 'develop-task',
      accepts: ['task.assigned'],
      handle: async (event) => [makeEvent('diff.submitted', event.data as typeof ping, { source: '/nightshift/develop-task' })],
    };
    const collectDiff: NightshiftFunction = {
      name: 'collect-diff',
      accepts: ['diff.submitted'],
      handle: async (event) => {
        collected.push(event);
        return [];
      },
    };
    // No publisher: the hosts return what they emitted (published: false), as on a cluster without a bus in the function.
    const hostConfig = loadConfig({ PORT: '0', NIGHTSHIFT_TOKEN: TOKEN, SHUTDOWN_GRACE_MS: '1000' });
    const quiet = captureLog('silent').log;
    const hosts = new Map<string, number>();
    for (const fn of [developTask, collectDiff]) {
      const host = await serve(fn, { config: hostConfig, host: '127.0.0.1', log: quiet });
      cleanups.push(() => host.close());
      await host.ready;
      hosts.set(fn.name, host.port);
    }
    const gateway = await startGateway({
      port: 0,
      log: quiet,
      names: ['develop-task', 'collect-diff'],
      target: async (name) => (hosts.has(name) ? { host: '127.0.0.1', port: hosts.get(name)! } : undefined),
    });
    cleanups.push(() => gateway.close());

    const w = await startWorld(`http://127.0.0.1:${gateway.port}/function/{name}`);
    await w.publisher.publish(makeEvent('task.assigned', ping));
    await until(() => collected.length === 1);
    expect(collected.map((e) => e.id)).toEqual(['demo/api/1/diff-submitted']);
    expect(collected[0]!.source).toBe('/nightshift/develop-task');
    await w.drained('develop-task');
    await w.drained('collect-diff');
    expect(await w.schema.query('SELECT consumer, event_id FROM processed_events ORDER BY consumer')).toEqual([
      { consumer: 'collect-diff', event_id: 'demo/api/1/diff-submitted' },
      { consumer: 'develop-task', event_id: 'demo/api/1/assigned' },
    ]);
  }, 90_000);

  it('retries a 500 and delivers on the next try (two requests in all)', async () => {
    const fns = await standIn((req, n) => (req.fn === 'develop-task' && n === 1 ? { status: 500, body: { error: { code: 'INTERNAL', message: 'boom' } } } : { status: 200 }));
    const w = await startWorld(fns.urlTemplate);
    await w.publisher.publish(makeEvent('task.assigned', ping));
    await fns.waitFor(() => fns.to('develop-task').length === 2);
    await w.drained('develop-task');

    expect(fns.to('develop-task').map((r) => r.headers['ce-id'])).toEqual(['demo/api/1/assigned', 'demo/api/1/assigned']);
    expect(w.logs.lines).toContainEqual(expect.objectContaining({ consumer: 'develop-task', deliveryCount: 1, msg: 'handler failed; the event will be redelivered' }));
    expect(await w.schema.query('SELECT consumer, event_id FROM processed_events')).toEqual([{ consumer: 'develop-task', event_id: 'demo/api/1/assigned' }]);
    expect(await w.schema.query('SELECT * FROM dead_letters')).toEqual([]);
    expect(fns.to('learn-from-failure')).toHaveLength(0);
  }, 90_000);

  it('dead-letters a 4xx in Postgres at once, and fails the task through learn-from-failure', async () => {
    const fns = await standIn((req) =>
      req.fn === 'develop-task' ? { status: 422, body: { error: { code: 'SPEC_INVALID', message: 'task api has no files' } } } : { status: 200 },
    );
    const w = await startWorld(fns.urlTemplate);
    await w.publisher.publish(makeEvent('task.assigned', ping));
    await fns.waitFor(() => fns.to('learn-from-failure').length === 1);
    await w.drained('develop-task');

    expect(fns.to('develop-task')).toHaveLength(1);
    const letters = await w.schema.query('SELECT consumer, subject, event_id, deliveries, reason FROM dead_letters');
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ consumer: 'develop-task', subject: 'specs.task-assigned', event_id: 'demo/api/1/assigned', deliveries: 1 });
    expect(letters[0]!.reason).toContain('INVOKE_REJECTED');
    expect(letters[0]!.reason).toContain('422');
    expect(letters[0]!.reason).toContain('task api has no files');

    const [failed] = fns.to('learn-from-failure');
    expect(failed!.headers).toMatchObject({ 'ce-id': 'demo/api/1/failed', 'ce-type': 'dev.nightshift.task.failed', 'ce-source': '/nightshift/bus' });
    expect(JSON.parse(failed!.body)).toEqual({ ...ping, reason: 'dead-letter' });
  }, 90_000);

  it('retries while nothing listens at the function URL, and delivers once it does', async () => {
    const port = await unusedPort();
    const w = await startWorld(`http://127.0.0.1:${port}/function/{name}`, 5);
    await w.publisher.publish(makeEvent('task.assigned', ping));
    const failure = (n: number) => (l: Record<string, unknown>) =>
      l.consumer === 'develop-task' && l.deliveryCount === n && l.msg === 'handler failed; the event will be redelivered';
    await w.logs.waitFor(failure(1), 30_000);
    await w.logs.waitFor(failure(2), 30_000);
    const refused = w.logs.lines.find(failure(1))!;
    expect(JSON.stringify(refused.err)).toMatch(/INVOKE_FAILED|ECONNREFUSED|fetch failed/);

    const fns = await standIn(undefined, port);
    await fns.waitFor(() => fns.to('develop-task').length === 1);
    await w.drained('develop-task');
    expect(fns.to('develop-task')[0]!.headers['ce-id']).toBe('demo/api/1/assigned');
    expect(await w.schema.query('SELECT consumer, event_id FROM processed_events')).toEqual([{ consumer: 'develop-task', event_id: 'demo/api/1/assigned' }]);
    expect(await w.schema.query('SELECT * FROM dead_letters')).toEqual([]);
  }, 90_000);

  it('watches the specs folder: a dropped spec reaches on-spec-created', async () => {
    const fns = await standIn();
    const w = await startWorld(fns.urlTemplate);
    await copyFile(join(ROOT, 'specs', 'examples', 'hello-script.yaml'), join(w.specsDir, 'active', 'hello-script.yaml'));
    await fns.waitFor(() => fns.to('on-spec-created').length === 1);
    const [call] = fns.to('on-spec-created');
    expect(call!.headers).toMatchObject({ 'ce-type': 'dev.nightshift.spec.created', 'ce-subject': 'hello-script' });
    expect(JSON.parse(call!.body)).toMatchObject({ specId: 'hello-script', path: 'active/hello-script.yaml' });
  }, 90_000);

  it('refuses to start without NATS_URL and DATABASE_URL, naming them (CONFIG_INVALID)', async () => {
    const logs = captureLog('silent');
    const none = startBridge(loadConfig({ PORT: '0' }), logs.log);
    await expect(none).rejects.toBeInstanceOf(NightshiftError);
    await expect(none).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/NATS_URL and DATABASE_URL/) });
    const onlyNats = startBridge(loadConfig({ PORT: '0', NATS_URL: 'nats://127.0.0.1:1' }), logs.log);
    await expect(onlyNats).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.not.stringContaining('NATS_URL') });
    await expect(onlyNats).rejects.toMatchObject({ message: expect.stringContaining('DATABASE_URL') });

    // The command says the same and exits 2 (a configuration error).
    const tmp = await mkdtemp(join(tmpdir(), 'nightshift-bridge-'));
    cleanups.push(() => rm(tmp, { recursive: true, force: true, maxRetries: 5 }));
    const run = await runCli(['bridge'], { cwd: tmp, env: { PORT: '0', SPECS_DIR: join(tmp, 'specs') } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/NATS_URL and DATABASE_URL/);
  }, 60_000);
});
