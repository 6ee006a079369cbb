/** The host's small parts on their own: redaction, the token check, invoke. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { NightshiftError } from '../../shared/errors.ts';
import { makeEvent } from '../../shared/events/cloudevent.ts';
import { bearerMatches } from '../../shared/runtime/http-io.ts';
import { invoke } from '../../shared/runtime/invoke.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import type { FunctionContext, NightshiftFunction, NsEvent } from '../../shared/runtime/types.ts';

const task = { specId: 'demo', path: 'specs/active/demo.yaml', taskId: 'api', attempt: 1 };

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, log: createLogger({ destination }) };
}

describe('createLogger', () => {
  it('redacts authorization headers, tokens and secrets in config', () => {
    const { lines, log } = capture();
    log.info({ headers: { authorization: 'Bearer abc123' }, token: 'tok456', config: { NIGHTSHIFT_TOKEN: 'nt789', DATABASE_URL: 'postgres://u:pw0@h/db' } }, 'x');
    log.child({ specId: 'demo' }).info({ req: { authorization: 'Bearer child1' } }, 'y');
    const text = lines.join('');
    for (const secret of ['abc123', 'tok456', 'nt789', 'pw0', 'child1']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ specId: 'demo', msg: 'y' });
  });
});

describe('bearerMatches', () => {
  it('takes exactly "Bearer <token>", case-insensitive scheme', () => {
    expect(bearerMatches('Bearer s3cret', 's3cret')).toBe(true);
    expect(bearerMatches('bearer   s3cret ', 's3cret')).toBe(true);
    expect(bearerMatches('Bearer s3cre', 's3cret')).toBe(false);
    expect(bearerMatches('Bearer s3cretX', 's3cret')).toBe(false);
    expect(bearerMatches('s3cret', 's3cret')).toBe(false);
    expect(bearerMatches('Basic s3cret', 's3cret')).toBe(false);
    expect(bearerMatches(undefined, 's3cret')).toBe(false);
    expect(bearerMatches('Bearer ', '')).toBe(false);
  });
});

describe('invoke', () => {
  const fn: NightshiftFunction = {
    name: 'develop-task',
    accepts: ['task.assigned'],
    handle: async (event) => [makeEvent('diff.submitted', event.data as typeof task)],
  };
  const event = makeEvent('task.assigned', task);
  const ctx = (dryRun: boolean): FunctionContext => ({ log: createLogger({ level: 'silent' }), config: loadConfig({}), now: () => new Date(0), dryRun });

  it('publishes in order unless dry run; without a publisher it only returns', async () => {
    const published: NsEvent[] = [];
    const publisher = { publish: async (e: NsEvent) => void published.push(e) };
    expect((await invoke(fn, event, ctx(false), publisher)).published).toBe(true);
    expect(published.map((e) => e.type)).toEqual(['dev.nightshift.diff.submitted']);
    const dry = await invoke(fn, event, ctx(true), publisher);
    expect([dry.published, dry.emitted.length, published.length]).toEqual([false, 1, 1]);
    expect((await invoke(fn, event, ctx(false))).published).toBe(false);
  });

  it('turns a failed publish into a retryable INTERNAL error that names the event', async () => {
    const publisher = { publish: async () => Promise.reject(new Error('nats down')) };
    const err = await invoke(fn, event, ctx(false), publisher).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NightshiftError);
    expect(err).toMatchObject({ code: 'INTERNAL', retryable: true });
    expect((err as Error).message).toContain('demo/api/1/diff-submitted');
    expect((err as Error).message).toContain('nats down');
    const busDown = { publish: async () => Promise.reject(new NightshiftError('BUS_UNAVAILABLE', 'no NATS at nats://x:4222')) };
    expect(await invoke(fn, event, ctx(false), busDown).catch((e: unknown) => e)).toMatchObject({ code: 'BUS_UNAVAILABLE', status: 503, retryable: true });
  });
});
