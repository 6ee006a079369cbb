/**
 * collect-diff, the git manager (DESIGN.md section 5): apply the task's diff
 * onto the integration branch head.
 *
 * Does only input checking so far: it asserts the event is one of the types it
 * accepts, logs it and emits nothing. The pipeline comes in issue 4.
 */
import { inputOnlyFunction } from '../../shared/runtime/input-only.ts';

/** The collect-diff function: accepts `eventsTriggering('collect-diff')`, emits nothing yet. */
export const collectDiff = inputOnlyFunction('collect-diff');
