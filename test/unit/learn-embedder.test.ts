/**
 * The default embedder: deterministic unit vectors of the configured length,
 * the same failure closer than an unrelated one, and a recall floor on the
 * labelled messages in bench/data/errors.jsonl.
 */
import { describe, expect, test } from 'vitest';
import { loadLabelledErrors, measureRecall } from '../../bench/learning-recall.ts';
import { cosineDistance, fnv1a, hashedNgramEmbedder } from '../../shared/learn/embedder.ts';
import { embedderFromConfig } from '../../shared/learn/embedder-config.ts';
import { normalizeError } from '../../shared/learn/normalize.ts';

const norm = (v: number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('hashedNgramEmbedder', () => {
  test('FNV-1a matches its published test vectors', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  test('vectors are dim long, unit length, and the same for the same text across instances', async () => {
    const [a, b, empty] = await hashedNgramEmbedder().embed(['error TS2304: Cannot find name <n>', 'x', '']);
    expect(a).toHaveLength(256);
    expect(norm(a!)).toBeCloseTo(1, 10);
    expect(norm(b!)).toBeCloseTo(1, 10);
    expect(norm(empty!)).toBeCloseTo(1, 10);
    const [again] = await hashedNgramEmbedder({ dim: 256 }).embed(['error TS2304: Cannot find name <n>']);
    expect(again).toEqual(a);
    const [small] = await hashedNgramEmbedder({ dim: 64 }).embed(['abc']);
    expect(small).toHaveLength(64);
  });

  test('the same failure from two places is nearer than an unrelated failure', async () => {
    const e = hashedNgramEmbedder();
    const texts = [
      "src/lib/parser.ts(12,5): error TS2304: Cannot find name 'tokenize'.",
      "packages/api/src/users.ts(48,13): error TS2304: Cannot find name 'UserRecord'.",
      'CONFLICT (content): Merge conflict in src/app/routes.ts\nAutomatic merge failed; fix conflicts and then commit the result.',
    ].map((t) => normalizeError(t));
    const [a, b, c] = await e.embed(texts);
    expect(cosineDistance(a!, b!)).toBeLessThan(0.45);
    expect(cosineDistance(a!, c!)).toBeGreaterThan(0.7);
  });

  test('refuses a dimension or n-gram range that cannot work', () => {
    expect(() => hashedNgramEmbedder({ dim: 0 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => hashedNgramEmbedder({ charRange: [4, 2] })).toThrow(/charRange/);
  });

  test('recall@5 on the labelled messages stays at or above 0.95 (measured 1.00), recall@1 at or above 0.9', async () => {
    const data = loadLabelledErrors();
    expect(data.length).toBeGreaterThanOrEqual(200);
    const report = await measureRecall(data, hashedNgramEmbedder(), normalizeError, 5);
    expect(report.causes).toBeGreaterThanOrEqual(25);
    expect(report.recallAtK).toBeGreaterThanOrEqual(0.95);
    expect(report.recallAt1).toBeGreaterThanOrEqual(0.9);
    // Normalizing must bring messages of one cause closer than raw text does.
    const raw = await measureRecall(data, hashedNgramEmbedder(), (t) => t, 5);
    expect(report.medianNearestSame).toBeLessThan(raw.medianNearestSame);
  });
});

describe('embedderFromConfig', () => {
  test('without EMBEDDINGS_URL it is the hashed embedder with VECTOR_DIM', () => {
    expect(embedderFromConfig({}).id).toMatch(/^hashed-ngram-v1\/256\//);
    expect(embedderFromConfig({ VECTOR_DIM: '384' }).dim).toBe(384);
  });

  test('with EMBEDDINGS_URL it needs EMBEDDINGS_MODEL and names the variable when it is missing', () => {
    expect(() => embedderFromConfig({ EMBEDDINGS_URL: 'http://127.0.0.1:1/v1' })).toThrow(/EMBEDDINGS_MODEL/);
    const e = embedderFromConfig({ EMBEDDINGS_URL: 'http://127.0.0.1:1/v1', EMBEDDINGS_MODEL: 'nomic-embed-text', VECTOR_DIM: 768 });
    expect(e.id).toBe('openai-compatible/nomic-embed-text/768');
    expect(() => embedderFromConfig({ EMBEDDINGS_TIMEOUT_MS: 'soon' })).toThrow(/EMBEDDINGS_TIMEOUT_MS/);
    expect(() => embedderFromConfig({ EMBEDDINGS_URL: 'ftp://x', EMBEDDINGS_MODEL: 'm' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
