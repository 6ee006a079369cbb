/**
 * The bridge's esbuild bundle runs on its own, as its image will run it:
 * `index.mjs` alone in an empty temp dir with no node_modules above it.
 * `migrate` migrates a private schema on the real Postgres (DATABASE_URL from
 * the environment or from a file under SECRETS_DIR, as a Kubernetes Secret
 * volume gives it); without arguments the bridge starts on a real
 * nats-server, delivers a dropped spec to a stand-in function over HTTP with
 * the token read from SECRETS_DIR, and stops on SIGTERM. A function bundle
 * reads its token from SECRETS_DIR too (shared/runtime/main.ts).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildBridge, buildFunctions, type BuiltBundle } from '../../scripts/build.ts';
import { ROOT } from '../helpers/cli-process.ts';
import { startNatsServer } from '../helpers/nats-server.ts';
import { createTestSchema, type TestSchema } from '../helpers/pg-schema.ts';
import { spawnProcess, startProcess, stopAll } from './host-process.ts';

const TOKEN = 'bundle-bridge-token';
const cleanups: (() => Promise<unknown>)[] = [];
let bridge: BuiltBundle;
let fn: BuiltBundle;

beforeAll(async () => {
  const outDir = await tempDir('nightshift-build-');
  bridge = await buildBridge({ outDir });
  fn = (await buildFunctions({ outDir, functions: ['on-spec-created'] }))[0]!;
}, 180_000);
afterEach(stopAll);
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));
  return dir;
}

/** Copies a bundle alone into a fresh temp dir with no node_modules anywhere above it. */
async function isolate(bundle: BuiltBundle): Promise<string> {
  const dir = await tempDir(`nightshift-${bundle.name}-`);
  await copyFile(bundle.file, join(dir, 'index.mjs'));
  for (let up = dir; ; up = dirname(up)) {
    expect(existsSync(join(up, 'node_modules')), `node_modules above ${dir} at ${up}`).toBe(false);
    if (dirname(up) === up) break;
  }
  return dir;
}

async function schema(): Promise<TestSchema> {
  const s = await createTestSchema('bundle');
  cleanups.push(() => s.drop());
  return s;
}

/** `node index.mjs <args>` in `dir` with exactly `env` (plus PATH), run to the end. */
function run(dir: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [join(dir, 'index.mjs'), ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** A stand-in for the functions: records each POST and answers 200 with nothing emitted. */
async function standIn(): Promise<{ url: string; requests: { url: string; headers: IncomingHttpHeaders; body: string }[] }> {
  const requests: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ emitted: [], published: false }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

async function waitFor(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('bridge bundle, alone', () => {
  it('migrate: applies the migrations to a private schema, then finds nothing to do; refuses without DATABASE_URL', async () => {
    const dir = await isolate(bridge);
    const s = await schema();

    const first = await run(dir, ['migrate', '--json'], { DATABASE_URL: s.url });
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as { database: string; applied: string[] };
    expect(result.database).toBe('postgres');
    expect(result.applied).toContain('001_core');
    const tables = await s.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [s.name]);
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['schema_migrations', 'processed_events', 'dead_letters']));
    console.log(`bridge bundle: ${(bridge.bytes / 1024 / 1024).toFixed(2)} MiB; first migrate ran in ${first.ms.toFixed(0)} ms`);

    const secrets = await tempDir('nightshift-secrets-');
    await writeFile(join(secrets, 'DATABASE_URL'), `${s.url}\n`);
    const again = await run(dir, ['migrate', '--json'], { SECRETS_DIR: secrets });
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { applied: string[] }).applied).toEqual([]);

    const without = await run(dir, ['migrate'], {});
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('DATABASE_URL');
    const wrong = await run(dir, ['bogus'], {});
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('usage');
  }, 60_000);

  it('bridge: starts on real NATS and Postgres, delivers a dropped spec over HTTP with the token from SECRETS_DIR, stops on SIGTERM', async () => {
    const dir = await isolate(bridge);
    const s = await schema();
    const nats = await startNatsServer();
    cleanups.push(() => nats.stop());
    const target = await standIn();
    const specs = await tempDir('nightshift-specs-');
    await mkdir(join(specs, 'active'));
    const secrets = await tempDir('nightshift-secrets-');
    await writeFile(join(secrets, 'NIGHTSHIFT_TOKEN'), TOKEN);
    await writeFile(join(secrets, 'nats-url'), nats.url);

    const started = performance.now();
    const proc = spawnProcess(join(dir, 'index.mjs'), dir, {
      PORT: '0',
      SECRETS_DIR: secrets,
      DATABASE_URL: s.url,
      SPECS_DIR: specs,
      NIGHTSHIFT_HOME: join(specs, '.home'),
      FUNCTION_URL_TEMPLATE: `${target.url}/function/{name}`,
      RESCAN_MS: '0',
      SHUTDOWN_GRACE_MS: '2000',
    });
    const up = await proc.waitForLine((l) => l.msg === 'nightshift bridge is up', 30_000);
    const startMs = performance.now() - started;
    console.log(`bridge bundle: up (migrated, consumers subscribed, watching) in ${startMs.toFixed(0)} ms`);
    expect(proc.lines.some((l) => String(l.msg).startsWith('configuration read from files') && JSON.stringify(l.fromFiles) === '["NATS_URL","NIGHTSHIFT_TOKEN"]')).toBe(true);
    expect((await fetch(`http://127.0.0.1:${up.port as number}/_/health`)).status).toBe(200);

    await writeFile(join(specs, 'active', 'hello-script.yaml'), await readFile(join(ROOT, 'specs/examples/hello-script.yaml')));
    await waitFor('the spec.created POST', () => target.requests.length > 0);
    const [post] = target.requests;
    expect(post!.url).toBe('/function/on-spec-created');
    expect(post!.headers['ce-type']).toBe('dev.nightshift.spec.created');
    expect(post!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(post!.body)).toMatchObject({ specId: 'hello-script', path: 'active/hello-script.yaml' });

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.lines.some((l) => l.msg === 'nightshift bridge stopped')).toBe(true);
  }, 90_000);
});

describe('function bundle and SECRETS_DIR', () => {
  it('reads NIGHTSHIFT_TOKEN from a secret file and refuses a request without it', async () => {
    const dir = await isolate(fn);
    const secrets = await tempDir('nightshift-secrets-');
    await writeFile(join(secrets, 'nightshift-token'), `${TOKEN}\n`);
    const proc = await startProcess(join(dir, 'index.mjs'), dir, { PORT: '0', SECRETS_DIR: secrets }, 60_000);
    expect(proc.lines.some((l) => String(l.msg).startsWith('configuration read from files') && JSON.stringify(l.fromFiles) === '["NIGHTSHIFT_TOKEN"]')).toBe(true);
    const ping = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ specId: 'demo', path: 'active/demo.yaml' }) };
    expect((await fetch(`${proc.url}/?dryRun=1`, ping)).status).toBe(401);
    const authorized = await fetch(`${proc.url}/?dryRun=1`, { ...ping, headers: { ...ping.headers, authorization: `Bearer ${TOKEN}` } });
    expect(authorized.status).not.toBe(401);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }, 90_000);
});
