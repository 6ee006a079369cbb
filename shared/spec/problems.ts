/**
 * What is wrong with a spec file, in words a person can act on: the file, the
 * line and column, the field, and what to change.
 */
import type { Document } from 'yaml';
import { NightshiftError } from '../errors.ts';

/** One thing wrong with a spec file. `line` and `column` are 1-based. */
export interface SpecProblem {
  file: string;
  line?: number;
  column?: number;
  /** The field in dotted form, for example `tasks[2].dependsOn[0]`. */
  field?: string;
  kind: 'syntax' | 'schema' | 'graph' | 'path' | 'limit';
  message: string;
}

/** A problem before it is tied to a file and a position: `path` is the field's key path. */
export interface RawProblem {
  path: readonly PropertyKey[];
  kind: SpecProblem['kind'];
  message: string;
  /** Point at the key of the last path segment rather than at its value (unknown fields). */
  atKey?: boolean;
}

/** How many problems one error carries at most; the rest are counted, not listed. @default 200 */
export const MAX_PROBLEMS = 200;

/** `['tasks', 2, 'dependsOn', 0]` -> `tasks[2].dependsOn[0]`; an empty path is the empty string. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** `file:line:column: field: message`, leaving out the parts that are unknown. */
export function formatProblem(p: SpecProblem): string {
  let where = p.file;
  if (p.line !== undefined) where += `:${p.line}`;
  if (p.line !== undefined && p.column !== undefined) where += `:${p.column}`;
  const field = p.field ? `${p.field}: ` : '';
  return `${where}: ${field}${p.message}`;
}

/** Keeps at most MAX_PROBLEMS and says how many were left out. */
export function capProblems(problems: SpecProblem[], file: string): SpecProblem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  const kept = problems.slice(0, MAX_PROBLEMS - 1);
  const more = problems.length - kept.length;
  kept.push({ file, kind: 'limit', message: `${more} more problems not listed; fix the ones above first` });
  return kept;
}

/** Options for SpecInvalidError. */
export interface SpecInvalidOptions {
  /**
   * True when the text parsed as a YAML mapping, so the spec store may mark it
   * `status: rejected` in place. False means the file must never be rewritten.
   */
  parsed: boolean;
  /** The parsed document when `parsed` is true, for the store to write the rejection into. */
  doc?: Document;
  cause?: unknown;
}

/**
 * A spec that cannot be accepted. `details` (and `problems`) list every
 * problem found, not just the first; the message lists them too.
 */
export class SpecInvalidError extends NightshiftError {
  readonly file: string;
  readonly problems: SpecProblem[];
  readonly parsed: boolean;
  readonly doc: Document | undefined;

  constructor(code: 'SPEC_INVALID' | 'SPEC_TOO_LARGE', file: string, problems: SpecProblem[], options: SpecInvalidOptions) {
    const shown = problems.slice(0, 20).map((p) => `  ${formatProblem(p)}`);
    if (problems.length > 20) shown.push(`  ... and ${problems.length - 20} more`);
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(code, `${file} is not a valid spec (${count}):\n${shown.join('\n')}`, {
      details: problems,
      cause: options.cause,
    });
    this.name = 'SpecInvalidError';
    this.file = file;
    this.problems = problems;
    this.parsed = options.parsed;
    this.doc = options.doc;
  }
}
