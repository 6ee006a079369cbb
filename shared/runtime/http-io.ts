/**
 * Small node:http helpers for the function host: reading a body under a
 * limit, answering JSON, and checking the bearer token in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NightshiftError } from '../errors.ts';

/**
 * Reads the whole body as UTF-8, counting bytes as they stream in. Throws
 * PAYLOAD_TOO_LARGE as soon as the count passes `limit` (or at once when
 * Content-Length already says so), without buffering the rest.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(tooLarge(`${declared} bytes`, limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        // Keep draining without buffering so the socket can still carry the 413.
        req.resume();
        reject(tooLarge(`more than ${limit} bytes`, limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', (err) => reject(new NightshiftError('BAD_REQUEST', `reading the request body failed: ${err.message}`, { cause: err })));
  });
}

function tooLarge(size: string, limit: number): NightshiftError {
  return new NightshiftError('PAYLOAD_TOO_LARGE', `the request body is ${size}; the limit (BODY_LIMIT) is ${limit} bytes`, {
    details: { limit },
  });
}

/** Answers `body` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/**
 * Whether an Authorization header carries `Bearer <token>`. Both sides are
 * hashed first so timingSafeEqual compares equal lengths and the time taken
 * says nothing about the token's length or content.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  const given = match?.[1]?.trim() ?? '';
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}
