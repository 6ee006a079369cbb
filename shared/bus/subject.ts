/**
 * NATS subject matching, for the in-process bus and for JetStream servers
 * older than 2.10 that cannot filter a consumer on several subjects.
 */

/** True if `subject` matches `pattern` (`*` is one token, a final `>` is one or more). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}

/** True if `subject` matches any of `patterns`. */
export function matchesAny(patterns: readonly string[], subject: string): boolean {
  return patterns.some((p) => subjectMatches(p, subject));
}
