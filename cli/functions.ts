/** The five functions, for hosts that run them in one process (the dev runner). */
import { collectDiff } from '../functions/collect-diff/handler.ts';
import { developTask } from '../functions/develop-task/handler.ts';
import { learnFromFailure } from '../functions/learn-from-failure/handler.ts';
import { onSpecCreated } from '../functions/on-spec-created/handler.ts';
import { reviewDiff } from '../functions/review-diff/handler.ts';
import type { NightshiftFunction } from '../shared/runtime/types.ts';

export const ALL_FUNCTIONS: readonly NightshiftFunction[] = [onSpecCreated, developTask, collectDiff, reviewDiff, learnFromFailure];
