/**
 * learn-from-failure, the junior developer (DESIGN.md section 5): record and
 * embed the failure, find similar resolved ones, retry with hints or give up.
 * The work is in shared/pipeline/learn-task.ts.
 */
import { pipelineFunction } from '../../shared/pipeline/function.ts';
import { learn } from '../../shared/pipeline/learn-task.ts';

/** The learn-from-failure function. */
export const learnFromFailure = pipelineFunction('learn-from-failure', learn);
