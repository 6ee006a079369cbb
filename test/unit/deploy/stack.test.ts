/**
 * stack.yml, the OpenFaaS side: it passes the schema written from the OpenFaaS
 * reference, broken copies of it do not, and it agrees with the event
 * catalogue (one function per folder, topic = the subject of its first
 * trigger), with the configuration schema, with the Dockerfile's bundles and
 * with the k8s manifests it runs beside.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ZodError } from 'zod';
import { variableForFile } from '../../../shared/config-secrets.ts';
import { ConfigSchema, loadConfig } from '../../../shared/config.ts';
import { EVENTS, FUNCTION_NAMES, eventsTriggering } from '../../../shared/events/catalog.ts';
import { parseStack } from './openfaas-stack-schema.ts';
import { ROOT, memoryBytes, readRepoFile, render } from './render.ts';

const TEXT = readRepoFile('stack.yml');
/** OpenFaaS's own per-function settings, not nightshift configuration. */
const OPENFAAS_ENV = ['read_timeout', 'write_timeout', 'exec_timeout'];

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('stack.yml against the OpenFaaS reference', () => {
  test('passes the schema', () => {
    expect(() => parseStack(TEXT)).not.toThrow();
  });

  test.each([
    ['a misspelt function field', (t: string) => t.replace('    lang: dockerfile\n', '    langauge: dockerfile\n')],
    ['another provider', (t: string) => t.replace('name: openfaas', 'name: faas')],
    ['an unsupported version', (t: string) => t.replace('version: 1.0', 'version: 1.1')],
    ['a memory limit that is not a Kubernetes quantity', (t: string) => t.replace('memory: 896Mi', 'memory: 1GB')],
    ['a scale label that is not a string', (t: string) => t.replace('com.openfaas.scale.min: "1"', 'com.openfaas.scale.min: 1')],
    ['a function name that is not a DNS label', (t: string) => t.replace('  collect-diff:\n', '  Collect_Diff:\n')],
    ['skip_build that is not a boolean', (t: string) => t.replace('skip_build: true', 'skip_build: "yes"')],
  ])('a copy with %s fails the schema', async (_what, breakIt) => {
    const dir = await mkdtemp(join(tmpdir(), 'nightshift-stack-'));
    dirs.push(dir);
    const broken = breakIt(TEXT);
    expect(broken, 'the mutation must change the file').not.toBe(TEXT);
    await writeFile(join(dir, 'stack.yml'), broken);
    await expect(readFile(join(dir, 'stack.yml'), 'utf8').then(parseStack)).rejects.toThrow(ZodError);
  });
});

describe('stack.yml against the code', () => {
  const stack = parseStack(TEXT);

  test('five functions, one per folder under functions/, each topic the subject of its first trigger', () => {
    const folders = readdirSync(join(ROOT, 'functions')).sort();
    expect(Object.keys(stack.functions).sort()).toEqual(folders);
    expect(folders).toEqual([...FUNCTION_NAMES].sort());
    for (const fn of FUNCTION_NAMES) {
      const f = stack.functions[fn]!;
      expect(f.lang).toBe('dockerfile');
      expect(f.annotations?.topic).toBe(EVENTS[eventsTriggering(fn)[0]!].subject);
      expect(f.build_args).toEqual({ FUNCTION: fn });
      expect(f.image).toBe(`\${REGISTRY:-localhost:5000}/nightshift-${fn}:\${TAG:-latest}`);
    }
  });

  test('the Dockerfile copies the bundle FUNCTION names, which the build writes for every function', () => {
    const dockerfile = readRepoFile('deploy/Dockerfile');
    expect(dockerfile).toMatch(/^ARG FUNCTION$/m);
    expect(dockerfile).toMatch(/^COPY dist\/\$\{FUNCTION\}\/index\.mjs \/app\/index\.mjs$/m);
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
    const build = readRepoFile('scripts/build.ts');
    expect(build).toContain("join('functions', name, 'index.ts')");
    expect(build).toContain("BRIDGE_BUNDLE = 'bridge'");
  });

  test('environment names configuration variables with valid values', () => {
    for (const [fn, f] of Object.entries(stack.functions)) {
      const env = { ...f.environment };
      for (const k of OPENFAAS_ENV) {
        expect(env[k], `${fn} ${k}`).toMatch(/^\d+(s|m|h)$/);
        delete env[k];
      }
      const unknown = Object.keys(env).filter((k) => k !== 'SECRETS_DIR' && !Object.hasOwn(ConfigSchema.shape, k));
      expect(unknown, `${fn}: not configuration variables`).toEqual([]);
      expect(() => loadConfig(env), fn).not.toThrow();
      expect(env.SECRETS_DIR).toBe('/var/openfaas/secrets');
    }
  });

  test('every function is under 1 GiB, develop-task the largest, with the longest timeouts', () => {
    const limits = Object.fromEntries(Object.entries(stack.functions).map(([fn, f]) => [fn, memoryBytes(f.limits!.memory!)]));
    for (const [fn, f] of Object.entries(stack.functions)) {
      expect(limits[fn], fn).toBeLessThan(2 ** 30);
      expect(memoryBytes(f.requests!.memory!), fn).toBeLessThanOrEqual(limits[fn]!);
      expect(f.requests?.cpu && f.limits?.cpu, fn).toBeTruthy();
    }
    expect(Math.max(...Object.values(limits))).toBe(limits['develop-task']);
    expect(stack.functions['develop-task']!.environment).toMatchObject({ read_timeout: '1h', write_timeout: '1h', exec_timeout: '1h' });
  });

  test('scale labels: min at most max, min 1 (Community Edition keeps one replica)', () => {
    expect(TEXT).toMatch(/Community Edition keeps one replica/);
    expect(TEXT).toMatch(/cannot scale to zero/);
    for (const [fn, f] of Object.entries(stack.functions)) {
      const min = Number(f.labels?.['com.openfaas.scale.min']);
      const max = Number(f.labels?.['com.openfaas.scale.max']);
      expect(Number.isInteger(min) && Number.isInteger(max) && min >= 1 && min <= max, fn).toBe(true);
    }
  });

  test('the secret it names exists in openfaas-fn in the openfaas overlay, with configuration keys only', () => {
    const objects = render('k8s/overlays/openfaas');
    for (const [fn, f] of Object.entries(stack.functions)) {
      for (const name of f.secrets ?? []) {
        const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === name && o.metadata.namespace === 'openfaas-fn');
        expect(secret, `${fn}: Secret ${name} in openfaas-fn`).toBeDefined();
        const keys = Object.keys((secret!.stringData ?? secret!.data) as Record<string, string>);
        expect(keys.sort()).toEqual(['DATABASE_URL', 'NATS_URL', 'NIGHTSHIFT_TOKEN']);
        for (const k of keys) expect(variableForFile(k)).toBe(k);
      }
    }
  });
});
