/**
 * The status API's token rule: the functions' rule (NIGHTSHIFT_TOKEN, when
 * set, compared in constant time), with one addition for the browser. A
 * request may carry `Authorization: Bearer <token>` (curl, the CLI) or
 * `?token=<token>` in the URL, because the status page's EventSource and its
 * log links cannot set headers. A token in a URL can end up in a browser's
 * history or a proxy log, so the page is served with `Referrer-Policy:
 * no-referrer` and the header form is the one to use from scripts.
 */
import type { IncomingMessage } from 'node:http';
import { NightshiftError } from '../errors.ts';
import { bearerMatches } from '../runtime/http-io.ts';

/** Throws UNAUTHORIZED unless the request carries `token` (nothing is checked when `token` is undefined). */
export function checkToken(req: IncomingMessage, url: URL, token: string | undefined): void {
  if (token === undefined) return;
  if (bearerMatches(req.headers.authorization, token)) return;
  const query = url.searchParams.get('token');
  if (query !== null && bearerMatches(`Bearer ${query}`, token)) return;
  throw new NightshiftError('UNAUTHORIZED', `${url.pathname} needs the header "Authorization: Bearer <NIGHTSHIFT_TOKEN>" (or ?token=<NIGHTSHIFT_TOKEN> in a browser)`);
}
