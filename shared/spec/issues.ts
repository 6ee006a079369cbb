/**
 * Turns zod issues into problems a person can act on: "missing required
 * field", "unknown field 'depends_on' (did you mean 'dependsOn'?)", "must be
 * one of low, medium, high, critical, got 'urgent'".
 */
import { z } from 'zod';
import type { RawProblem } from './problems.ts';

/** The value at `path` inside `raw`, and whether it is there at all. */
export function valueAt(raw: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let value: unknown = raw;
  for (const seg of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, seg)) return { found: false, value: undefined };
    value = (value as Record<PropertyKey, unknown>)[seg];
  }
  return { found: true, value };
}

/** A short description of a value for a message: `'text'`, `42`, `a list`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value.length > 60 ? `'${value.slice(0, 57)}...'` : `'${value}'`;
  return String(value);
}

/** The field names the schema allows at `path` (the union of every option for a union). */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType[] = [schema];
  const unwrap = (s: z.ZodType): z.ZodType[] => {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) return unwrap(s.unwrap() as z.ZodType);
    if (s instanceof z.ZodUnion) return (s.options as z.ZodType[]).flatMap(unwrap);
    return [s];
  };
  for (const seg of path) {
    current = current.flatMap(unwrap).flatMap((s): z.ZodType[] => {
      if (s instanceof z.ZodObject && typeof seg === 'string') {
        const child = (s.shape as Record<string, z.ZodType>)[seg];
        return child ? [child] : [];
      }
      if (s instanceof z.ZodArray && typeof seg === 'number') return [s.element as z.ZodType];
      return [];
    });
  }
  const keys = current.flatMap(unwrap).flatMap((s) => (s instanceof z.ZodObject ? Object.keys(s.shape) : []));
  return [...new Set(keys)];
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The known key closest to `key` when it looks like a typo of it. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_ ]/g, '');
  let best: { key: string; distance: number } | undefined;
  for (const k of known) {
    const distance = editDistance(norm(key), norm(k));
    if (distance <= Math.min(2, Math.floor(k.length / 3)) && (best === undefined || distance < best.distance)) {
      best = { key: k, distance };
    }
  }
  return best?.key;
}

function cleanMessage(message: string): string {
  return message.replace(/^Invalid input: /, '').replace(/^Too (big|small): /, '');
}

/** One or more problems for each zod issue, worded for a person editing the YAML. */
export function issueProblems(issues: readonly z.core.$ZodIssue[], raw: unknown, schema: z.ZodType): RawProblem[] {
  const out: RawProblem[] = [];
  for (const issue of issues) {
    const path = issue.path;
    const at = valueAt(raw, path);
    const last = path[path.length - 1];
    const missing = !at.found && last !== undefined;
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeys(schema, path);
        for (const key of issue.keys) {
          const hint = suggestKey(key, known);
          const message = `unknown field '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}`;
          out.push({ path: [...path, key], kind: 'schema', message, atKey: true });
        }
        break;
      }
      case 'invalid_type':
        out.push({
          path,
          kind: 'schema',
          message: missing ? 'required field is missing' : `expected ${issue.expected}, got ${describeValue(at.value)}`,
        });
        break;
      case 'invalid_value': {
        const allowed = issue.values.map((v) => String(v)).join(', ');
        const got = missing ? 'it is missing' : `got ${describeValue(at.value)}`;
        out.push({ path, kind: 'schema', message: `must be one of ${allowed}; ${got}` });
        break;
      }
      case 'invalid_union': {
        const options = (issue as { options?: unknown[] }).options;
        const message = options
          ? `must be one of ${options.map(String).join(', ')}; ${missing ? 'it is missing' : `got ${describeValue(at.value)}`}`
          : `does not match any allowed form (${cleanMessage(issue.message)})`;
        out.push({ path, kind: 'schema', message });
        break;
      }
      case 'too_big':
        out.push({
          path,
          kind: 'limit',
          message: path.length === 1 && path[0] === 'tasks' && Array.isArray(at.value)
            ? `too many tasks: ${at.value.length}; the limit is ${String(issue.maximum)}`
            : cleanMessage(issue.message),
        });
        break;
      case 'invalid_format':
        out.push({ path, kind: 'schema', message: `${issue.message} (got ${describeValue(at.value)})` });
        break;
      default:
        out.push({ path, kind: 'schema', message: cleanMessage(issue.message) });
    }
  }
  return out;
}
