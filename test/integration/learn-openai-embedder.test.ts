/**
 * openAiEmbedder against a small real HTTP server on 127.0.0.1: a stand-in for
 * an OpenAI-compatible /v1/embeddings endpoint (no network here), which answers
 * what each test sets and records what it was sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { openAiEmbedder } from '../../shared/learn/openai-embedder.ts';

type Reply = (body: { model: string; input: string[]; dimensions?: number }, res: ServerResponse) => void;

let server: Server;
let base: string;
let reply: Reply;
const seen: { auth: string | undefined; path: string | undefined; body: { model: string; input: string[]; dimensions?: number } }[] = [];

/** The stand-in's default: vector i of a request is [len(text), i, 1]. */
const fakeVectors: Reply = (body, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ object: 'list', data: body.input.map((t, i) => ({ object: 'embedding', index: i, embedding: [t.length, i, 1] })) }));
};

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as { model: string; input: string[] };
      seen.push({ auth: req.headers.authorization, path: req.url, body });
      reply(body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  reply = fakeVectors;
});

describe('openAiEmbedder against a stand-in embeddings server', () => {
  test('posts { model, input } to /v1/embeddings with the bearer key, in batches, keeping order', async () => {
    const e = openAiEmbedder({ url: base, model: 'm-small', apiKey: 'sk-test', dim: 3, batchSize: 2 });
    const out = await e.embed(['a', 'bb', 'ccc']);
    expect(out).toEqual([[1, 0, 1], [2, 1, 1], [3, 0, 1]]);
    expect(seen.map((s) => s.path)).toEqual(['/v1/embeddings', '/v1/embeddings']);
    expect(seen[0]).toMatchObject({ auth: 'Bearer sk-test', body: { model: 'm-small', input: ['a', 'bb'] } });
    expect(seen[0]!.body.dimensions).toBeUndefined();
  });

  test('orders answers by index, sends dimensions when asked, no auth header without a key', async () => {
    reply = (body, res) => res.end(JSON.stringify({ data: body.input.map((t, i) => ({ index: i, embedding: [t.length, i] })).reverse() }));
    const e = openAiEmbedder({ url: `${base}/embeddings`, model: 'm', dim: 2, sendDimensions: true });
    expect(await e.embed(['x', 'yy'])).toEqual([[1, 0], [2, 1]]);
    expect(seen[0]).toMatchObject({ auth: undefined, body: { dimensions: 2 } });
  });

  test('a wrong vector length is refused, naming both lengths and VECTOR_DIM', async () => {
    const e = openAiEmbedder({ url: base, model: 'm', dim: 256 });
    await expect(e.embed(['a'])).rejects.toMatchObject({ code: 'EMBEDDINGS_INVALID', retryable: false, message: expect.stringMatching(/3 numbers.*256.*VECTOR_DIM=3/) });
  });

  test('HTTP 401 is not retryable, 503 and 429 are; the body is quoted, the key is not', async () => {
    const e = openAiEmbedder({ url: base, model: 'm', apiKey: 'sk-secret', dim: 3 });
    reply = (_b, res) => res.writeHead(401).end('{"error":{"message":"Incorrect API key provided"}}');
    const refused = await e.embed(['a']).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'EMBEDDINGS_INVALID', retryable: false, message: expect.stringContaining('HTTP 401: {"error":{"message":"Incorrect API key provided"}}') });
    expect(String((refused as Error).message)).not.toContain('sk-secret');
    reply = (_b, res) => res.writeHead(503).end('overloaded');
    await expect(e.embed(['a'])).rejects.toMatchObject({ code: 'EMBEDDINGS_FAILED', retryable: true, message: expect.stringContaining(`${base}/embeddings`) });
    reply = (_b, res) => res.writeHead(429).end('slow down');
    await expect(e.embed(['a'])).rejects.toMatchObject({ code: 'EMBEDDINGS_FAILED', retryable: true });
  });

  test('answers that are not embeddings, or too few of them, are refused', async () => {
    const e = openAiEmbedder({ url: base, model: 'm', dim: 3 });
    reply = (_b, res) => res.end('<html>proxy error</html>');
    await expect(e.embed(['a'])).rejects.toMatchObject({ code: 'EMBEDDINGS_INVALID', message: expect.stringContaining('<html>proxy error</html>') });
    reply = (_b, res) => res.end(JSON.stringify({ data: [{ embedding: [1, 2, 3] }] }));
    await expect(e.embed(['a', 'b'])).rejects.toMatchObject({ code: 'EMBEDDINGS_INVALID', message: expect.stringContaining('1 embeddings for 2 texts') });
  });

  test('a server that does not answer in time fails with EMBEDDINGS_FAILED naming the timeout', async () => {
    reply = () => undefined; // never answers; afterAll closes the connection
    const e = openAiEmbedder({ url: base, model: 'm', dim: 3, timeoutMs: 200 });
    await expect(e.embed(['a'])).rejects.toMatchObject({ code: 'EMBEDDINGS_FAILED', retryable: true, message: expect.stringContaining('within 200 ms') });
  });

  test('a port nobody listens on fails with EMBEDDINGS_FAILED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const e = openAiEmbedder({ url: `http://127.0.0.1:${port}/v1`, model: 'm', dim: 3 });
    await expect(e.embed(['a'])).rejects.toMatchObject({ code: 'EMBEDDINGS_FAILED', message: expect.stringContaining('could not be reached') });
  });
});
