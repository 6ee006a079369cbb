/**
 * Many realistic failures from few labelled ones: another occurrence of a
 * labelled error with other folders, numbers and quoted names, drawn from a
 * seeded generator so every run stores the same texts.
 */
import type { LabelledError } from '../learning-recall.ts';

/** Deterministic PRNG (mulberry32): numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['user', 'order', 'total', 'parse', 'config', 'cache', 'token', 'item', 'session', 'report', 'queue', 'render', 'price', 'limit', 'node'];
const DIRS = ['src', 'lib', 'app', 'packages/core/src', 'server', 'web/src', '/tmp/ns-ws-Xy12Ab', '/home/ci/work/repo'];

/** Another occurrence of a labelled message: other folders, numbers and quoted names. */
export function variant(d: LabelledError, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  return d.text
    .replace(/\b\d+\b/g, () => String(Math.floor(rnd() * 500)))
    .replace(/'([a-zA-Z_]\w*)'/g, () => `'${pick(WORDS)}${pick(WORDS).replace(/^./, (c) => c.toUpperCase())}'`)
    .replace(/(^|\s)((?:[\w.-]+\/)+)/g, (_m, pre: string) => `${pre}${pick(DIRS)}/`);
}
