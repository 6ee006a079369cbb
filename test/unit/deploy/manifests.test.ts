/**
 * Every overlay under k8s/overlays, rendered by the real `kubectl kustomize`:
 * each object passes its kubernetes-models schema (a kind without a model
 * fails), every container has requests and limits, every reference (ConfigMap,
 * Secret, claim) resolves inside the render, and every function workload is
 * fenced by NetworkPolicies that let it reach only NATS, Postgres and DNS and
 * be reached only by the bridge or the platform's gateway.
 */
import { describe, expect, test } from 'vitest';
import { FUNCTION_NAMES } from '../../../shared/events/catalog.ts';
import { validateObject, type K8sObject } from './k8s-models.ts';
import { OVERLAYS, cpuCores, memoryBytes, podLabelsOf, podSpecOf, render, selects, type LabelSelector, type Overlay } from './render.ts';

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}
interface Rule {
  to?: Peer[];
  from?: Peer[];
  ports?: { port?: number; protocol?: string }[];
}
interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes?: string[];
  egress?: Rule[];
  ingress?: Rule[];
}

/** Where the platform's own pods that may call functions live. */
const GATEWAY_NAMESPACES: Record<Overlay, string[]> = { openfaas: ['openfaas'], knative: ['knative-serving', 'kourier-system'], keda: [] };
const NS_LABEL = 'kubernetes.io/metadata.name';
const DNS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

const cache = new Map<Overlay, K8sObject[]>();
const objectsOf = (overlay: Overlay): K8sObject[] => cache.get(overlay) ?? (cache.set(overlay, render(`k8s/overlays/${overlay}`)), cache.get(overlay)!);

/** The function pods an overlay runs: its workloads, or for OpenFaaS the pods faas-netes will make. */
function functionPods(overlay: Overlay, objects: K8sObject[]): { name: string; namespace: string; labels: Record<string, string> }[] {
  if (overlay === 'openfaas') return FUNCTION_NAMES.map((name) => ({ name, namespace: 'openfaas-fn', labels: { faas_function: name } }));
  return objects
    .filter((o) => podSpecOf(o) && o.metadata.labels?.['app.kubernetes.io/component'] === 'function')
    .map((o) => ({ name: o.metadata.name, namespace: o.metadata.namespace ?? '', labels: podLabelsOf(o) }));
}

function peerSelects(peer: Peer, policyNs: string, podNs: string, labels: Record<string, string>): boolean {
  const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, { [NS_LABEL]: podNs }) : podNs === policyNs;
  return nsOk && selects(peer.podSelector, labels);
}

describe('validators', () => {
  test('a kind without a model fails, and a schema error fails', () => {
    expect(() => validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toThrow(/no kubernetes-models validator/);
    expect(() => validateObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 'two' } })).toThrow(/replicas must be integer/);
  });
});

