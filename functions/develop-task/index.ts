/** Entry point of the develop-task process (and of its esbuild bundle). */
import { main } from '../../shared/runtime/main.ts';
import { developTask } from './handler.ts';

await main(developTask);
