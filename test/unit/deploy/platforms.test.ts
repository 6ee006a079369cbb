/**
 * What each platform's manifests promise, checked on the rendered objects:
 * Knative Services scale to zero and probe /_/ready; KEDA scales each
 * function on its own durable consumer of the NIGHTSHIFT stream; the bridge
 * is pointed at the right addresses; images, resources and timeouts agree
 * with stack.yml; configuration keys are real variables; NATS runs JetStream
 * with sync_interval always, in a config the real nats-server accepts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { variableForFile } from '../../../shared/config-secrets.ts';
import { ConfigSchema, loadConfig } from '../../../shared/config.ts';
import { FUNCTION_NAMES } from '../../../shared/events/catalog.ts';
import { natsServerBinary } from '../../helpers/nats-server.ts';
import { validateObject, type K8sObject } from './k8s-models.ts';
import { parseStack } from './openfaas-stack-schema.ts';
import { OVERLAYS, defaultImage, podSpecOf, readRepoFile, render, type Overlay, type PodSpec } from './render.ts';

const stack = parseStack(readRepoFile('stack.yml'));
const rendered = Object.fromEntries(OVERLAYS.map((o) => [o, render(`k8s/overlays/${o}`)])) as Record<Overlay, K8sObject[]>;
const find = (objects: K8sObject[], kind: string, name: string): K8sObject | undefined => objects.find((o) => o.kind === kind && o.metadata.name === name);
const configOf = (objects: K8sObject[]): Record<string, string> => find(objects, 'ConfigMap', 'nightshift-config')!.data as Record<string, string>;

/** "1h" / "15m" / "30s" in seconds. */
function seconds(d: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('function workloads agree with stack.yml', () => {
  test.each(['knative', 'keda'] as const)('%s: the five functions with stack.yml images, requests and limits', (overlay) => {
    const kind = overlay === 'knative' ? 'Service' : 'Deployment';
    const fns = rendered[overlay].filter((o) => o.kind === kind && o.metadata.labels?.['app.kubernetes.io/component'] === 'function');
    expect(fns.map((f) => f.metadata.name).sort()).toEqual([...FUNCTION_NAMES].sort());
    for (const f of fns) {
      const s = stack.functions[f.metadata.name]!;
      const [c, ...more] = podSpecOf(f)!.containers;
      expect(more).toEqual([]);
      expect(c!.image).toBe(defaultImage(s.image));
      expect(c!.resources).toEqual({ requests: s.requests, limits: s.limits });
      expect(c!.readinessProbe?.httpGet?.path).toBe('/_/ready');
      expect(c!.volumeMounts?.find((m) => m.name === 'secrets')?.mountPath).toBe(configOf(rendered[overlay]).SECRETS_DIR);
    }
  });

  test('the bridge image is named like the functions, and the migrations Job runs it with migrate', () => {
    for (const overlay of OVERLAYS) {
      const bridge = podSpecOf(find(rendered[overlay], 'Deployment', 'nightshift-bridge')!)!.containers[0]!;
      const job = podSpecOf(find(rendered[overlay], 'Job', 'nightshift-migrate')!)!.containers[0]!;
      expect(bridge.image).toBe(defaultImage('${REGISTRY:-localhost:5000}/nightshift-bridge:${TAG:-latest}'));
      expect(job.image).toBe(bridge.image);
      expect([...(job.command ?? []), ...(job.args ?? [])]).toEqual(['node', '/app/index.mjs', 'migrate']);
    }
  });
});

describe('Knative', () => {
  const services = rendered.knative.filter((o) => o.apiVersion === 'serving.knative.dev/v1' && o.kind === 'Service');

  test('every Knative Service scales to zero, has a max-scale, stays cluster-local, and times out with stack.yml', () => {
    expect(services).toHaveLength(FUNCTION_NAMES.length);
    for (const s of services) {
      const template = (s.spec as { template: { metadata: { annotations: Record<string, string> }; spec: PodSpec & { timeoutSeconds: number; responseStartTimeoutSeconds: number } } }).template;
      expect(template.metadata.annotations['autoscaling.knative.dev/min-scale'], s.metadata.name).toBe('0');
      expect(Number(template.metadata.annotations['autoscaling.knative.dev/max-scale'])).toBeGreaterThanOrEqual(1);
      expect(s.metadata.labels?.['networking.knative.dev/visibility']).toBe('cluster-local');
      expect(template.spec.timeoutSeconds).toBe(seconds(stack.functions[s.metadata.name]!.environment!.write_timeout!));
      expect(template.spec.responseStartTimeoutSeconds).toBe(template.spec.timeoutSeconds);
    }
  });
});

describe('KEDA', () => {
  const objects = rendered.keda;
  const scaled = objects.filter((o) => o.apiVersion === 'keda.sh/v1alpha1' && o.kind === 'ScaledObject');

  test('one ScaledObject per function, from 0, on its own durable consumer of the NIGHTSHIFT stream', () => {
    const stream = configOf(objects).NATS_STREAM;
    expect(stream).toBe(loadConfig({}).NATS_STREAM);
    const natsService = find(objects, 'Service', 'nats')!;
    expect(scaled.map((s) => s.metadata.name).sort()).toEqual([...FUNCTION_NAMES].sort());
    for (const s of scaled) {
      const spec = s.spec as { minReplicaCount: number; maxReplicaCount: number; scaleTargetRef: { name: string }; triggers: { type: string; metadata: Record<string, string> }[] };
      expect(spec.minReplicaCount).toBe(0);
      expect(spec.maxReplicaCount).toBeGreaterThanOrEqual(1);
      expect(find(objects, 'Deployment', spec.scaleTargetRef.name)?.metadata.name).toBe(s.metadata.name);
      expect(spec.triggers).toHaveLength(1);
      const [t] = spec.triggers;
      expect(t!.type).toBe('nats-jetstream');
      expect(t!.metadata).toMatchObject({ account: '$G', stream, consumer: s.metadata.name });
      expect(Number(t!.metadata.lagThreshold)).toBeGreaterThanOrEqual(1);
      const [host, port] = t!.metadata.natsServerMonitoringEndpoint!.split(':');
      expect(host).toBe(`${natsService.metadata.name}.${natsService.metadata.namespace}.svc.cluster.local`);
      expect((natsService.spec as { ports: { port: number }[] }).ports.map((p) => p.port)).toContain(Number(port));
      expect((find(objects, 'Deployment', s.metadata.name)!.spec as { replicas?: number }).replicas, 'KEDA owns replicas').toBeUndefined();
    }
  });
});

describe('the bridge and the shared configuration', () => {
  const expected: Record<Overlay, string> = {
    openfaas: 'http://gateway.openfaas:8080/function/{name}',
    knative: 'http://{name}.nightshift.svc.cluster.local',
    keda: 'http://{name}.nightshift.svc.cluster.local',
  };

  test.each(OVERLAYS)('%s: FUNCTION_URL_TEMPLATE points at the functions, and every key is a valid variable', (overlay) => {
    const data = configOf(rendered[overlay]);
    expect(data.FUNCTION_URL_TEMPLATE).toBe(expected[overlay]);
    expect(Object.keys(data).filter((k) => k !== 'SECRETS_DIR' && !Object.hasOwn(ConfigSchema.shape, k))).toEqual([]);
    const config = loadConfig(data);
    expect(config.INVOKE_TIMEOUT_MS / 1000).toBeGreaterThanOrEqual(seconds(stack.functions['develop-task']!.environment!.write_timeout!));
    for (const fn of FUNCTION_NAMES) {
      const host = new URL(data.FUNCTION_URL_TEMPLATE!.replace('{name}', fn)).hostname;
      if (overlay === 'openfaas') continue;
      expect(host).toBe(`${fn}.nightshift.svc.cluster.local`);
      expect(rendered[overlay].some((o) => o.kind === 'Service' && o.metadata.name === fn && o.metadata.namespace === 'nightshift'), `a Service named ${fn}`).toBe(true);
    }
    const secret = find(rendered[overlay], 'Secret', 'nightshift')!;
    for (const k of Object.keys(secret.stringData as Record<string, string>)) expect(k === 'POSTGRES_PASSWORD' || variableForFile(k) === k, k).toBe(true);
  });

  test('stack.yml puts the shared folders where the ConfigMap does', () => {
    const data = configOf(rendered.openfaas);
    for (const f of Object.values(stack.functions)) expect(f.environment).toMatchObject({ SPECS_DIR: data.SPECS_DIR, WORKSPACES_DIR: data.WORKSPACES_DIR, NATS_STREAM: data.NATS_STREAM });
  });

  test('the OpenFaaS volume patch gives each function the folders the PersistentVolumes hold', () => {
    const patch = readRepoFile('k8s/overlays/openfaas/function-volumes.patch.yaml');
    const pvPaths = rendered.openfaas.filter((o) => o.kind === 'PersistentVolume').map((o) => (o.spec as { hostPath: { path: string } }).hostPath.path);
    const data = configOf(rendered.openfaas);
    for (const fn of FUNCTION_NAMES) {
      const p = YAML.parse(patch.replaceAll('FUNCTION', fn)) as { spec: { template: { spec: PodSpec } } };
      const spec = p.spec.template.spec;
      const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: fn, namespace: 'openfaas-fn' }, spec: { selector: { matchLabels: { faas_function: fn } }, template: { metadata: { labels: { faas_function: fn } }, spec: { ...spec, containers: spec.containers.map((c) => ({ ...c, image: defaultImage(stack.functions[fn]!.image) })) } } } };
      validateObject(deployment);
      expect(spec.containers[0]!.name).toBe(fn);
      const hostPaths = (spec.volumes as unknown as { hostPath: { path: string } }[]).map((v) => v.hostPath.path);
      expect(hostPaths.sort()).toEqual([...pvPaths].sort());
      expect(spec.containers[0]!.volumeMounts!.map((m) => m.mountPath).sort()).toEqual([...pvPaths].sort());
      expect(hostPaths).toEqual(expect.arrayContaining([data.SPECS_DIR, data.WORKSPACES_DIR]));
    }
  });
});

