/**
 * on-spec-created, the spec manager and project lead (DESIGN.md section 5):
 * validate, plan, dispatch, level-triggered on spec and task-completed events.
 * The work is in shared/pipeline/reconcile.ts.
 */
import { pipelineFunction } from '../../shared/pipeline/function.ts';
import { reconcile } from '../../shared/pipeline/reconcile.ts';

/** The on-spec-created function. */
export const onSpecCreated = pipelineFunction('on-spec-created', reconcile);
