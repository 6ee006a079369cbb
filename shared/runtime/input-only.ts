/**
 * The body every function has until its pipeline logic lands: assert the
 * event is one it accepts (WRONG_FUNCTION otherwise), log it, emit nothing.
 * Each handler says so in its own header; this keeps that behaviour in one place.
 */
import { eventsTriggering, type FunctionName } from '../events/catalog.ts';
import { assertAccepted } from './accept.ts';
import type { NightshiftFunction } from './types.ts';

export function inputOnlyFunction(name: FunctionName): NightshiftFunction {
  const fn: NightshiftFunction = {
    name,
    accepts: eventsTriggering(name),
    async handle(event, ctx) {
      const accepted = assertAccepted(fn, event);
      ctx.log.info({ event: accepted }, `${name} received the event; it emits nothing until the pipeline lands`);
      return [];
    },
  };
  return fn;
}
