/**
 * Shannon entropy and the thresholds the secret rules use. Entropy is bits
 * per character over the string's own character counts: random base64 sits
 * near 5.5-6, random hex near 3.7-4, English words and identifiers near 3.
 */

/** Bits per character of `s` (0 for the empty string). */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  const n = [...s].length;
  for (const c of counts.values()) {
    const p = c / n;
    bits -= p * Math.log2(p);
  }
  return bits;
}

export const ENTROPY = {
  /** A `password = "..."` style value is a secret when at least this many characters long ... @default 8 */
  assignmentMinLength: 8,
  /**
   * ... and its entropy reaches min(assignmentMaxBits, assignmentShare * log2(length)):
   * a short string cannot reach high entropy (8 distinct characters give 3 bits), so
   * the bar is a share of the most its length allows, capped. @default 3.5 and 0.8
   */
  assignmentMaxBits: 3.5,
  assignmentShare: 0.8,
  /** A bare base64-like literal is reported from this length ... @default 32 */
  base64MinLength: 32,
  /** ... and this many bits per character. @default 4.5 */
  base64MinBits: 4.5,
  /** A bare hex literal is reported from this length ... @default 40 */
  hexMinLength: 40,
  /** ... and this many bits per character (random hex is about 3.7-4). @default 3.5 */
  hexMinBits: 3.5,
} as const;

/** True when `value` is random-looking enough for a value assigned to a secret-named variable. */
export function looksRandom(value: string): boolean {
  const n = value.length;
  if (n < ENTROPY.assignmentMinLength) return false;
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  const bar = Math.min(ENTROPY.assignmentMaxBits, ENTROPY.assignmentShare * Math.log2(n));
  return shannonEntropy(value) >= bar;
}
