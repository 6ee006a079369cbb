/** Entry point of the learn-from-failure process (and of its esbuild bundle). */
import { main } from '../../shared/runtime/main.ts';
import { learnFromFailure } from './handler.ts';

await main(learnFromFailure);