describe('NATS', () => {
  test('JetStream on a claim with sync_interval always and monitoring on 8222, in a config nats-server accepts', async () => {
    const objects = rendered.knative;
    const conf = (find(objects, 'ConfigMap', 'nats-config')!.data as Record<string, string>)['nats.conf']!;
    expect(conf).toMatch(/jetstream \{[^}]*\n\s*sync_interval: always\n[^}]*\}/);
    expect(conf).toMatch(/^http_port: 8222$/m);
    const sts = find(objects, 'StatefulSet', 'nats')!;
    const image = podSpecOf(sts)!.containers[0]!.image;
    const [major, minor] = (/^nats:(\d+)\.(\d+)/.exec(image) ?? []).slice(1).map(Number);
    expect(major! * 100 + minor!, `${image} must be >= 2.10 for sync_interval`).toBeGreaterThanOrEqual(210);
    expect((sts.spec as { volumeClaimTemplates: unknown[] }).volumeClaimTemplates).toHaveLength(1);

    // The local server checks the rest; one older than 2.10 does not know sync_interval yet.
    const bin = natsServerBinary();
    const version = /v?(\d+)\.(\d+)/.exec(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '');
    expect(version, `nats-server at ${bin} (set NATS_SERVER_BIN)`).not.toBeNull();
    const old = Number(version![1]) * 100 + Number(version![2]) < 210;
    const dir = await mkdtemp(join(tmpdir(), 'nightshift-natsconf-'));
    dirs.push(dir);
    const file = join(dir, 'nats.conf');
    await writeFile(file, (old ? conf.replace(/^\s*sync_interval: always\n/m, '') : conf).replace('/data/jetstream', join(dir, 'js')));
    const check = spawnSync(bin, ['-c', file, '-t'], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    await writeFile(file, conf.replace('max_file_store', 'max_file_stor'));
    expect(spawnSync(bin, ['-c', file, '-t'], { encoding: 'utf8' }).status, 'a broken config must fail the check').not.toBe(0);
  });
});
