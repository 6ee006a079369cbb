/**
 * collect-diff, the git manager (DESIGN.md section 5): apply the task's diff
 * onto the integration head and keep a candidate commit, or report a conflict.
 * The work is in shared/pipeline/integrate.ts.
 */
import { pipelineFunction } from '../../shared/pipeline/function.ts';
import { collect } from '../../shared/pipeline/integrate.ts';

/** The collect-diff function. */
export const collectDiff = pipelineFunction('collect-diff', collect);
