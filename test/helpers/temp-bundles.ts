/**
 * The function bundles of the code as it is now, built once per test file into
 * a temp folder (a stale dist/ would test old code) and removed afterwards.
 * Call at the top level of a test file; read `.dir` inside the tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { buildFunctions } from '../../scripts/build.ts';

export function useTempBundles(prefix: string): { readonly dir: string } {
  const state = { dir: '' };
  beforeAll(async () => {
    state.dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
    await buildFunctions({ outDir: state.dir });
  }, 180_000);
  afterAll(async () => {
    if (state.dir) await rm(state.dir, { recursive: true, force: true });
  });
  return state;
}
