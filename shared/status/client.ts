/**
 * A client of the status API (`GET /api/specs`, `GET /api/specs/<id>`) for
 * `nightshift status` when a runner or a bridge answers. Errors come back as
 * the NightshiftErrors the server raised (same code, message and details).
 */
import { ERROR_CODES, NightshiftError, type ErrorCode } from '../errors.ts';
import type { Overview, SpecDetail } from './model.ts';

export interface StatusClientOptions {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Sent as `Authorization: Bearer`. @default none */
  token?: string;
  /** @default 10000 */
  timeoutMs?: number;
}

export interface StatusClient {
  readonly url: string;
  overview(timeoutMs?: number): Promise<Overview>;
  detail(id: string): Promise<SpecDetail>;
}

function serverError(status: number, body: unknown, what: string): NightshiftError {
  const e = (body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  const code: ErrorCode = e?.code !== undefined && e.code in ERROR_CODES ? (e.code as ErrorCode) : status === 404 ? 'NOT_FOUND' : 'INVOKE_FAILED';
  return new NightshiftError(code, e?.message ?? `${what} answered HTTP ${status}`, { details: e?.details });
}

export function statusClient(options: StatusClientOptions): StatusClient {
  const base = options.url.replace(/\/+$/, '');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;

  async function get<T>(path: string, timeoutMs = options.timeoutMs ?? 10_000): Promise<T> {
    const what = `${base}${path}`;
    let res: Response;
    try {
      res = await fetch(what, { headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new NightshiftError('INVOKE_FAILED', `cannot reach ${what}: ${(err as Error).message}`, { cause: err });
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) throw serverError(res.status, body, what);
    if (body === undefined) throw new NightshiftError('INVOKE_FAILED', `${what} did not answer JSON: is this a nightshift gateway?`);
    return body as T;
  }

  return {
    url: base,
    async overview(timeoutMs) {
      const body = await get<Overview>('/api/specs', timeoutMs);
      if (!Array.isArray(body.specs)) throw new NightshiftError('INVOKE_FAILED', `${base}/api/specs answered without a specs list: is this a nightshift gateway?`);
      return body;
    },
    detail: (id) => get<SpecDetail>(`/api/specs/${encodeURIComponent(id)}`),
  };
}
