/**
 * learn-from-failure, the junior developer (DESIGN.md section 5): record the
 * failure, find similar ones, retry or fail for good.
 *
 * Does only input checking so far: it asserts the event is one of the types it
 * accepts, logs it and emits nothing. The pipeline comes in issue 4.
 */
import { eventsTriggering } from '../../shared/events/catalog.ts';
import { assertAccepted } from '../../shared/runtime/accept.ts';
import type { NightshiftFunction } from '../../shared/runtime/types.ts';

/** The learn-from-failure function: accepts `eventsTriggering('learn-from-failure')`, emits nothing yet. */
export const learnFromFailure: NightshiftFunction = {
  name: 'learn-from-failure',
  accepts: eventsTriggering('learn-from-failure'),
  async handle(event, ctx) {
    const name = assertAccepted(learnFromFailure, event);
    ctx.log.info({ event: name }, 'learn-from-failure received the event; it emits nothing until the pipeline lands');
    return [];
  },
};
