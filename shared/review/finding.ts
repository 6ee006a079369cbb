/**
 * Building, sorting and printing findings.
 */
import { displayPath } from './git-path.ts';
import type { Finding, RuleId, Severity } from './types.ts';
import { WHOLE_DIFF } from './types.ts';

/** A finding whose message is the printable line `file:line: rule: what`. */
export function finding(file: string, line: number | undefined, rule: RuleId, severity: Severity, what: string): Finding {
  const where = file === WHOLE_DIFF ? file : displayPath(file);
  const message = `${where}${line === undefined ? '' : `:${line}`}: ${rule}: ${what}`;
  return line === undefined ? { file, rule, severity, message } : { file, line, rule, severity, message };
}

/** Orders findings by file, then line (whole-file findings first), then rule, then message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.file, b.file) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    cmp(a.rule, b.rule) ||
    cmp(a.message, b.message)
  );
}

/** One line per finding, `block` or `warn` first: `block src/a.ts:3: aws-access-key-id: an AWS access key id was added`. Empty string for none. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.severity} ${f.message}`).join('\n');
}

// Code-unit order, so the result does not depend on the machine's locale.
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
