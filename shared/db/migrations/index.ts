/** Every migration, in the order they apply. Add new ones at the end with the next version. */
import { core } from './001_core.ts';
import { vectorEmbeddings } from './002_vector.ts';
import type { Migration } from './types.ts';

export type { Migration } from './types.ts';

export const MIGRATIONS: readonly Migration[] = [core, vectorEmbeddings];
