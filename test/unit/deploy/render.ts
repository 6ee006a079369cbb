/**
 * Test helpers for the cluster manifests: render an overlay with the real
 * `kubectl kustomize` (it runs offline), read stack.yml, and look inside the
 * objects (pod specs and containers of any workload kind, label selectors,
 * resource quantities) the way Kubernetes would.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';
import type { K8sObject } from './k8s-models.ts';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const OVERLAYS = ['openfaas', 'knative', 'keda'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** kubectl: KUBECTL_BIN, else /usr/bin/kubectl. */
export const KUBECTL = process.env.KUBECTL_BIN ?? '/usr/bin/kubectl';

/** The objects `kubectl kustomize <dir>` renders (dir relative to the repository). */
export function render(dir: string): K8sObject[] {
  let out: string;
  try {
    out = execFileSync(KUBECTL, ['kustomize', resolve(ROOT, dir)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`kubectl not found at ${KUBECTL}: install kubectl (it renders kustomize offline) or set KUBECTL_BIN`);
    throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr ?? String(err)}`);
  }
  return YAML.parseAllDocuments(out)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

export function readRepoFile(path: string): string {
  return readFileSync(resolve(ROOT, path), 'utf8');
}

/** stack.yml's image for `fn` with the ${VAR:-default} parts at their defaults. */
export function defaultImage(template: string): string {
  return template.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: { httpGet?: { path?: string } };
  livenessProbe?: { httpGet?: { path?: string } };
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; secret?: { secretName: string }; persistentVolumeClaim?: { claimName: string }; configMap?: { name: string } }[];
  [key: string]: unknown;
}

/** Kinds whose objects run pods, and where their pod template is. */
const POD_SPEC_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Service: ['spec', 'template', 'spec'], // serving.knative.dev/v1 only, see podSpecOf
};

/** The pod spec of a workload (Deployment, StatefulSet, Job, Knative Service), else undefined. */
export function podSpecOf(obj: K8sObject): PodSpec | undefined {
  if (obj.kind === 'Service' && !obj.apiVersion.startsWith('serving.knative.dev/')) return undefined;
  const path = POD_SPEC_PATHS[obj.kind];
  if (!path) return undefined;
  let at: unknown = obj;
  for (const key of path) at = (at as Record<string, unknown> | undefined)?.[key];
  return at as PodSpec | undefined;
}

/** Labels of the pods a workload makes. */
export function podLabelsOf(obj: K8sObject): Record<string, string> {
  const template = (obj.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template;
  return template?.metadata?.labels ?? {};
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** Kubernetes label-selector semantics (an empty selector selects everything). */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const ok =
      e.operator === 'In' ? has && (e.values ?? []).includes(value!)
      : e.operator === 'NotIn' ? !has || !(e.values ?? []).includes(value!)
      : e.operator === 'Exists' ? has
      : !has;
    if (!ok) return false;
  }
  return true;
}

/** A CPU quantity in cores ("250m" -> 0.25). */
export function cpuCores(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q);
  if (!m) throw new Error(`not a CPU quantity: ${q}`);
  return Number(m[1]) / (m[2] === 'm' ? 1000 : 1);
}

const MEMORY_UNITS: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A memory quantity in bytes ("96Mi" -> 100663296). */
export function memoryBytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
  if (!m) throw new Error(`not a memory quantity: ${q}`);
  return Number(m[1]) * MEMORY_UNITS[m[2] ?? '']!;
}
