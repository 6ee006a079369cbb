/**
 * An embedder over an OpenAI-compatible embeddings endpoint
 * (`POST {url}/embeddings` with `{ model, input }`, answer `{ data: [{ embedding, index }] }`):
 * OpenAI, Azure-style gateways, Ollama, llama.cpp, vLLM, LiteLLM ...
 */
import { z } from 'zod';
import { NightshiftError } from '../errors.ts';
import type { Embedder } from './embedder.ts';

export interface OpenAiEmbedderOptions {
  /** Base URL such as `http://127.0.0.1:11434/v1`; `/embeddings` is appended unless the URL already ends with it. */
  url: string;
  /** Model name sent as `model`. */
  model: string;
  /** Sent as `Authorization: Bearer …` when set. @default unset */
  apiKey?: string;
  /** Length of the vectors the model returns; must match the database's vector dimension. */
  dim: number;
  /** Also send `dimensions: dim` (models that can shorten their output, e.g. text-embedding-3-*). @default false */
  sendDimensions?: boolean;
  /** Time one request may take. @default 30000 ms */
  timeoutMs?: number;
  /** Texts per request. @default 64 */
  batchSize?: number;
  /** The fetch to use (tests, proxies). @default globalThis.fetch */
  fetch?: typeof fetch;
}

const Answer = z.object({
  data: z.array(z.object({ embedding: z.array(z.number()), index: z.number().int().nonnegative().optional() })),
});

/** The first 300 characters of a body, for error messages. */
function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

/** Embeddings from an OpenAI-compatible endpoint, checked for count, order, length and finite numbers. */
export function openAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const { model, dim } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const batchSize = Math.max(1, options.batchSize ?? 64);
  const doFetch = options.fetch ?? globalThis.fetch;
  const base = options.url.replace(/\/+$/, '');
  const endpoint = base.endsWith('/embeddings') ? base : `${base}/embeddings`;
  if (!/^https?:\/\//i.test(endpoint)) {
    throw new NightshiftError('CONFIG_INVALID', `embeddings URL must start with http:// or https://, got "${options.url}"`);
  }
  if (!Number.isInteger(dim) || dim < 1) throw new NightshiftError('CONFIG_INVALID', `embeddings dim must be a positive integer, got ${dim}`);
  const where = `embeddings endpoint ${endpoint} (model ${model})`;

  async function request(input: string[]): Promise<number[][]> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (options.apiKey !== undefined && options.apiKey !== '') headers.authorization = `Bearer ${options.apiKey}`;
    const body = JSON.stringify(options.sendDimensions === true ? { model, input, dimensions: dim } : { model, input });
    let res: Response;
    let text: string;
    try {
      res = await doFetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      text = await res.text();
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      const why = timedOut ? `did not answer within ${timeoutMs} ms` : `could not be reached: ${(err as Error).message}`;
      throw new NightshiftError('EMBEDDINGS_FAILED', `${where} ${why}`, { cause: err });
    }
    if (!res.ok) {
      // Overload and server errors pass; any other refusal (bad key, unknown model) will repeat.
      const passing = res.status === 408 || res.status === 429 || res.status >= 500;
      throw new NightshiftError(passing ? 'EMBEDDINGS_FAILED' : 'EMBEDDINGS_INVALID', `${where} answered HTTP ${res.status}: ${snippet(text)}`, {
        details: { status: res.status },
      });
    }
    let parsed: z.infer<typeof Answer>;
    try {
      parsed = Answer.parse(JSON.parse(text));
    } catch (err) {
      throw new NightshiftError('EMBEDDINGS_INVALID', `${where} answered something other than { data: [{ embedding: number[] }] }: ${snippet(text)}`, { cause: err });
    }
    if (parsed.data.length !== input.length) {
      throw new NightshiftError('EMBEDDINGS_INVALID', `${where} returned ${parsed.data.length} embeddings for ${input.length} texts`);
    }
    // Servers may answer out of order; `index` says which input each one belongs to.
    const ordered = parsed.data.every((d) => d.index !== undefined) ? [...parsed.data].sort((a, b) => a.index! - b.index!) : parsed.data;
    return ordered.map((d, i) => {
      if (d.embedding.length !== dim) {
        throw new NightshiftError(
          'EMBEDDINGS_INVALID',
          `${where} returned vectors of ${d.embedding.length} numbers, but the configured dimension is ${dim}: set VECTOR_DIM=${d.embedding.length} (on a new database) or pick a model with ${dim}`,
        );
      }
      if (!d.embedding.every(Number.isFinite)) throw new NightshiftError('EMBEDDINGS_INVALID', `${where} returned a non-finite number in embedding ${i}`);
      return d.embedding;
    });
  }

  return {
    dim,
    id: `openai-compatible/${model}/${dim}`,
    async embed(texts) {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) out.push(...(await request(texts.slice(i, i + batchSize))));
      return out;
    },
  };
}
