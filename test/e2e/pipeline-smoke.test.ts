/**
 * The smallest pipeline run: one task whose script agent writes a file and
 * whose check passes, landed as one squash commit with its trailers.
 */
import { afterEach, expect, it } from 'vitest';
import { containsCheck, scriptAgent, startWorld, type World } from '../helpers/pipeline-world.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

it('lands one task as one squash commit on nightshift/<spec>', async () => {
  world = await startWorld();
  await world.drop({
    id: 'one',
    title: 'One task',
    repo: { path: world.repo, base: 'main' },
    agent: scriptAgent({ writes: { 'hello.txt': 'hello from {task}\n' } }),
    tasks: [{ id: 'hello', title: 'Write hello', files: ['hello.txt'], checks: [containsCheck('has hello', 'hello.txt', 'hello')] }],
  });
  const spec = await world.waitFor('one', ['completed', 'failed'], 30_000);
  expect(spec.status).toBe('completed');
  const log = world.git(['log', '--format=%s%n%b%x00', 'nightshift/one']);
  expect(log).toContain('Write hello');
  expect(log).toContain('Task-Id: hello');
  expect(world.git(['show', 'nightshift/one:hello.txt'])).toBe('hello from hello\n');
  expect(world.git(['rev-parse', 'main'])).toBe(world.git(['rev-parse', 'nightshift/one~1']));
});
