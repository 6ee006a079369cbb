/**
 * A pipeline function: the catalogue's trigger list, the accepted-event
 * check every host relies on, and the work. Keeps the five handler files to
 * their one line of substance.
 */
import { eventsTriggering, type FunctionName } from '../events/catalog.ts';
import { assertAccepted } from '../runtime/accept.ts';
import type { FunctionContext, NightshiftFunction, NsEvent } from '../runtime/types.ts';

export type Work = (event: NsEvent, ctx: FunctionContext) => Promise<NsEvent[]>;

export function pipelineFunction(name: FunctionName, work: Work): NightshiftFunction {
  const fn: NightshiftFunction = {
    name,
    accepts: eventsTriggering(name),
    async handle(event, ctx) {
      assertAccepted(fn, event);
      return work(event, ctx);
    },
  };
  return fn;
}
