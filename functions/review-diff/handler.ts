/**
 * review-diff, the reviewer (DESIGN.md section 5): the deterministic gate, the
 * spec's checks on the candidate, the optional command reviewer, and the
 * compare-and-swap landing. The work is in shared/pipeline/review-task.ts.
 */
import { pipelineFunction } from '../../shared/pipeline/function.ts';
import { reviewTask } from '../../shared/pipeline/review-task.ts';

/** The review-diff function. */
export const reviewDiff = pipelineFunction('review-diff', reviewTask);
