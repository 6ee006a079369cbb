/**
 * review-diff, the reviewer (DESIGN.md section 5): the security and quality
 * gate before a squash commit lands.
 *
 * Does only input checking so far: it asserts the event is one of the types it
 * accepts, logs it and emits nothing. The pipeline comes in issue 4.
 */
import { inputOnlyFunction } from '../../shared/runtime/input-only.ts';

/** The review-diff function: accepts `eventsTriggering('review-diff')`, emits nothing yet. */
export const reviewDiff = inputOnlyFunction('review-diff');
