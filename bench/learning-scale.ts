/**
 * Learning at scale: 10,000 failures (variants of the labelled errors) with
 * embeddings from the default hashed n-gram embedder, stored in PGlite with
 * pgvector and the HNSW cosine index the migrations create. Measures insert
 * throughput, then per new error: normalize + embed + search the 5 nearest
 * (p50/p95 over 200 queries), the search alone, the HNSW answers against exact
 * search, and the whole recordAndFindSimilar step.
 * Run: `npm run bench -- learning-scale` (or `npx tsx bench/learning-scale.ts`).
 */
import { performance } from 'node:perf_hooks';
import { failures, migrate, openDb, type Db } from '../shared/db/index.ts';
import { cosineDistance, hashedNgramEmbedder } from '../shared/learn/embedder.ts';
import { recordAndFindSimilar } from '../shared/learn/learn.ts';
import { normalizeError } from '../shared/learn/normalize.ts';
import type { Benchmark } from './lib/benchmark.ts';
import { prng, variant } from './lib/error-variants.ts';
import { runIfMain } from './lib/runner.ts';
import { percentile, round } from './lib/stats.ts';
import { loadLabelledErrors } from './learning-recall.ts';

const K = 5;
const BATCH = 500;

const p = (xs: number[], q: number): number => round(percentile(xs, q), 3);

