/**
 * Picks the embedder from configuration: an OpenAI-compatible endpoint when
 * `EMBEDDINGS_URL` is set, else the offline hashed n-gram embedder.
 */
import { z } from 'zod';
import { NightshiftError } from '../errors.ts';
import { DEFAULT_VECTOR_DIM } from '../db/types.ts';
import { hashedNgramEmbedder, type Embedder } from './embedder.ts';
import { openAiEmbedder } from './openai-embedder.ts';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/**
 * The variables this reads (to be added to shared/config.ts and docs/CONFIG.md):
 * `EMBEDDINGS_URL` (unset: offline hashed n-grams), `EMBEDDINGS_MODEL` (required with a URL),
 * `EMBEDDINGS_API_KEY` (unset: no Authorization header), `EMBEDDINGS_TIMEOUT_MS` (30000),
 * `EMBEDDINGS_SEND_DIMENSIONS` (false), and `VECTOR_DIM` (256).
 */
export const EmbedderEnvSchema = z.object({
  EMBEDDINGS_URL: optional,
  EMBEDDINGS_MODEL: optional,
  EMBEDDINGS_API_KEY: optional,
  EMBEDDINGS_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  EMBEDDINGS_SEND_DIMENSIONS: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .default(false)
    .transform((v) => v === true || v === 'true' || v === '1'),
  VECTOR_DIM: z.coerce.number().int().min(1).max(2000).default(DEFAULT_VECTOR_DIM),
});

/** Env-like input: strings as in `process.env`, or already-parsed config values. */
export type EmbedderEnv = Partial<Record<keyof z.input<typeof EmbedderEnvSchema>, string | number | boolean | undefined>>;

/** The embedder the configuration asks for; throws CONFIG_INVALID naming the variable that is wrong. */
export function embedderFromConfig(env: EmbedderEnv = {}, fetchImpl?: typeof fetch): Embedder {
  const parsed = EmbedderEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new NightshiftError('CONFIG_INVALID', `${String(issue?.path[0] ?? 'embeddings config')}: ${issue?.message ?? 'invalid'}`);
  }
  const c = parsed.data;
  if (c.EMBEDDINGS_URL === undefined) return hashedNgramEmbedder({ dim: c.VECTOR_DIM });
  if (c.EMBEDDINGS_MODEL === undefined) {
    throw new NightshiftError('CONFIG_INVALID', 'EMBEDDINGS_MODEL: required when EMBEDDINGS_URL is set (the model name the endpoint expects)');
  }
  return openAiEmbedder({
    url: c.EMBEDDINGS_URL,
    model: c.EMBEDDINGS_MODEL,
    apiKey: c.EMBEDDINGS_API_KEY,
    dim: c.VECTOR_DIM,
    timeoutMs: c.EMBEDDINGS_TIMEOUT_MS,
    sendDimensions: c.EMBEDDINGS_SEND_DIMENSIONS,
    fetch: fetchImpl,
  });
}
