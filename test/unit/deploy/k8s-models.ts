/**
 * Validates Kubernetes objects offline against their schemas with the
 * `kubernetes-models` packages (core, Knative Serving, KEDA): every kind the
 * manifests use has a model here, and a kind without one is an error, never a
 * skip, so a new kind cannot slip past the tests unchecked.
 *
 * Note: these validators check types, required fields and formats; like the
 * API server's own schemas they let unknown fields through, so the manifest
 * tests also assert the fields that matter by name.
 */
import * as knativeServingV1 from '@kubernetes-models/knative/serving.knative.dev/v1';
import * as kedaV1alpha1 from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as coreV1 from 'kubernetes-models/v1';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

interface ModelClass {
  apiVersion?: unknown;
  kind?: unknown;
  new (data: never): { validate(): void };
}

/** "apiVersion/kind" -> model class, from every module above. */
const MODELS = new Map<string, ModelClass>();
for (const mod of [coreV1, appsV1, batchV1, networkingV1, knativeServingV1, kedaV1alpha1] as unknown as Record<string, unknown>[]) {
  for (const value of Object.values(mod)) {
    const cls = value as ModelClass;
    if (typeof value === 'function' && typeof cls.apiVersion === 'string' && typeof cls.kind === 'string') {
      MODELS.set(`${cls.apiVersion}/${cls.kind}`, cls);
    }
  }
}

/** Throws naming the object when its kind has no model or it fails its schema. */
export function validateObject(obj: K8sObject): void {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const Model = MODELS.get(key);
  const where = `${key} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? '?'}`;
  if (!Model) throw new Error(`${where}: no kubernetes-models validator for this kind; add its module to test/unit/deploy/k8s-models.ts`);
  try {
    new Model(obj as never).validate();
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`, { cause: err });
  }
}
