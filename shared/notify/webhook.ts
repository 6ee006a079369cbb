/**
 * POSTs a JSON body to one webhook with the built-in fetch: a timeout per
 * request, and a few retries with exponential backoff on what a retry can
 * fix (network error, timeout, 429, 5xx). It never throws: the result says
 * what happened, so one dead webhook cannot hold up or fail the others.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WebhookOptions {
  /** Time one request may take. @default 5000 ms */
  timeoutMs?: number;
  /** Retries after the first request. @default 3 */
  retries?: number;
  /** Wait before the first retry; doubles each time, up to 20% jitter added. @default 500 ms */
  baseMs?: number;
  /** Stops waiting and retrying (shutdown). @default none */
  signal?: AbortSignal;
}

export interface WebhookResult {
  /** The webhook without its path (paths of Slack webhooks are secrets). */
  target: string;
  ok: boolean;
  /** Requests made. */
  tries: number;
  /** The last HTTP status, if an answer came. */
  status?: number;
  /** Why it failed, when it did. */
  error?: string;
}

/** `https://hooks.slack.com/...`: enough to tell webhooks apart in a log, without the secret part. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/...`;
  } catch {
    return '(invalid url)';
  }
}

const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

export async function postWebhook(url: string, body: unknown, options: WebhookOptions = {}): Promise<WebhookResult> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const retries = options.retries ?? 3;
  const baseMs = options.baseMs ?? 500;
  const target = redactUrl(url);
  const payload = JSON.stringify(body);
  let last: WebhookResult = { target, ok: false, tries: 0 };
  for (let i = 0; i <= retries; i++) {
    if (i > 0) {
      const delay = baseMs * 2 ** (i - 1) * (1 + Math.random() * 0.2);
      try {
        await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined);
      } catch {
        return { ...last, error: `${last.error ?? 'failed'}; retries stopped (shutting down)` };
      }
    }
    const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'nightshift-notify' },
        body: payload,
        signal: AbortSignal.any(signals),
      });
      // Read the body so the connection can be reused; its text says why on failure.
      const text = await res.text().catch(() => '');
      if (res.ok) return { target, ok: true, tries: i + 1, status: res.status };
      last = { target, ok: false, tries: i + 1, status: res.status, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}` };
      if (!retryable(res.status)) return last;
    } catch (err) {
      const e = err as Error;
      const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}`;
      last = { target, ok: false, tries: i + 1, error: why };
      if (options.signal?.aborted) return last;
    }
  }
  return last;
}
