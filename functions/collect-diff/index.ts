/** Entry point of the collect-diff process (and of its esbuild bundle). */
import { main } from '../../shared/runtime/main.ts';
import { collectDiff } from './handler.ts';

await main(collectDiff);