describe.each(OVERLAYS)('k8s/overlays/%s', (overlay) => {
  test('every object passes its kubernetes-models schema', () => {
    const objects = objectsOf(overlay);
    expect(objects.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const o of objects) {
      try {
        validateObject(o);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    expect(problems).toEqual([]);
  });

  test('every container has cpu and memory requests and limits, requests within limits', () => {
    const workloads = objectsOf(overlay).filter((o) => podSpecOf(o));
    expect(workloads.map((w) => w.kind)).toEqual(expect.arrayContaining(['Deployment', 'StatefulSet', 'Job']));
    for (const w of workloads) {
      const spec = podSpecOf(w)!;
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        const where = `${w.kind} ${w.metadata.name} container ${c.name}`;
        const { requests, limits } = c.resources ?? {};
        expect(requests?.cpu && requests.memory && limits?.cpu && limits.memory, `${where} needs requests and limits`).toBeTruthy();
        expect(cpuCores(requests!.cpu!), where).toBeLessThanOrEqual(cpuCores(limits!.cpu!));
        expect(memoryBytes(requests!.memory!), where).toBeLessThanOrEqual(memoryBytes(limits!.memory!));
      }
    }
  });

  test('every ConfigMap, Secret and claim a pod uses is in the render, in its namespace', () => {
    const objects = objectsOf(overlay);
    const has = (kind: string, ns: string | undefined, name: string): boolean => objects.some((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name);
    for (const w of objects.filter((o) => podSpecOf(o))) {
      const spec = podSpecOf(w)!;
      const ns = w.metadata.namespace;
      const claimTemplates = ((w.spec as { volumeClaimTemplates?: { metadata: { name: string } }[] }).volumeClaimTemplates ?? []).map((t) => t.metadata.name);
      for (const v of spec.volumes ?? []) {
        if (v.secret) expect(has('Secret', ns, v.secret.secretName), `${w.metadata.name}: Secret ${v.secret.secretName}`).toBe(true);
        if (v.configMap) expect(has('ConfigMap', ns, v.configMap.name), `${w.metadata.name}: ConfigMap ${v.configMap.name}`).toBe(true);
        if (v.persistentVolumeClaim) expect(has('PersistentVolumeClaim', ns, v.persistentVolumeClaim.claimName), `${w.metadata.name}: claim`).toBe(true);
      }
      for (const c of spec.containers) {
        for (const e of c.envFrom ?? []) if (e.configMapRef) expect(has('ConfigMap', ns, e.configMapRef.name), `${w.metadata.name}: envFrom`).toBe(true);
        const volumeNames = [...(spec.volumes ?? []).map((v) => v.name), ...claimTemplates];
        for (const m of c.volumeMounts ?? []) expect(volumeNames, `${w.metadata.name}/${c.name} mounts ${m.name}`).toContain(m.name);
      }
    }
    for (const pvc of objects.filter((o) => o.kind === 'PersistentVolumeClaim')) {
      const volumeName = (pvc.spec as { volumeName?: string }).volumeName;
      const pv = objects.find((o) => o.kind === 'PersistentVolume' && o.metadata.name === volumeName);
      expect(pv, `PV for claim ${pvc.metadata.name}`).toBeDefined();
      expect((pv!.spec as { claimRef: unknown }).claimRef).toEqual({ namespace: pvc.metadata.namespace, name: pvc.metadata.name });
    }
  });

  test('every function pod is fenced: egress only to NATS, Postgres and DNS; ingress only from the bridge or the gateway', () => {
    const objects = objectsOf(overlay);
    const pods = functionPods(overlay, objects);
    expect(pods.map((p) => p.name).sort()).toEqual([...FUNCTION_NAMES].sort());
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const podOf = (name: string): K8sObject => objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === name)!;
    const nats = { namespace: podOf('nats').metadata.namespace!, labels: podLabelsOf(podOf('nats')), port: 4222 };
    const postgres = { namespace: podOf('postgres').metadata.namespace!, labels: podLabelsOf(podOf('postgres')), port: 5432 };
    const bridge = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'nightshift-bridge')!;

    for (const pod of pods) {
      const mine = policies.filter((p) => p.metadata.namespace === pod.namespace && selects((p.spec as PolicySpec).podSelector, pod.labels));
      const egress = mine.filter((p) => (p.spec as PolicySpec).policyTypes?.includes('Egress'));
      const ingress = mine.filter((p) => (p.spec as PolicySpec).policyTypes?.includes('Ingress'));
      expect(egress.length, `${pod.name}: an Egress policy`).toBeGreaterThan(0);
      expect(ingress.length, `${pod.name}: an Ingress policy`).toBeGreaterThan(0);

      const egressRules = egress.flatMap((p) => ((p.spec as PolicySpec).egress ?? []).map((r) => ({ ns: p.metadata.namespace!, r })));
      for (const { ns, r } of egressRules) {
        expect(r.to?.length, `${pod.name}: an egress rule without "to" allows everything`).toBeGreaterThan(0);
        for (const peer of r.to!) {
          expect(peer.ipBlock, `${pod.name}: no ipBlock egress`).toBeUndefined();
          const target = [nats, postgres, { ...DNS, port: 53 }].find((t) => peerSelects(peer, ns, t.namespace, t.labels));
          expect(target, `${pod.name}: egress peer ${JSON.stringify(peer)} is not NATS, Postgres or DNS`).toBeDefined();
          expect(peer.podSelector && Object.keys(peer.podSelector).length, `${pod.name}: a peer must name pods`).toBeTruthy();
          expect(r.ports?.map((p) => p.port).every((port) => port === target!.port), `${pod.name}: ports to ${JSON.stringify(target!.labels)}`).toBe(true);
        }
      }
      for (const t of [nats, postgres, { ...DNS, port: 53 }]) {
        expect(egressRules.some(({ ns, r }) => r.to!.some((peer) => peerSelects(peer, ns, t.namespace, t.labels))), `${pod.name} reaches ${JSON.stringify(t.labels)}`).toBe(true);
      }

      const allowedFrom = (peer: Peer, ns: string): boolean =>
        peerSelects(peer, ns, bridge.metadata.namespace!, podLabelsOf(bridge)) ||
        (peer.podSelector === undefined && GATEWAY_NAMESPACES[overlay].some((g) => selects(peer.namespaceSelector, { [NS_LABEL]: g })) && !selects(peer.namespaceSelector, { [NS_LABEL]: 'default' }));
      const ingressRules = ingress.flatMap((p) => ((p.spec as PolicySpec).ingress ?? []).map((r) => ({ ns: p.metadata.namespace!, r })));
      for (const { ns, r } of ingressRules) {
        expect(r.from?.length, `${pod.name}: an ingress rule without "from" allows everyone`).toBeGreaterThan(0);
        for (const peer of r.from!) expect(allowedFrom(peer, ns), `${pod.name}: ingress peer ${JSON.stringify(peer)}`).toBe(true);
      }
      const caller = overlay === 'openfaas' ? (peer: Peer, ns: string) => selects(peer.namespaceSelector, { [NS_LABEL]: 'openfaas' }) && ns === pod.namespace : (peer: Peer, ns: string) => peerSelects(peer, ns, bridge.metadata.namespace!, podLabelsOf(bridge));
      expect(ingressRules.some(({ ns, r }) => r.from!.some((peer) => caller(peer, ns))), `${pod.name}: its caller may reach it`).toBe(true);
    }
  });
});
