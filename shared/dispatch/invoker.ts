/**
 * An invoker delivers one event to one function and returns what the function
 * emitted. The dev runner invokes handlers in process; the bridge invokes
 * function processes over HTTP. Both run under the same consumer loop
 * (consumers.ts).
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { NightshiftError } from '../errors.ts';
import type { FunctionName } from '../events/catalog.ts';
import { invoke, type InvokeResult } from '../runtime/invoke.ts';
import type { Services } from '../pipeline/services.ts';
import type { FunctionContext, NightshiftFunction, NsEvent } from '../runtime/types.ts';

export type { InvokeResult };

export interface Invoker {
  invoke(fn: FunctionName, event: NsEvent): Promise<InvokeResult>;
}

/** Calls handlers in this process. Emitted events are returned, not published: the consumer loop publishes them. */
export class LocalInvoker implements Invoker {
  private readonly byName: Map<FunctionName, NightshiftFunction>;

  constructor(
    functions: readonly NightshiftFunction[],
    private readonly base: { log: Logger; config: Config; now?: () => Date; services?: Services },
  ) {
    this.byName = new Map(functions.map((f) => [f.name, f]));
  }

  async invoke(name: FunctionName, event: NsEvent): Promise<InvokeResult> {
    const fn = this.byName.get(name);
    if (!fn) throw new NightshiftError('NOT_FOUND', `no function named ${name} runs in this process`, { retryable: false });
    const data = (event.data ?? {}) as Record<string, unknown>;
    const log = this.base.log.child({ function: name, eventId: event.id, specId: data.specId, taskId: data.taskId, attempt: data.attempt });
    const ctx: FunctionContext = { log, config: this.base.config, now: this.base.now ?? (() => new Date()), ...(this.base.services ? { services: this.base.services } : {}) };
    log.info({ type: event.type }, 'handling event');
    const result = await invoke(fn, event, ctx);
    log.info({ emitted: result.emitted.length }, 'handled event');
    return result;
  }
}
