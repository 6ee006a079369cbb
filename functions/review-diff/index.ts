/** Entry point of the review-diff process (and of its esbuild bundle). */
import { main } from '../../shared/runtime/main.ts';
import { reviewDiff } from './handler.ts';

await main(reviewDiff);
