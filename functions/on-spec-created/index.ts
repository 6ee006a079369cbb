/** Entry point of the on-spec-created process (and of its esbuild bundle). */
import { main } from '../../shared/runtime/main.ts';
import { onSpecCreated } from './handler.ts';

await main(onSpecCreated);