/** What the database says about the index and the search plan (for the result's details). */
async function describeSearch(db: Db, probe: readonly number[]): Promise<Record<string, unknown>> {
  const version = (await db.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'")).rows[0]?.v;
  const index = (await db.query<{ d: string }>("SELECT indexdef AS d FROM pg_indexes WHERE tablename = 'error_embeddings' AND indexdef ILIKE '%hnsw%'")).rows[0]?.d;
  const plan = (
    await db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT f.id FROM error_embeddings e JOIN failure_logs f ON f.id = e.failure_id ORDER BY e.embedding <=> '[${probe.join(',')}]'::vector LIMIT ${K}`,
    )
  ).rows.map((r) => r['QUERY PLAN'].replace(/'\[[^\]]*\]'/g, "'[…]'").trim());
  return { pgvector: version, index, plan };
}

export const benchmark: Benchmark = {
  title: 'Learning at scale: store failures with embeddings, find the 5 nearest (PGlite + pgvector HNSW)',
  async run({ quick, log }) {
    const stored = quick ? 1000 : 10_000;
    const queries = quick ? 50 : 200;
    const steps = quick ? 20 : 100;
    const data = loadLabelledErrors();
    const embedder = hashedNgramEmbedder();

    const rnd = prng(42);
    const sources = Array.from({ length: stored }, (_, i) => data[i % data.length]!);
    const texts = sources.map((d) => variant(d, rnd));
    let t0 = performance.now();
    const normalized = texts.map((t) => normalizeError(t));
    const normalizeMs = performance.now() - t0;
    t0 = performance.now();
    const vectors = await embedder.embed(normalized);
    const embedMs = performance.now() - t0;

    const db = await openDb({ vectorDim: embedder.dim });
    try {
      await migrate(db);
      t0 = performance.now();
      for (let start = 0; start < stored; start += BATCH) {
        await db.transaction(async (tx) => {
          const repo = failures(tx);
          for (let i = start; i < Math.min(stored, start + BATCH); i++) {
            const id = await repo.record({ specId: `bench-${i}`, taskId: sources[i]!.cause, attempt: 1, reason: 'check-failed', error: texts[i]!, normalized: normalized[i]! });
            await repo.storeEmbedding(id, vectors[i]!);
          }
        });
      }
      const storeMs = performance.now() - t0;
      log(`stored ${stored} in ${Math.round(storeMs)} ms`);
      // One in five past failures was later resolved.
      await db.query("UPDATE failure_logs SET resolved_at = now(), resolution = 'fixed' WHERE id % 5 = 0");

      const repo = failures(db);
      const embedOneMs: number[] = [];
      const searchMs: number[] = [];
      const embedSearchMs: number[] = [];
      const resolvedMs: number[] = [];
      let overlap = 0;
      let sameCause = 0;
      const qrnd = prng(7);
      for (let q = 0; q < queries; q++) {
        const d = data[Math.floor(qrnd() * data.length)]!;
        const text = variant(d, qrnd);
        let t = performance.now();
        const [v] = await embedder.embed([normalizeError(text)]);
        const e = performance.now() - t;
        t = performance.now();
        const hnsw = await repo.similar(v!, K);
        const s = performance.now() - t;
        embedOneMs.push(e);
        searchMs.push(s);
        embedSearchMs.push(e + s);
        t = performance.now();
        const resolved = await repo.similar(v!, K, { resolvedOnly: true });
        resolvedMs.push(performance.now() - t);
        if (resolved[0]?.taskId === d.cause) sameCause++;
        // Exact answer in JS; ties (identical variants) make ids interchangeable, so compare distances.
        const exact = vectors.map((x) => cosineDistance(v!, x)).sort((a, b) => a - b);
        const worst = exact[K - 1]!;
        overlap += hnsw.filter((h) => h.distance <= worst + 1e-9).length / K;
      }
      log(`${queries} queries done`);

      const stepMs: number[] = [];
      const srnd = prng(99);
      for (let q = 0; q < steps; q++) {
        const d = data[Math.floor(srnd() * data.length)]!;
        const t = performance.now();
        await recordAndFindSimilar(db, embedder, { specId: `step-${q}`, taskId: d.cause, attempt: 1, reason: 'check-failed', error: variant(d, srnd) });
        stepMs.push(performance.now() - t);
      }

      return {
        parameters: { stored, queries, k: K, recordAndFindSimilarRuns: steps, embedder: embedder.id, insertBatch: BATCH, resolvedShare: 0.2, database: 'PGlite in memory' },
        figures: [
          { name: 'insert throughput (record + store embedding, HNSW maintained)', value: round(stored / (storeMs / 1000), 0), unit: 'rows/s', note: `${stored} rows in transactions of ${BATCH}` },
          { name: 'normalize, per text', value: round(normalizeMs / stored, 4), unit: 'ms', note: 'batch of all stored texts' },
          { name: 'embed, per text', value: round(embedMs / stored, 4), unit: 'ms', note: 'batch of all stored texts' },
          { name: 'one new error: normalize + embed + search 5 nearest, p50', value: p(embedSearchMs, 50), unit: 'ms' },
          { name: 'one new error: normalize + embed + search 5 nearest, p95', value: p(embedSearchMs, 95), unit: 'ms' },
          { name: 'search 5 nearest alone, p50', value: p(searchMs, 50), unit: 'ms' },
          { name: 'search 5 nearest alone, p95', value: p(searchMs, 95), unit: 'ms' },
          { name: 'search 5 nearest resolved only, p50', value: p(resolvedMs, 50), unit: 'ms' },
          { name: 'search 5 nearest resolved only, p95', value: p(resolvedMs, 95), unit: 'ms' },
          { name: 'HNSW top 5 against exact search', value: round(overlap / queries, 3), unit: 'share', note: 'share of the HNSW answers within the exact 5th distance' },
          { name: 'resolved-only nearest has the same cause', value: round(sameCause / queries, 3), unit: 'share' },
          { name: 'recordAndFindSimilar (whole step), p50', value: p(stepMs, 50), unit: 'ms' },
          { name: 'recordAndFindSimilar (whole step), p95', value: p(stepMs, 95), unit: 'ms' },
        ],
        details: {
          ...(await describeSearch(db, vectors[0]!)),
          storeMsTotal: Math.round(storeMs),
          embedOneP50Ms: p(embedOneMs, 50),
          embedOneP95Ms: p(embedOneMs, 95),
        },
      };
    } finally {
      await db.close();
    }
  },
};

await runIfMain(import.meta.url, 'learning-scale', benchmark);
