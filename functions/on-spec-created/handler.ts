/**
 * on-spec-created, the spec manager and project lead (DESIGN.md section 5):
 * validate, plan, dispatch.
 *
 * Does only input checking so far: it asserts the event is one of the types it
 * accepts, logs it and emits nothing. The pipeline comes in issue 4.
 */
import { eventsTriggering } from '../../shared/events/catalog.ts';
import { assertAccepted } from '../../shared/runtime/accept.ts';
import type { NightshiftFunction } from '../../shared/runtime/types.ts';

/** The on-spec-created function: accepts `eventsTriggering('on-spec-created')`, emits nothing yet. */
export const onSpecCreated: NightshiftFunction = {
  name: 'on-spec-created',
  accepts: eventsTriggering('on-spec-created'),
  async handle(event, ctx) {
    const name = assertAccepted(onSpecCreated, event);
    ctx.log.info({ event: name }, 'on-spec-created received the event; it emits nothing until the pipeline lands');
    return [];
  },
};
