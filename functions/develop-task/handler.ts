/**
 * develop-task, the background developer (DESIGN.md section 5): run the agent
 * in an isolated workspace, run the checks, capture the diff.
 * The work is in shared/pipeline/develop.ts.
 */
import { develop } from '../../shared/pipeline/develop.ts';
import { pipelineFunction } from '../../shared/pipeline/function.ts';

/** The develop-task function. */
export const developTask = pipelineFunction('develop-task', develop);
