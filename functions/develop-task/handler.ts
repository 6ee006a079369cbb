/**
 * develop-task, the background developer (DESIGN.md section 5): run the agent
 * in an isolated workspace, capture the diff.
 *
 * Does only input checking so far: it asserts the event is one of the types it
 * accepts, logs it and emits nothing. The pipeline comes in issue 4.
 */
import { inputOnlyFunction } from '../../shared/runtime/input-only.ts';

/** The develop-task function: accepts `eventsTriggering('develop-task')`, emits nothing yet. */
export const developTask = inputOnlyFunction('develop-task');
