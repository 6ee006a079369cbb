/**
 * on-spec-created, the spec manager and project lead (DESIGN.md section 5):
 * validate, plan, dispatch.
 *
 * Does only input checking so far: it asserts the event is one of the types it
 * accepts, logs it and emits nothing. The pipeline comes in issue 4.
 */
import { inputOnlyFunction } from '../../shared/runtime/input-only.ts';

/** The on-spec-created function: accepts `eventsTriggering('on-spec-created')`, emits nothing yet. */
export const onSpecCreated = inputOnlyFunction('on-spec-created');
