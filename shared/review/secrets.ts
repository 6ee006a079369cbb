/**
 * Secret scanning over the lines a diff adds. Only added lines are read:
 * removing a secret is good news, and context lines were reviewed before.
 * Findings never quote the secret itself: they go to logs, the database and
 * the next attempt's prompt.
 */
import { posix } from 'node:path';
import { ENTROPY, shannonEntropy } from './entropy.ts';
import { finding } from './finding.ts';
import { KEY_BODY, LOCKFILES, PRIVATE_KEY_MARKER, SECRET_RULES, SUPPRESSION_COMMENT } from './secret-rules.ts';
import type { AddedLine, DiffFile, Finding } from './types.ts';

// A quoted run of base64/base64url characters (hex is a subset).
const QUOTED_TOKEN = /(["'`])([A-Za-z0-9+/=_-]{32,4096})\1/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SRI_HASH = /^sha(?:1|256|384|512)-/;

/** Secret findings for every file of the diff that adds text lines. */
export function scanSecrets(files: readonly DiffFile[]): Finding[] {
  const out: Finding[] = [];
  for (const file of files) {
    if (file.newPath === null || file.binary) continue;
    // a loop, not push(...): a huge file's findings would overflow the argument limit
    for (const f of scanFile(file.newPath, file.addedLines)) out.push(f);
  }
  return out;
}

/** Secret findings for one file's added lines. */
export function scanFile(path: string, lines: readonly AddedLine[]): Finding[] {
  const out: Finding[] = [];
  const lockfile = LOCKFILES.has(posix.basename(path));
  lines.forEach((added, index) => {
    const { text, line } = added;
    let named = false;
    for (const rule of SECRET_RULES) {
      rule.pattern.lastIndex = 0;
      for (let m = rule.pattern.exec(text); m; m = rule.pattern.exec(text)) {
        const severity = rule.judge ? rule.judge(m, path) : 'block';
        if (severity === undefined) continue;
        out.push(finding(path, line, rule.id, severity, `${rule.what} was added`));
        named = true;
        break; // one finding per rule and line is enough to reject and to point at it
      }
    }
    if (PRIVATE_KEY_MARKER.test(text)) {
      named = true;
      out.push(privateKey(path, lines, index));
    }
    if (SUPPRESSION_COMMENT.test(text)) {
      out.push(finding(path, line, 'scanner-suppression', 'warn', 'a comment that silences secret scanners was added; it does not silence this review'));
    }
    if (!named && !lockfile) {
      const entropy = highEntropyLiteral(text);
      if (entropy) out.push(finding(path, line, 'high-entropy-string', 'warn', `a random-looking ${entropy} string was added (it may be a secret)`));
    }
  });
  return out;
}

/**
 * A marker followed by key material blocks; a marker alone (a PEM parser's
 * constant, a docs example header) only warns.
 */
function privateKey(path: string, lines: readonly AddedLine[], index: number): Finding {
  const here = lines[index]!;
  const after = here.text.slice(here.text.search(PRIVATE_KEY_MARKER));
  let body = KEY_BODY.test(after.replace(PRIVATE_KEY_MARKER, ''));
  for (let k = 1; k <= 3 && !body; k++) {
    const next = lines[index + k];
    if (next === undefined || next.line !== here.line + k) break;
    body = KEY_BODY.test(next.text);
  }
  return body
    ? finding(path, here.line, 'private-key', 'block', 'a private key was added')
    : finding(path, here.line, 'private-key', 'warn', 'a private key header was added without key data');
}

/** 'base64' or 'hex' when the line holds a quoted literal past the entropy thresholds. */
export function highEntropyLiteral(text: string): 'base64' | 'hex' | undefined {
  QUOTED_TOKEN.lastIndex = 0;
  for (let m = QUOTED_TOKEN.exec(text); m; m = QUOTED_TOKEN.exec(text)) {
    const value = m[2]!;
    if (UUID.test(value) || SRI_HASH.test(value)) continue;
    const bits = shannonEntropy(value);
    if (/^[0-9a-f]+$/i.test(value)) {
      if (value.length >= ENTROPY.hexMinLength && bits >= ENTROPY.hexMinBits) return 'hex';
    } else if (
      value.length >= ENTROPY.base64MinLength &&
      bits >= ENTROPY.base64MinBits &&
      /[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value)
    ) {
      return 'base64';
    }
  }
  return undefined;
}
