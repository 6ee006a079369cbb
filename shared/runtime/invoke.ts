/**
 * Running a handler on one event, the part every host shares: call the
 * handler, check what it emitted, publish unless this is a dry run.
 */
import { NightshiftError } from '../errors.ts';
import { validateEvent } from '../events/cloudevent.ts';
import type { Publisher } from './publisher.ts';
import type { FunctionContext, NightshiftFunction, NsEvent } from './types.ts';

export interface InvokeResult {
  emitted: NsEvent[];
  /** True when every emitted event went to the publisher (false in a dry run or without one). */
  published: boolean;
}

/**
 * Calls `fn.handle`, validates each emitted event against the catalogue (an
 * invalid one is a bug in the handler: INTERNAL), then publishes them in order
 * unless `ctx.dryRun` is set or there is no publisher.
 */
export async function invoke(
  fn: NightshiftFunction,
  event: NsEvent,
  ctx: FunctionContext,
  publisher?: Publisher,
): Promise<InvokeResult> {
  const emitted = await fn.handle(event, ctx);
  for (const out of emitted) {
    try {
      validateEvent(out);
    } catch (err) {
      throw new NightshiftError('INTERNAL', `${fn.name} emitted an invalid event ${out.id}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (!publisher || ctx.dryRun) return { emitted, published: false };
  for (const out of emitted) {
    try {
      await publisher.publish(out);
    } catch (err) {
      // The bus's own errors (BUS_UNAVAILABLE ...) keep their code and status;
      // anything else is INTERNAL. Both are retryable: the handler is idempotent.
      const code = err instanceof NightshiftError ? err.code : 'INTERNAL';
      throw new NightshiftError(code, `publishing ${out.type} ${out.id} failed: ${(err as Error).message}`, { cause: err, retryable: true });
    }
    ctx.log.info({ emittedId: out.id, emittedType: out.type }, 'published');
  }
  return { emitted, published: true };
}
