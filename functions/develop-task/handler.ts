/**
 * develop-task, the background developer (DESIGN.md section 5): run the agent
 * in an isolated workspace, capture the diff.
 *
 * Does only input checking so far: it asserts the event is one of the types it
 * accepts, logs it and emits nothing. The pipeline comes in issue 4.
 */
import { eventsTriggering } from '../../shared/events/catalog.ts';
import { assertAccepted } from '../../shared/runtime/accept.ts';
import type { NightshiftFunction } from '../../shared/runtime/types.ts';

/** The develop-task function: accepts `eventsTriggering('develop-task')`, emits nothing yet. */
export const developTask: NightshiftFunction = {
  name: 'develop-task',
  accepts: eventsTriggering('develop-task'),
  async handle(event, ctx) {
    const name = assertAccepted(developTask, event);
    ctx.log.info({ event: name }, 'develop-task received the event; it emits nothing until the pipeline lands');
    return [];
  },
};
