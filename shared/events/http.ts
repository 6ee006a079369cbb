/**
 * The HTTP binding of nightshift events: reads a request (binary mode,
 * structured mode, or a bare JSON ping for curl) into a validated event, and
 * writes an event as binary or structured HTTP. The cloudevents package does
 * the CloudEvents binding; this file adds the nightshift rules (JSON only, one
 * event per request, catalogued types, plain error messages).
 */
import { HTTP, ValidationError } from 'cloudevents';
import { NightshiftError } from '../errors.ts';
import { EVENTS, eventNameForType, type EventName, type EventPayload } from './catalog.ts';
import { makeEvent, validateEvent } from './cloudevent.ts';
import type { NsEvent } from '../runtime/types.ts';

/** Request headers as node:http gives them (any case; arrays for repeats). */
export type HttpHeaders = Record<string, string | string[] | undefined>;

/** An event as HTTP: lower-case headers and a string body. */
export interface HttpMessage {
  headers: Record<string, string>;
  body: string;
}

/** How the request carried the event. */
export type HttpMode = 'binary' | 'structured' | 'ping';

export interface ParseOptions {
  /** The `?type=` of a bare ping: a catalogue name (`spec.created`) or a CloudEvent type. @default unset */
  pingType?: string;
  /** The event a bare ping becomes when it names no type. @default unset (a ping must name its type) */
  pingDefault?: EventName;
  /** `source` given to events built from a ping. @default "/nightshift/http" */
  pingSource?: string;
}

export interface ParsedEvent {
  event: NsEvent;
  name: EventName;
  mode: HttpMode;
}

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const REQUIRED_ATTRIBUTES = ['specversion', 'id', 'source', 'type'] as const;

/**
 * Reads one nightshift event from an HTTP request. Throws NightshiftError:
 * BAD_EVENT (400) for anything malformed, UNSUPPORTED_MEDIA_TYPE (415) for a
 * content type that is not JSON or a batch.
 */
export function eventFromHttp(rawHeaders: HttpHeaders, body: string, options: ParseOptions = {}): ParsedEvent {
  const headers = normalizeHeaders(rawHeaders);
  const mode = modeOf(headers);
  if (mode === 'ping') return pingEvent(parseObject(body, 'the ping'), options);

  const attributes = mode === 'structured' ? parseObject(body, 'the structured event') : undefined;
  const missing = REQUIRED_ATTRIBUTES.filter((a) => (mode === 'binary' ? !headers[`ce-${a}`] : attributes?.[a] === undefined));
  if (missing.length > 0) {
    const where = mode === 'binary' ? missing.map((a) => `header ce-${a}`) : missing.map((a) => `attribute "${a}"`);
    throw new NightshiftError('BAD_EVENT', `the ${mode} CloudEvent lacks ${where.join(', ')}`, { details: { missing } });
  }
  // The SDK looks parsers up by the bare media type, so parameters such as
  // charset would make it skip JSON parsing; JSON is parsed here instead, once,
  // with a plain error message.
  const contentType = mediaType(headers) ?? 'application/json';
  const message = {
    headers: { ...headers, 'content-type': contentType },
    body: mode === 'binary' ? parseJson(body, 'the binary event data') : attributes,
  };
  let event: NsEvent;
  try {
    event = HTTP.toEvent(message) as NsEvent;
    event.validate();
  } catch (err) {
    throw new NightshiftError('BAD_EVENT', `not a valid CloudEvent: ${sdkMessage(err)}`, { cause: err, details: sdkDetails(err) });
  }
  return { event, name: validateEvent(event), mode };
}

/** The catalogue name for a catalogue name or a CloudEvent type. Throws BAD_EVENT. */
export function resolveEventName(typeOrName: string): EventName {
  if (Object.hasOwn(EVENTS, typeOrName)) return typeOrName as EventName;
  const name = eventNameForType(typeOrName);
  if (!name) throw new NightshiftError('BAD_EVENT', `unknown event type "${typeOrName}"`);
  return name;
}

/** The event in binary mode: `ce-*` headers and the JSON data as the body. */
export function toBinary(event: NsEvent): HttpMessage {
  return asMessage(HTTP.binary(event));
}

/** The event in structured mode (`application/cloudevents+json`). */
export function toStructured(event: NsEvent): HttpMessage {
  return asMessage(HTTP.structured(event));
}

function modeOf(headers: Record<string, string>): HttpMode {
  const type = mediaType(headers);
  if (type === BATCH) {
    throw new NightshiftError('UNSUPPORTED_MEDIA_TYPE', 'batched CloudEvents are not supported: send one event per request');
  }
  if (type?.startsWith('application/cloudevents')) {
    if (type !== STRUCTURED) throw new NightshiftError('UNSUPPORTED_MEDIA_TYPE', `structured events must be ${STRUCTURED}, got "${type}"`);
    return 'structured';
  }
  const binary = Object.keys(headers).some((h) => h.startsWith('ce-'));
  if (type !== undefined && !isJson(type)) {
    const what = binary ? 'the data of a binary CloudEvent' : 'a ping';
    throw new NightshiftError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${what} must be application/json, got "${type}" (with curl, add -H 'content-type: application/json')`,
    );
  }
  return binary ? 'binary' : 'ping';
}

function pingEvent(data: Record<string, unknown>, options: ParseOptions): ParsedEvent {
  const name = options.pingType ? resolveEventName(options.pingType) : options.pingDefault;
  if (!name) throw new NightshiftError('BAD_EVENT', 'the ping names no event type: add ?type=<event>');
  const event = makeEvent(name, data as EventPayload<typeof name>, { source: options.pingSource ?? '/nightshift/http' });
  return { event, name, mode: 'ping' };
}

function parseJson(body: string, what: string): unknown {
  if (body.trim() === '') throw new NightshiftError('BAD_EVENT', `${what} is empty: the body must be JSON`);
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new NightshiftError('BAD_EVENT', `${what} is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

function parseObject(body: string, what: string): Record<string, unknown> {
  const value = parseJson(body, what);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NightshiftError('BAD_EVENT', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function normalizeHeaders(raw: HttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function mediaType(headers: Record<string, string>): string | undefined {
  const value = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return value ? value : undefined;
}

function isJson(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

function asMessage(message: { headers: Record<string, unknown>; body: unknown }): HttpMessage {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(message.headers)) {
    if (value !== undefined && value !== null) headers[key.toLowerCase()] = String(value);
  }
  return { headers, body: typeof message.body === 'string' ? message.body : JSON.stringify(message.body) };
}

function sdkMessage(err: unknown): string {
  const base = err instanceof Error ? err.message : String(err);
  const details = sdkDetails(err);
  return details && details.length > 0 ? `${base} (${details.join('; ')})` : base;
}

/** ajv's findings from the SDK's schema check, as plain strings. */
function sdkDetails(err: unknown): string[] | undefined {
  if (!(err instanceof ValidationError) || !err.errors) return undefined;
  return err.errors.map((e) =>
    typeof e === 'string' ? e : `${e.instancePath || '(event)'} ${e.message ?? 'is invalid'}`.trim(),
  );
}
