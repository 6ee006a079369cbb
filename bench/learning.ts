/**
 * Learning benchmark: `npx tsx bench/learning.ts [stored=10000] [queries=200]`.
 *
 * 1. Quality: recall@5 (and recall@1, precision@5, hint thresholds) of the
 *    default embedder on bench/data/errors.jsonl, with and without normalizing.
 * 2. Cost: normalize + embed, then store N failure variants in PGlite (in
 *    memory, pgvector HNSW) and time the similar-failure search and the whole
 *    recordAndFindSimilar step; check the HNSW answers against exact search.
 * Writes bench/results/learning.json and prints a summary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { failures, migrate, openDb } from '../shared/db/index.ts';
import { cosineDistance, hashedNgramEmbedder } from '../shared/learn/embedder.ts';
import { recordAndFindSimilar } from '../shared/learn/learn.ts';
import { normalizeError } from '../shared/learn/normalize.ts';
import { loadLabelledErrors, measureRecall, type LabelledError } from './learning-recall.ts';

const STORED = Number(process.argv[2] ?? 10_000);
const QUERIES = Number(process.argv[3] ?? 200);
const K = 5;

/** Deterministic PRNG (mulberry32), so every run stores the same variants. */
function prng(seed: number): () => number {
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
function variant(d: LabelledError, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  return d.text
    .replace(/\b\d+\b/g, () => String(Math.floor(rnd() * 500)))
    .replace(/'([a-zA-Z_]\w*)'/g, () => `'${pick(WORDS)}${pick(WORDS).replace(/^./, (c) => c.toUpperCase())}'`)
    .replace(/(^|\s)((?:[\w.-]+\/)+)/g, (_m, pre: string) => `${pre}${pick(DIRS)}/`);
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

const round = (x: number, d = 3): number => Number(x.toFixed(d));

async function main(): Promise<void> {
  const data = loadLabelledErrors();
  const embedder = hashedNgramEmbedder({ dim: 256 });
  const quality = await measureRecall(data, embedder, normalizeError, K);
  const rawText = await measureRecall(data, embedder, (t) => t, K);

  const rnd = prng(42);
  const sources = Array.from({ length: STORED }, (_, i) => data[i % data.length]!);
  const texts = sources.map((d) => variant(d, rnd));
  let t0 = performance.now();
  const normalized = texts.map((t) => normalizeError(t));
  const normalizeMs = performance.now() - t0;
  t0 = performance.now();
  const vectors = await embedder.embed(normalized);
  const embedMs = performance.now() - t0;

  const db = await openDb({ vectorDim: 256 });
  try {
    await migrate(db);
    t0 = performance.now();
    for (let start = 0; start < STORED; start += 500) {
      await db.transaction(async (tx) => {
        const repo = failures(tx);
        for (let i = start; i < Math.min(STORED, start + 500); i++) {
          const id = await repo.record({ specId: `bench-${i}`, taskId: sources[i]!.cause, attempt: 1, reason: 'check-failed', error: texts[i]!, normalized: normalized[i]! });
          await repo.storeEmbedding(id, vectors[i]!);
        }
      });
    }
    const storeMs = performance.now() - t0;
    // One in five past failures was later resolved.
    await db.query("UPDATE failure_logs SET resolved_at = now(), resolution = 'fixed' WHERE id % 5 = 0");
    const resolvedIds = new Set((await db.query<{ id: number }>('SELECT id FROM failure_logs WHERE resolved_at IS NOT NULL')).rows.map((r) => r.id));
    const version = (await db.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'")).rows[0]?.v;
    const plan = (
      await db.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT f.id FROM error_embeddings e JOIN failure_logs f ON f.id = e.failure_id WHERE f.resolved_at IS NOT NULL
          ORDER BY e.embedding <=> '[${vectors[0]!.join(',')}]'::vector LIMIT 5`,
      )
    ).rows
      .map((r) => r['QUERY PLAN'].replace(/'\[[^\]]*\]'/g, "'[…]'").trim())
      .join(' | ');

    // Queries: fresh variants of labelled messages; exact answers computed here in JS to check HNSW.
    const repo = failures(db);
    const searchMs: number[] = [];
    const searchResolvedMs: number[] = [];
    let overlap = 0;
    let short = 0;
    let sameCause = 0;
    const qrnd = prng(7);
    for (let q = 0; q < QUERIES; q++) {
      const d = data[Math.floor(qrnd() * data.length)]!;
      const [v] = await embedder.embed([normalizeError(variant(d, qrnd))]);
      let t = performance.now();
      const hnsw = await repo.similar(v!, K);
      searchMs.push(performance.now() - t);
      t = performance.now();
      const resolved = await repo.similar(v!, K, { resolvedOnly: true });
      searchResolvedMs.push(performance.now() - t);
      if (resolved.length < K) short++;
      if (resolved[0]?.taskId === d.cause) sameCause++;
      const exact = vectors
        .map((x, i) => ({ id: i + 1, dist: cosineDistance(v!, x) }))
        .sort((a, b) => a.dist - b.dist)
        .slice(0, K);
      // Ties (identical variants) make ids interchangeable: compare distances.
      const exactWorst = exact[K - 1]!.dist;
      overlap += hnsw.filter((h) => h.distance <= exactWorst + 1e-9).length / K;
    }

    const walkRnd = prng(99);
    const stepMs: number[] = [];
    for (let q = 0; q < Math.min(QUERIES, 100); q++) {
      const d = data[Math.floor(walkRnd() * data.length)]!;
      const t = performance.now();
      await recordAndFindSimilar(db, embedder, { specId: `step-${q}`, taskId: d.cause, attempt: 1, reason: 'check-failed', error: variant(d, walkRnd) });
      stepMs.push(performance.now() - t);
    }

    const result = {
      command: `npx tsx bench/learning.ts ${STORED} ${QUERIES}`,
      machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model },
      quality: { ...quality, misses: quality.misses },
      qualityWithoutNormalizing: { recallAtK: rawText.recallAtK, recallAt1: rawText.recallAt1, precisionAtK: rawText.precisionAtK, medianNearestSame: rawText.medianNearestSame, medianNearestOther: rawText.medianNearestOther, thresholds: rawText.thresholds },
      store: {
        failures: STORED,
        resolved: resolvedIds.size,
        pgvector: version,
        plan,
        normalizeMsPerText: round(normalizeMs / STORED, 4),
        embedMsPerText: round(embedMs / STORED, 4),
        storeMsTotal: Math.round(storeMs),
      },
      search: {
        queries: QUERIES,
        k: K,
        similarP50Ms: round(percentile(searchMs, 50)),
        similarP95Ms: round(percentile(searchMs, 95)),
        similarResolvedOnlyP50Ms: round(percentile(searchResolvedMs, 50)),
        similarResolvedOnlyP95Ms: round(percentile(searchResolvedMs, 95)),
        hnswRecallAt5VsExact: round(overlap / QUERIES),
        resolvedOnlyQueriesWithFewerThanK: short,
        resolvedOnlyTop1SameCause: round(sameCause / QUERIES),
        recordAndFindSimilarP50Ms: round(percentile(stepMs, 50)),
        recordAndFindSimilarP95Ms: round(percentile(stepMs, 95)),
      },
    };
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(new URL('./results/learning.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    const q = result.quality;
    console.log(`labelled: ${q.messages} messages, ${q.causes} causes`);
    console.log(`recall@5 ${round(q.recallAtK)}  recall@1 ${round(q.recallAt1)}  precision@5 ${round(q.precisionAtK)}  (raw text: ${round(rawText.recallAtK)} / ${round(rawText.recallAt1)} / ${round(rawText.precisionAtK)})`);
    console.log(`median distance to nearest same cause ${round(q.medianNearestSame)}, other cause ${round(q.medianNearestOther)}`);
    console.log(`stored ${STORED} (pgvector ${version}): normalize ${result.store.normalizeMsPerText} ms/text, embed ${result.store.embedMsPerText} ms/text`);
    console.log(`similar k=5: p50 ${result.search.similarP50Ms} ms, p95 ${result.search.similarP95Ms} ms; resolved only p50 ${result.search.similarResolvedOnlyP50Ms} ms (${short} of ${QUERIES} short)`);
    console.log(`HNSW vs exact recall@5 ${result.search.hnswRecallAt5VsExact}; recordAndFindSimilar p50 ${result.search.recordAndFindSimilarP50Ms} ms, p95 ${result.search.recordAndFindSimilarP95Ms} ms`);
    console.log(`plan: ${plan}`);
  } finally {
    await db.close();
  }
}

await main();
