/**
 * learn-from-failure, the junior developer (DESIGN.md section 5): record the
 * failure, find similar ones, retry or fail for good.
 *
 * Does only input checking so far: it asserts the event is one of the types it
 * accepts, logs it and emits nothing. The pipeline comes in issue 4.
 */
import { inputOnlyFunction } from '../../shared/runtime/input-only.ts';

/** The learn-from-failure function: accepts `eventsTriggering('learn-from-failure')`, emits nothing yet. */
export const learnFromFailure = inputOnlyFunction('learn-from-failure');
