/**
 * Building and reading nightshift CloudEvents with the `cloudevents` package.
 * Ids are deterministic where the event is a fact about state, so a duplicate
 * publish carries the same id and is dropped by the bus and the
 * processed-events table.
 */
import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { NightshiftError } from '../errors.ts';
import { EVENTS, MAX_EVENT_BYTES, eventNameForType, type EventName, type EventPayload } from './catalog.ts';
import type { NsEvent } from '../runtime/types.ts';

/** The deterministic id of a state fact, or a random one for heartbeats. */
export function eventId<N extends EventName>(name: N, data: EventPayload<N>): string {
  const d = data as Record<string, unknown>;
  const task = `${d.specId}/${d.taskId}/${d.attempt}`;
  switch (name) {
    case 'spec.created':
    case 'spec.updated':
      return `${d.specId}/${d.hash ?? 'nohash'}/${name === 'spec.created' ? 'created' : 'updated'}`;
    case 'task.assigned':
      return `${task}/assigned`;
    case 'diff.submitted':
      return `${task}/diff-submitted`;
    case 'review.requested':
      return `${task}/review-requested`;
    case 'task.completed':
      return `${task}/completed`;
    case 'task.failed':
      return `${task}/failed`;
    case 'spec.completed':
      return `${d.specId}/completed`;
    case 'spec.failed':
      return `${d.specId}/failed/${d.hash ?? 'nohash'}`;
    default:
      return randomUUID();
  }
}

export interface MakeEventOptions {
  /** Overrides the catalogue's source (for example `/nightshift/learn-from-failure`). */
  source?: string;
  /** Overrides the deterministic id. */
  id?: string;
  /** @default now */
  time?: Date;
}

/** Builds a validated CloudEvent for a catalogued event. Throws BAD_EVENT if the payload is wrong. */
export function makeEvent<N extends EventName>(name: N, data: EventPayload<N>, options: MakeEventOptions = {}): NsEvent {
  const def = EVENTS[name];
  const parsed = def.payload.safeParse(data);
  if (!parsed.success) {
    throw new NightshiftError('BAD_EVENT', `payload of ${name}: ${describeIssues(parsed.error.issues)}`);
  }
  const payload = parsed.data as Record<string, unknown>;
  return new CloudEvent<Record<string, unknown>>({
    specversion: '1.0',
    id: options.id ?? eventId(name, parsed.data as EventPayload<N>),
    type: def.type,
    source: options.source ?? def.source,
    subject: typeof payload.specId === 'string' ? payload.specId : undefined,
    time: (options.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    data: payload,
  });
}

/** Which catalogue entry an event is, after checking its payload. Throws BAD_EVENT. */
export function validateEvent(event: NsEvent): EventName {
  if (event.specversion !== '1.0') {
    throw new NightshiftError('BAD_EVENT', `specversion must be "1.0", got ${JSON.stringify(event.specversion)}`);
  }
  const name = eventNameForType(event.type);
  if (!name) throw new NightshiftError('BAD_EVENT', `unknown event type "${event.type}"`);
  const parsed = EVENTS[name].payload.safeParse(event.data);
  if (!parsed.success) {
    throw new NightshiftError('BAD_EVENT', `data of ${event.type}: ${describeIssues(parsed.error.issues)}`);
  }
  return name;
}

/** Structured-mode JSON, as stored on the bus. */
export function toJSON(event: NsEvent): string {
  const json = JSON.stringify(event.toJSON());
  if (Buffer.byteLength(json) > MAX_EVENT_BYTES) {
    throw new NightshiftError('PAYLOAD_TOO_LARGE', `event ${event.id} is ${Buffer.byteLength(json)} bytes; the limit is ${MAX_EVENT_BYTES}`);
  }
  return json;
}

/** Parses structured-mode JSON into a validated event. Throws BAD_EVENT or PAYLOAD_TOO_LARGE. */
export function fromJSON(text: string | Uint8Array): NsEvent {
  const size = typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength;
  if (size > MAX_EVENT_BYTES) {
    throw new NightshiftError('PAYLOAD_TOO_LARGE', `event is ${size} bytes; the limit is ${MAX_EVENT_BYTES}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'));
  } catch (err) {
    throw new NightshiftError('BAD_EVENT', `event is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new NightshiftError('BAD_EVENT', 'event must be a JSON object');
  }
  let event: NsEvent;
  try {
    event = new CloudEvent<Record<string, unknown>>(raw as Record<string, unknown> & { type: string; source: string });
  } catch (err) {
    throw new NightshiftError('BAD_EVENT', `not a CloudEvent: ${(err as Error).message}`, { cause: err });
  }
  validateEvent(event);
  return event;
}

/** The catalogue name of a validated event. */
export function nameOf(event: NsEvent): EventName {
  const name = eventNameForType(event.type);
  if (!name) throw new NightshiftError('BAD_EVENT', `unknown event type "${event.type}"`);
  return name;
}

/** The NATS subject an event is published on. */
export function subjectOf(event: NsEvent): string {
  const name = nameOf(event);
  if (name === 'heartbeat') {
    const worker = (event.data as { worker?: string } | undefined)?.worker ?? 'unknown';
    return `heartbeat.${worker.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  }
  return EVENTS[name].subject;
}

function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`).join('; ');
}
