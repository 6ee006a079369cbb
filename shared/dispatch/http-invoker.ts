/**
 * Invokes function processes over HTTP, as the bridge does on a cluster: each
 * event is POSTed as a binary-mode CloudEvent to the function's URL. A 2xx is
 * success; 5xx, time-outs and connection errors are retryable (the bus naks
 * with backoff); any other answer is final (the bus dead-letters the event).
 */
import { NightshiftError } from '../errors.ts';
import type { FunctionName } from '../events/catalog.ts';
import { fromJSON } from '../events/cloudevent.ts';
import { toBinary } from '../events/http.ts';
import type { NsEvent } from '../runtime/types.ts';
import type { InvokeResult, Invoker } from './invoker.ts';

export interface HttpInvokerOptions {
  /**
   * Where a function is reached; `{name}` is replaced by the function's name.
   * OpenFaaS: `http://gateway.openfaas:8080/function/{name}`; Knative:
   * `http://{name}.nightshift.svc.cluster.local`.
   */
  urlTemplate: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  /** How long one call may take (agents run long). @default 1_800_000 ms (30 min) */
  timeoutMs?: number;
}

export class HttpInvoker implements Invoker {
  constructor(private readonly options: HttpInvokerOptions) {}

  /** The URL of a function. */
  urlOf(fn: FunctionName): string {
    return this.options.urlTemplate.replaceAll('{name}', fn);
  }

  async invoke(fn: FunctionName, event: NsEvent): Promise<InvokeResult> {
    const url = this.urlOf(fn);
    const message = toBinary(event);
    const headers = { ...message.headers };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers,
        body: message.body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 1_800_000),
      });
    } catch (err) {
      throw new NightshiftError('INVOKE_FAILED', `POST ${url} for event ${event.id} failed: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.text();
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      throw new NightshiftError('INVOKE_FAILED', `POST ${url} for event ${event.id} answered ${res.status}: ${text.slice(0, 500)}`);
    }
    if (res.status < 200 || res.status >= 300) {
      throw new NightshiftError('INVOKE_REJECTED', `POST ${url} refused event ${event.id} with ${res.status}: ${text.slice(0, 500)}`);
    }
    return parseReply(text, url);
  }
}

function parseReply(text: string, url: string): InvokeResult {
  let body: { emitted?: unknown; published?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new NightshiftError('INVOKE_FAILED', `${url} answered 2xx with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  const list = Array.isArray(body.emitted) ? body.emitted : [];
  return { emitted: list.map((e) => fromJSON(JSON.stringify(e))), published: body.published === true };
}
