/**
 * The embedder port and its default adapter: hashed character n-grams and
 * word n-grams, offline and deterministic (same text, same vector, anywhere).
 */
import { NightshiftError } from '../errors.ts';
import { DEFAULT_VECTOR_DIM } from '../db/types.ts';

/** Turns texts into vectors of `dim` numbers, one per text, in order. */
export interface Embedder {
  /** Length of every vector; must equal the database's vector dimension. */
  readonly dim: number;
  /** Names the model and its settings, e.g. `hashed-ngram-v1/256`; vectors of different ids do not compare. */
  readonly id: string;
  embed(texts: string[]): Promise<number[][]>;
}

export interface HashedNgramOptions {
  /** Vector length (pgvector's HNSW allows up to 2000). @default 256 */
  dim?: number;
  /** Shortest and longest character n-gram. @default [3, 5] */
  charRange?: readonly [number, number];
  /** Weight of each word unigram and bigram against one character n-gram. @default 2 */
  wordWeight?: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-16 code units of `s`: stable across runs, platforms and Node versions. */
export function fnv1a(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** murmur3's finalizer: spreads the bits of `h`, so its top bit is a sign independent of the bucket. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Words: identifiers, error codes and placeholders such as `<n>`. */
const WORD = /<[a-z]+>|[a-z_$][a-z0-9_$]*|[0-9]+/g;

/** Feature counts of one (normalized) text. */
function features(text: string, minN: number, maxN: number, wordWeight: number): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (f: string, w: number): void => {
    counts.set(f, (counts.get(f) ?? 0) + w);
  };
  const lower = text.toLowerCase().replace(/\s+/g, ' ').trim();
  // Spaces at both ends make the first and last characters form n-grams too.
  const padded = ` ${lower} `;
  for (let n = minN; n <= maxN; n++) {
    for (let i = 0; i + n <= padded.length; i++) add(`c:${padded.slice(i, i + n)}`, 1);
  }
  const words = lower.match(WORD) ?? [];
  for (let i = 0; i < words.length; i++) {
    add(`w:${words[i]}`, wordWeight);
    if (i + 1 < words.length) add(`b:${words[i]} ${words[i + 1]}`, wordWeight);
  }
  if (counts.size === 0) add('empty', 1);
  return counts;
}

/** The vector of one text: feature hashing with signed buckets, sublinear counts, L2-normalized. */
function embedOne(text: string, dim: number, minN: number, maxN: number, wordWeight: number): number[] {
  const v = new Float64Array(dim);
  for (const [feature, count] of features(text, minN, maxN, wordWeight)) {
    const h = fnv1a(feature);
    const sign = mix(h) >>> 31 === 0 ? 1 : -1;
    // log damps features that repeat in long logs, so one noisy line cannot outweigh the rest.
    v[h % dim]! += sign * (1 + Math.log(count));
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  // Signed buckets can cancel to zero; pgvector's cosine of a zero vector is NaN, so fall back to a fixed unit vector.
  if (norm === 0) {
    const out = new Array<number>(dim).fill(0);
    out[0] = 1;
    return out;
  }
  return Array.from(v, (x) => x / norm);
}

/**
 * The default embedder: hashed character 3- to 5-grams plus word unigrams and
 * bigrams (weighted 2) of the text, lower-cased, into `dim` buckets, signed by
 * a second hash, L2-normalized. Feed it `normalizeError` output. Offline,
 * deterministic, about as fast as the text is long.
 */
export function hashedNgramEmbedder(options: HashedNgramOptions = {}): Embedder {
  const dim = options.dim ?? DEFAULT_VECTOR_DIM;
  const [minN, maxN] = options.charRange ?? [3, 5];
  const wordWeight = options.wordWeight ?? 2;
  if (!Number.isInteger(dim) || dim < 1 || dim > 16_000) {
    throw new NightshiftError('CONFIG_INVALID', `hashed n-gram embedder: dim must be an integer from 1 to 16000, got ${dim}`);
  }
  if (!Number.isInteger(minN) || !Number.isInteger(maxN) || minN < 1 || maxN < minN) {
    throw new NightshiftError('CONFIG_INVALID', `hashed n-gram embedder: charRange must be [min, max] with 1 <= min <= max, got [${minN}, ${maxN}]`);
  }
  const id = `hashed-ngram-v1/${dim}/c${minN}-${maxN}/w${wordWeight}`;
  return {
    dim,
    id,
    async embed(texts) {
      return texts.map((t) => embedOne(t, dim, minN, maxN, wordWeight));
    },
  };
}

/** Cosine distance of two vectors (1 - cosine similarity), as pgvector's `<=>` computes it. */
export function cosineDistance(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return 1 - dot / Math.sqrt(na * nb);
}
