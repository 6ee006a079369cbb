/**
 * review-diff, the reviewer (DESIGN.md section 5): the security and quality
 * gate before a squash commit lands.
 *
 * Does only input checking so far: it asserts the event is one of the types it
 * accepts, logs it and emits nothing. The pipeline comes in issue 4.
 */
import { eventsTriggering } from '../../shared/events/catalog.ts';
import { assertAccepted } from '../../shared/runtime/accept.ts';
import type { NightshiftFunction } from '../../shared/runtime/types.ts';

/** The review-diff function: accepts `eventsTriggering('review-diff')`, emits nothing yet. */
export const reviewDiff: NightshiftFunction = {
  name: 'review-diff',
  accepts: eventsTriggering('review-diff'),
  async handle(event, ctx) {
    const name = assertAccepted(reviewDiff, event);
    ctx.log.info({ event: name }, 'review-diff received the event; it emits nothing until the pipeline lands');
    return [];
  },
};
