/**
 * Two review-diff runs land on the same branch at the same moment: one wins
 * the compare-and-swap, the other finds the branch moved, integrates its diff
 * again onto the winner's commit, checks it again and lands on top. No commit
 * is lost or duplicated. The spec's check (run by review-diff on each
 * candidate) holds both reviews until both are waiting in it.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { landedTasks, scriptAgent, startWorld, type World } from '../helpers/pipeline-world.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const WAIT = "const fs = require('node:fs'); const m = process.argv[1]; const t = Date.now(); (function w() { if (fs.existsSync(m)) process.exit(0); if (Date.now() - t > 60000) process.exit(1); setTimeout(w, 20); })();";

it('lands both of two racing reviews, the loser re-integrated onto the winner', async () => {
  world = await startWorld();
  const gate = join(world.dir, 'gate');
  await world.drop({
    id: 'race',
    title: 'Two reviews at once',
    repo: { path: world.repo, base: 'main' },
    checks: [{ name: 'wait for the gate', run: [process.execPath, '-e', WAIT, gate] }],
    tasks: ['left', 'right'].map((id) => ({ id, title: `Task ${id}`, files: [`${id}.txt`], checks: [], agent: scriptAgent({ writes: { [`${id}.txt`]: `${id}\n` } }) })),
  });
  // Both candidates are being checked (a review workspace each) before the gate opens.
  const until = Date.now() + 60_000;
  const reviewing = async () => (await readdir(join(world!.dir, 'workspaces', 'race')).catch(() => [] as string[])).filter((d) => d.includes('.review-'));
  while (Date.now() < until && (await reviewing()).length < 2) await new Promise((r) => setTimeout(r, 20));
  expect(await reviewing()).toHaveLength(2);
  await writeFile(gate, '');

  const spec = await world.waitFor('race', ['completed', 'failed']);
  expect(spec.status).toBe('completed');
  const landed = landedTasks(world.git, 'nightshift/race');
  expect(landed.map((t) => t[1]).sort()).toEqual(['left', 'right']);
  const [first, second] = landed.map((t) => t[1]!);
  const base = world.git(['rev-parse', 'main']).trim();
  const parent = (ref: string) => world!.git(['rev-parse', `${ref}^`]).trim();
  // The winner's candidate was built on main; the loser's candidate was rebuilt on the winner's commit.
  expect(parent(`refs/nightshift/candidates/race/${first}/1`)).toBe(base);
  expect(parent(`refs/nightshift/candidates/race/${second}/1`)).toBe(world.git(['rev-parse', `refs/nightshift/landed/race/${first}`]).trim());
  expect(world.git(['show', 'nightshift/race:left.txt'])).toBe('left\n');
  expect(world.git(['show', 'nightshift/race:right.txt'])).toBe('right\n');
}, 120_000);
