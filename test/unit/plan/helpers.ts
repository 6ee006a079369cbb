/**
 * Shared by the plan tests: reads a fixture plan, imports it, and proves the
 * result is a spec the system accepts by writing it as YAML and loading it
 * back with the real loader.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSpecText } from '../../../shared/spec/loader.ts';
import type { Spec } from '../../../shared/spec/schema.ts';
import { planToSpec, specToYaml, type PlanImport, type PlanImportOptions } from '../../../shared/plan/index.ts';

export const PLANS = fileURLToPath(new URL('../../fixtures/plans/', import.meta.url));

export function planText(name: string): string {
  return readFileSync(`${PLANS}${name}`, 'utf8');
}

/** Imports a fixture and loads the emitted YAML; returns both. */
export function importFixture(name: string, options: PlanImportOptions = {}): { imported: PlanImport; loaded: Spec; yaml: string } {
  const imported = planToSpec(planText(name), { file: name, ...options });
  const yaml = specToYaml(imported.spec, { reasons: imported.reasons });
  const { spec: loaded } = parseSpecText(yaml, `${name}.yaml`);
  return { imported, loaded, yaml };
}

/** id -> [files, dependsOn] for compact exact assertions. */
export function shape(spec: Spec): Record<string, { files: string[]; dependsOn: string[] }> {
  return Object.fromEntries(spec.tasks.map((t) => [t.id, { files: t.files, dependsOn: t.dependsOn }]));
}
