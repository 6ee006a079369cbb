/**
 * collect-diff, the git manager (DESIGN.md section 5): apply the task's diff
 * onto the integration branch head.
 *
 * Does only input checking so far: it asserts the event is one of the types it
 * accepts, logs it and emits nothing. The pipeline comes in issue 4.
 */
import { eventsTriggering } from '../../shared/events/catalog.ts';
import { assertAccepted } from '../../shared/runtime/accept.ts';
import type { NightshiftFunction } from '../../shared/runtime/types.ts';

/** The collect-diff function: accepts `eventsTriggering('collect-diff')`, emits nothing yet. */
export const collectDiff: NightshiftFunction = {
  name: 'collect-diff',
  accepts: eventsTriggering('collect-diff'),
  async handle(event, ctx) {
    const name = assertAccepted(collectDiff, event);
    ctx.log.info({ event: name }, 'collect-diff received the event; it emits nothing until the pipeline lands');
    return [];
  },
};
