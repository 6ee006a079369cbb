import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { topoOrder } from '../../../shared/spec/graph.ts';
import { loadSpec } from '../../../shared/spec/loader.ts';
import type { Spec } from '../../../shared/spec/schema.ts';

const specsDir = fileURLToPath(new URL('../../../specs/', import.meta.url));
const SCHEMA_LINE = '# yaml-language-server: $schema=../spec.schema.json';

async function yamlFiles(folder: string): Promise<string[]> {
  return (await readdir(join(specsDir, folder))).filter((f) => f.endsWith('.yaml')).map((f) => join(specsDir, folder, f));
}

describe('templates and examples', () => {
  it('has the three templates and at least two examples', async () => {
    const names = (await yamlFiles('templates')).map((f) => f.split('/').pop());
    expect(names).toEqual(expect.arrayContaining(['feature.yaml', 'fix.yaml', 'refactor.yaml']));
    expect((await yamlFiles('examples')).length).toBeGreaterThanOrEqual(2);
  });

  it.each([['templates'], ['examples']])('every file in specs/%s validates and points editors at the schema', async (folder) => {
    for (const file of await yamlFiles(folder)) {
      const text = await readFile(file, 'utf8');
      expect(text.split('\n')[0], file).toBe(SCHEMA_LINE);
      const { spec } = await loadSpec(file);
      expect(spec.tasks.length, file).toBeGreaterThan(0);
      expect(spec.status, file).toBe('pending');
    }
  });

  it('text-utils shows dependencies and two independent tasks that own the same file', async () => {
    const { spec } = await loadSpec(join(specsDir, 'examples/text-utils.yaml'));
    const byId = new Map(spec.tasks.map((t) => [t.id, t]));
    expect(byId.get('index')?.dependsOn).toEqual(['slugify', 'truncate']);
    expect(byId.get('readme-a')?.files).toEqual(byId.get('readme-b')?.files);
    expect(byId.get('readme-a')?.dependsOn).not.toContain('readme-b');
    expect(byId.get('readme-b')?.dependsOn).not.toContain('readme-a');
  });
});

describe('the examples run without an LLM', () => {
  let work: string | undefined;
  afterEach(async () => {
    if (work) await rm(work, { recursive: true, force: true });
    work = undefined;
  });

  /** Runs each task's command agent and then the checks, in dependency order, in a scratch folder. */
  function runAll(spec: Spec, cwd: string): void {
    for (const task of topoOrder(spec.tasks)) {
      const agent = task.agent ?? spec.agent;
      if (agent?.kind !== 'command') throw new Error(`task ${task.id} has no command agent`);
      const [program, ...args] = agent.command;
      execFileSync(program!, args, { cwd, input: task.description ?? task.title, timeout: 20_000, stdio: ['pipe', 'ignore', 'pipe'] });
      for (const check of [...spec.checks, ...(task.checks ?? [])]) {
        const [cmd, ...cargs] = check.run;
        execFileSync(cmd!, cargs, { cwd, timeout: 20_000, stdio: ['ignore', 'ignore', 'pipe'] });
      }
    }
  }

  it('hello-script writes hello/hello.txt and its check passes', async () => {
    work = await mkdtemp(join(tmpdir(), 'nightshift-example-'));
    const { spec } = await loadSpec(join(specsDir, 'examples/hello-script.yaml'));
    runAll(spec, work);
    expect(await readFile(join(work, 'hello/hello.txt'), 'utf8')).toBe('hello from nightshift\n');
  });

  it('text-utils produces working helpers that meet the acceptance lines', async () => {
    work = await mkdtemp(join(tmpdir(), 'nightshift-example-'));
    const { spec } = await loadSpec(join(specsDir, 'examples/text-utils.yaml'));
    runAll(spec, work);
    const out = execFileSync(
      'node',
      ['-e', "const u = require('./text-utils/index.js'); console.log(JSON.stringify([u.slugify('Hello, World!'), u.truncate('abcdef', 4)]))"],
      { cwd: work, encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual(['hello-world', 'abc…']);
    expect(await readFile(join(work, 'README-text-utils.md'), 'utf8')).toBe(
      '- slugify(text): a URL-safe slug\n- truncate(text, max): at most max characters\n',
    );
  });
});
