/**
 * Retrieval quality of an embedder on the labelled error messages in
 * bench/data/errors.jsonl: the measure (used by a unit test too) and the
 * `learning-recall` benchmark (`npm run bench -- learning-recall`) that
 * reports it for the default embedder, with and without normalizing.
 *
 * recall@k: for each message, the other messages are ranked by cosine distance
 * (exact, ties by file order); the message counts as a hit when at least one
 * of the k nearest has the same `cause` label. recall@k = hits / messages.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { cosineDistance, hashedNgramEmbedder, type Embedder } from '../shared/learn/embedder.ts';
import { DEFAULT_HINT_MAX_DISTANCE } from '../shared/learn/hints.ts';
import { normalizeError } from '../shared/learn/normalize.ts';
import type { Benchmark } from './lib/benchmark.ts';
import { runIfMain } from './lib/runner.ts';
import { median, round } from './lib/stats.ts';

export const LabelledError = z.strictObject({
  id: z.string(),
  /** Broad family: compiler, tests, lint, modules, merge. */
  group: z.string(),
  /** The underlying cause, e.g. `ts2304-cannot-find-name`. */
  cause: z.string(),
  text: z.string(),
});
export type LabelledError = z.infer<typeof LabelledError>;

/** The labelled messages, one JSON object per line. */
export function loadLabelledErrors(url = new URL('./data/errors.jsonl', import.meta.url)): LabelledError[] {
  return readFileSync(url, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const parsed = LabelledError.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`errors.jsonl line ${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

export interface RecallReport {
  messages: number;
  causes: number;
  k: number;
  /** Share of messages with a same-cause message among their k nearest. */
  recallAtK: number;
  /** Share of messages whose single nearest has the same cause. */
  recallAt1: number;
  /** Mean share of same-cause messages among the k nearest. */
  precisionAtK: number;
  /** recall@k by the broad `group` instead of the cause. */
  groupRecallAtK: number;
  /** recall@k per cause, for finding the weak ones. */
  byCause: Record<string, number>;
  /** Median cosine distance to the nearest same-cause and nearest other-cause message. */
  medianNearestSame: number;
  medianNearestOther: number;
  /**
   * For a hint threshold: the share of messages whose nearest same-cause message
   * is within it (hints found) and whose nearest other-cause message is (wrong hints possible).
   */
  thresholds: { maxDistance: number; sameWithin: number; otherWithin: number }[];
  /** Messages whose k nearest are all of other causes. */
  misses: string[];
}

/** Embeds `prepare(text)` of every message and measures recall@k by exact search. */
export async function measureRecall(
  data: readonly LabelledError[],
  embedder: Embedder,
  prepare: (text: string) => string,
  k = 5,
): Promise<RecallReport> {
  const vectors = await embedder.embed(data.map((d) => prepare(d.text)));
  let hits = 0;
  let hits1 = 0;
  let groupHits = 0;
  let precision = 0;
  const nearestSame: number[] = [];
  const nearestOther: number[] = [];
  const perCause = new Map<string, { hits: number; n: number }>();
  const misses: string[] = [];
  data.forEach((d, i) => {
    const ranked = data
      .map((o, j) => ({ o, j, dist: j === i ? Infinity : cosineDistance(vectors[i]!, vectors[j]!) }))
      .filter((r) => r.j !== i)
      .sort((a, b) => a.dist - b.dist || a.j - b.j);
    const top = ranked.slice(0, k);
    const same = top.filter((r) => r.o.cause === d.cause).length;
    const hit = same > 0;
    if (hit) hits++;
    else misses.push(d.id);
    if (top[0]?.o.cause === d.cause) hits1++;
    if (top.some((r) => r.o.group === d.group)) groupHits++;
    precision += same / k;
    const sameDist = ranked.find((r) => r.o.cause === d.cause)?.dist;
    const otherDist = ranked.find((r) => r.o.cause !== d.cause)?.dist;
    if (sameDist !== undefined) nearestSame.push(sameDist);
    if (otherDist !== undefined) nearestOther.push(otherDist);
    const c = perCause.get(d.cause) ?? { hits: 0, n: 0 };
    perCause.set(d.cause, { hits: c.hits + (hit ? 1 : 0), n: c.n + 1 });
  });
  const n = data.length;
  return {
    messages: n,
    causes: perCause.size,
    k,
    recallAtK: hits / n,
    recallAt1: hits1 / n,
    precisionAtK: precision / n,
    groupRecallAtK: groupHits / n,
    byCause: Object.fromEntries([...perCause].map(([c, v]) => [c, v.hits / v.n])),
    medianNearestSame: median(nearestSame),
    medianNearestOther: median(nearestOther),
    thresholds: [0.3, 0.4, 0.45, 0.5, 0.6].map((t) => ({
      maxDistance: t,
      sameWithin: nearestSame.filter((x) => x <= t).length / n,
      otherWithin: nearestOther.filter((x) => x <= t).length / n,
    })),
    misses,
  };
}

export const benchmark: Benchmark = {
  title: 'Learning quality: recall@5 of the default embedder on the labelled errors',
  async run() {
    const data = loadLabelledErrors();
    const embedder = hashedNgramEmbedder();
    const normalized = await measureRecall(data, embedder, normalizeError, 5);
    const raw = await measureRecall(data, embedder, (t) => t, 5);
    // null when the hint distance is not one of measureRecall's thresholds.
    const hint = (r: RecallReport, key: 'sameWithin' | 'otherWithin'): number | null => {
      const t = r.thresholds.find((x) => x.maxDistance === DEFAULT_HINT_MAX_DISTANCE);
      return t === undefined ? null : round(t[key], 3);
    };
    return {
      parameters: { messages: data.length, causes: normalized.causes, k: 5, embedder: embedder.id, hintMaxDistance: DEFAULT_HINT_MAX_DISTANCE },
      figures: [
        { name: 'recall@5 (normalized, the default)', value: round(normalized.recallAtK, 3), unit: 'share' },
        { name: 'recall@1 (normalized)', value: round(normalized.recallAt1, 3), unit: 'share' },
        { name: 'precision@5 (normalized)', value: round(normalized.precisionAtK, 3), unit: 'share' },
        { name: 'median distance to nearest same cause', value: round(normalized.medianNearestSame, 3), unit: '' },
        { name: 'median distance to nearest other cause', value: round(normalized.medianNearestOther, 3), unit: '' },
        { name: 'same-cause neighbour within the hint distance', value: hint(normalized, 'sameWithin'), unit: 'share', note: 'hints found' },
        { name: 'other-cause neighbour within the hint distance', value: hint(normalized, 'otherWithin'), unit: 'share', note: 'wrong hints possible' },
        { name: 'recall@5 (raw text)', value: round(raw.recallAtK, 3), unit: 'share' },
        { name: 'recall@1 (raw text)', value: round(raw.recallAt1, 3), unit: 'share' },
        { name: 'same-cause neighbour within the hint distance (raw text)', value: hint(raw, 'sameWithin'), unit: 'share' },
      ],
      details: { normalized, raw },
    };
  },
};

await runIfMain(import.meta.url, 'learning-recall', benchmark);
