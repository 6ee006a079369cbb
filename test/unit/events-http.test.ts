import { describe, expect, it } from 'vitest';
import { NightshiftError } from '../../shared/errors.ts';
import { makeEvent } from '../../shared/events/cloudevent.ts';
import { eventFromHttp, resolveEventName, toBinary, toStructured } from '../../shared/events/http.ts';

const task = { specId: 'demo', path: 'specs/active/demo.yaml', taskId: 'build-api', attempt: 2 };
const assigned = makeEvent('task.assigned', task, { time: new Date('2030-01-02T03:04:05Z') });

/** The NightshiftError `fn` throws (fails the test if it throws nothing or something else). */
function errorOf(fn: () => unknown): NightshiftError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NightshiftError);
    return err as NightshiftError;
  }
  throw new Error('expected a NightshiftError, nothing was thrown');
}

describe('eventFromHttp: the three ways in', () => {
  it('reads a structured event', () => {
    const { headers, body } = toStructured(assigned);
    expect(headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    const parsed = eventFromHttp(headers, body);
    expect(parsed.mode).toBe('structured');
    expect(parsed.name).toBe('task.assigned');
    expect(parsed.event.id).toBe('demo/build-api/2/assigned');
    expect(parsed.event.data).toEqual(task);
    expect(parsed.event.time).toBe('2030-01-02T03:04:05.000Z');
  });

  it('reads a binary event, whatever the header case and content-type parameters', () => {
    const { headers, body } = toBinary(assigned);
    expect(headers['ce-type']).toBe('dev.nightshift.task.assigned');
    const shouting = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    const parsed = eventFromHttp({ ...shouting, 'CONTENT-TYPE': 'application/json; charset=utf-8' }, body);
    expect(parsed.mode).toBe('binary');
    expect(parsed.event.id).toBe(assigned.id);
    expect(parsed.event.source).toBe('/nightshift/on-spec-created');
    expect(parsed.event.data).toEqual(task);
  });

  it('treats a binary event without a content type as JSON', () => {
    const { headers, body } = toBinary(assigned);
    delete headers['content-type'];
    expect(eventFromHttp(headers, body).event.data).toEqual(task);
  });

  it('turns a bare ping into the named event or the default one', () => {
    const body = JSON.stringify({ specId: 'demo', path: 'specs/active/demo.yaml' });
    const byDefault = eventFromHttp({ 'content-type': 'application/json' }, body, { pingDefault: 'spec.created' });
    expect(byDefault).toMatchObject({ mode: 'ping', name: 'spec.created' });
    expect(byDefault.event.type).toBe('dev.nightshift.spec.created');
    expect(byDefault.event.id).toBe('demo/nohash/created');
    expect(byDefault.event.source).toBe('/nightshift/http');
    const named = eventFromHttp({}, body, { pingType: 'dev.nightshift.spec.updated', pingDefault: 'spec.created', pingSource: '/x' });
    expect(named.name).toBe('spec.updated');
    expect(named.event.source).toBe('/x');
    expect(eventFromHttp({}, body, { pingType: 'spec.updated' }).name).toBe('spec.updated');
  });
});

describe('eventFromHttp: what it refuses', () => {
  it('names the missing binary headers', () => {
    const { headers, body } = toBinary(assigned);
    delete headers['ce-source'];
    delete headers['ce-type'];
    const err = errorOf(() => eventFromHttp(headers, body));
    expect(err.code).toBe('BAD_EVENT');
    expect(err.message).toContain('header ce-source');
    expect(err.message).toContain('header ce-type');
  });

  it('names the missing structured attributes', () => {
    const raw = JSON.parse(toStructured(assigned).body) as Record<string, unknown>;
    delete raw.id;
    const err = errorOf(() => eventFromHttp({ 'content-type': 'application/cloudevents+json' }, JSON.stringify(raw)));
    expect(err.code).toBe('BAD_EVENT');
    expect(err.message).toContain('attribute "id"');
  });

  it('refuses other spec versions in both modes', () => {
    const raw = { ...(JSON.parse(toStructured(assigned).body) as object), specversion: '0.3' };
    const structured = errorOf(() => eventFromHttp({ 'content-type': 'application/cloudevents+json' }, JSON.stringify(raw)));
    expect(structured.code).toBe('BAD_EVENT');
    expect(structured.message).toContain('specversion');
    const { headers, body } = toBinary(assigned);
    const binary = errorOf(() => eventFromHttp({ ...headers, 'ce-specversion': '2.0' }, body));
    expect(binary.message).toContain('specversion');
  });

  it('refuses bodies that are not JSON, empty or not an object', () => {
    const { headers } = toBinary(assigned);
    expect(errorOf(() => eventFromHttp(headers, '{"specId": ')).message).toMatch(/not JSON/);
    expect(errorOf(() => eventFromHttp(headers, '')).message).toMatch(/empty/);
    expect(errorOf(() => eventFromHttp({ 'content-type': 'application/cloudevents+json' }, '[1]')).message).toMatch(/JSON object/);
    expect(errorOf(() => eventFromHttp({}, 'not json', { pingDefault: 'spec.created' })).code).toBe('BAD_EVENT');
  });

  it('refuses unknown types and payloads that do not fit the type', () => {
    const unknown = errorOf(() => eventFromHttp({ ...toBinary(assigned).headers, 'ce-type': 'dev.nightshift.nope' }, toBinary(assigned).body));
    expect(unknown.message).toContain('unknown event type "dev.nightshift.nope"');
    const wrongData = errorOf(() => eventFromHttp(toBinary(assigned).headers, JSON.stringify({ specId: 'demo', path: 'p' })));
    expect(wrongData.code).toBe('BAD_EVENT');
    expect(wrongData.message).toContain('taskId');
  });

  it('refuses a ping that lacks fields or names no type', () => {
    const lacking = errorOf(() => eventFromHttp({}, JSON.stringify({ specId: 'demo' }), { pingDefault: 'spec.created' }));
    expect(lacking.code).toBe('BAD_EVENT');
    expect(lacking.message).toContain('path');
    expect(errorOf(() => eventFromHttp({}, JSON.stringify(task))).message).toContain('?type=');
    expect(errorOf(() => eventFromHttp({}, '{}', { pingType: 'spec.nope' })).message).toContain('unknown event type');
  });

  it('answers 415 for content types it does not take', () => {
    const text = errorOf(() => eventFromHttp({ 'content-type': 'text/plain' }, '{}', { pingDefault: 'spec.created' }));
    expect([text.code, text.status]).toEqual(['UNSUPPORTED_MEDIA_TYPE', 415]);
    expect(text.message).toContain("content-type: application/json");
    const batch = errorOf(() => eventFromHttp({ 'content-type': 'application/cloudevents-batch+json' }, '[]'));
    expect(batch.message).toContain('one event per request');
    const xml = errorOf(() => eventFromHttp({ ...toBinary(assigned).headers, 'content-type': 'application/xml' }, '<a/>'));
    expect(xml.message).toContain('binary CloudEvent');
    expect(errorOf(() => eventFromHttp({ 'content-type': 'application/cloudevents+xml' }, '')).status).toBe(415);
  });
});

describe('resolveEventName', () => {
  it('takes catalogue names and CloudEvent types, and nothing else', () => {
    expect(resolveEventName('task.failed')).toBe('task.failed');
    expect(resolveEventName('dev.nightshift.task.failed')).toBe('task.failed');
    expect(errorOf(() => resolveEventName('toString')).code).toBe('BAD_EVENT');
  });
});
