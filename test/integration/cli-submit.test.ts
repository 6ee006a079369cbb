/**
 * `nightshift submit` and `nightshift plan import` as a person runs them: the
 * real CLI as a child process in a temp project (a specs/ folder with the
 * schema, a real git repository), asserting on the files left behind.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSpec, parseSpecText } from '../../shared/spec/loader.ts';
import { ROOT, runCli, stopCliProcesses } from '../helpers/cli-process.ts';

const PLANS = join(ROOT, 'test', 'fixtures', 'plans');

/** A hand-written spec at the project root: a comment, a modeline and a repo path relative to this file. */
const HAND_SPEC = `# yaml-language-server: $schema=specs/spec.schema.json
id: hand-spec
title: Tidy the README   # a comment that must survive
repo:
  path: repo
  base: main
tasks:
  - id: tidy
    title: Tidy the README
    files: [README.md]
`;

let tmp: string | undefined;
afterEach(async () => {
  await stopCliProcesses();
  if (tmp) await rm(tmp, { recursive: true, force: true, maxRetries: 5 });
  tmp = undefined;
});

/** A project: specs/ with the schema and an empty active/, and repo/ (git init). */
async function project(): Promise<string> {
  tmp = await mkdtemp(join(tmpdir(), 'nightshift-submit-'));
  await mkdir(join(tmp, 'specs', 'active'), { recursive: true });
  await copyFile(join(ROOT, 'specs', 'spec.schema.json'), join(tmp, 'specs', 'spec.schema.json'));
  execFileSync('git', ['init', '-q', join(tmp, 'repo')]);
  return tmp;
}

const active = (dir: string): Promise<string[]> => readdir(join(dir, 'specs', 'active')).then((l) => l.sort());

describe('nightshift submit', () => {
  it('places a spec file under its id, rebasing repo.path and the modeline and keeping comments, then refuses the same id', async () => {
    const dir = await project();
    await writeFile(join(dir, 'hand.yaml'), HAND_SPEC);
    const run = await runCli(['submit', 'hand.yaml'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('hand-spec\n');
    expect(run.stderr).toContain(`placed ${join(dir, 'specs', 'active', 'hand-spec.yaml')} (1 task)`);
    expect(await active(dir)).toEqual(['hand-spec.yaml']);
    const placed = await readFile(join(dir, 'specs', 'active', 'hand-spec.yaml'), 'utf8');
    expect(placed).toBe(HAND_SPEC.replace('$schema=specs/', '$schema=../').replace('path: repo', 'path: ../../repo'));
    const { spec } = await loadSpec(join(dir, 'specs', 'active', 'hand-spec.yaml'));
    expect(spec.repo.path).toBe('../../repo');

    const again = await runCli(['submit', 'hand.yaml'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/a spec with id 'hand-spec' is already in .*; give this one another id/);
    expect(await readFile(join(dir, 'specs', 'active', 'hand-spec.yaml'), 'utf8')).toBe(placed);
    expect(await active(dir)).toEqual(['hand-spec.yaml']);
  }, 60_000);

  it('gives a spec without an id one from its title, and a suffixed one when two race for it', async () => {
    const dir = await project();
    await writeFile(join(dir, 'noid.yaml'), HAND_SPEC.replace('id: hand-spec\n', ''));
    const [a, b] = await Promise.all([runCli(['submit', 'noid.yaml'], { cwd: dir }), runCli(['submit', 'noid.yaml', '--json'], { cwd: dir })]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const ids = [a.stdout.trim(), (JSON.parse(b.stdout) as { id: string }).id].sort();
    expect(ids[0]).toBe('tidy-the-readme');
    expect(ids[1]).toMatch(/^tidy-the-readme-[0-9a-f]{4}$/);
    expect(await active(dir)).toEqual(ids.map((id) => `${id}.yaml`).sort());
    for (const id of ids) {
      const text = await readFile(join(dir, 'specs', 'active', `${id}.yaml`), 'utf8');
      expect(text.split('\n').slice(0, 2)).toEqual(['# yaml-language-server: $schema=../spec.schema.json', `id: ${id}`]);
      expect((await loadSpec(join(dir, 'specs', 'active', `${id}.yaml`))).spec.id).toBe(id);
    }
  }, 60_000);

  it('imports a plan.md and places it, with --json', async () => {
    const dir = await project();
    const plan = join(PLANS, 'en-shared-file.md');
    const run = await runCli(['submit', plan, '--repo', 'repo', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { id: string; file: string; tasks: number; warnings: unknown[] };
    expect(out).toEqual({ id: 'cli-flags-for-the-importer', file: join(dir, 'specs', 'active', 'cli-flags-for-the-importer.yaml'), tasks: 6, warnings: [] });
    const text = await readFile(out.file, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../spec.schema.json');
    const { spec } = await loadSpec(out.file);
    expect(spec.repo).toEqual({ path: '../../repo', base: 'main' });
    expect(spec.tasks.find((t) => t.id === 'task-4')?.dependsOn).toEqual(['task-2', 'task-3']);
  }, 60_000);

  it('makes a one-task spec from -m with an agent and a check', async () => {
    const dir = await project();
    const run = await runCli(
      ['submit', '-m', 'Add a --verbose flag to the CLI', '--repo', 'repo', '--agent-command', '["node","agent.mjs"]', '--check', '["npm","test"]'],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('add-a-verbose-flag-to-the-cli\n');
    const { spec } = await loadSpec(join(dir, 'specs', 'active', 'add-a-verbose-flag-to-the-cli.yaml'));
    expect(spec.agent).toEqual({ kind: 'command', command: ['node', 'agent.mjs'] });
    expect(spec.checks).toEqual([{ name: 'npm test', run: ['npm', 'test'] }]);
    expect(spec.tasks).toMatchObject([{ id: 'task-1', title: 'Add a --verbose flag to the CLI', description: 'Add a --verbose flag to the CLI' }]);
    expect(spec.repo.path).toBe('../../repo');
  }, 60_000);

  it('an invalid spec exits 1 with every problem as file:line:column: field: message, and places nothing', async () => {
    const dir = await project();
    const bad = HAND_SPEC.replace('id: hand-spec\n', '').replace('    files: [README.md]\n', '    files: [../README.md]\n    dependsOn: [ghost]\n');
    await writeFile(join(dir, 'bad.yaml'), bad);
    const run = await runCli(['submit', 'bad.yaml'], { cwd: dir });
    expect(run.code).toBe(1);
    // Lines are those of the user's file, even though an id was added before checking.
    expect(run.stderr).toContain('bad.yaml:9:13: tasks[0].files[0]: path \'../README.md\' has a \'..\' segment');
    expect(run.stderr).toContain("bad.yaml:10:17: tasks[0].dependsOn[0]: unknown task 'ghost'");
    expect(run.stderr).toContain('nothing was placed');
    expect(await active(dir)).toEqual([]);

    const json = await runCli(['submit', 'bad.yaml', '--json'], { cwd: dir });
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { ok: boolean; problems: string[] }).problems).toHaveLength(2);
  }, 60_000);

  it('says what to do for a missing file, a bad --repo, a missing specs folder, and usage errors (exit 2)', async () => {
    const dir = await project();
    const missing = await runCli(['submit', 'nope.yaml'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^nightshift: spec nope\.yaml does not exist; check the path/m);

    const badRepo = await runCli(['submit', '-m', 'Do it', '--repo', 'no-such-repo'], { cwd: dir });
    expect(badRepo.code).toBe(1);
    expect(badRepo.stderr).toContain(`--repo no-such-repo: ${join(dir, 'no-such-repo')} does not exist; pass the folder of the git repository`);

    const noSpecs = await runCli(['submit', '-m', 'Do it', '--repo', 'repo', '--specs-dir', 'elsewhere'], { cwd: dir });
    expect(noSpecs.code).toBe(1);
    expect(noSpecs.stderr).toContain('does not exist; run nightshift in the project root, or pass --specs-dir');

    const noRepo = await runCli(['submit', '-m', 'Do it'], { cwd: dir });
    expect(noRepo.code).toBe(2);
    expect(noRepo.stderr).toContain('-m needs --repo <path>');
    const nothing = await runCli(['submit'], { cwd: dir });
    expect(nothing.code).toBe(2);
    const specWithRepo = await runCli(['submit', 'hand.yaml', '--repo', 'repo'], { cwd: dir });
    expect(specWithRepo.code).toBe(2);
    expect(specWithRepo.stderr).toContain('--repo applies to a plan or -m');
    expect(await active(dir)).toEqual([]);
  }, 90_000);
});

describe('nightshift plan import', () => {
  it('-o writes a spec that loads, with the modeline and repo.path relative to it; refuses to overwrite without --force', async () => {
    const dir = await project();
    const out = join(dir, 'plans', 'ko.yaml');
    const run = await runCli(['plan', 'import', join(PLANS, 'ko-notifications.md'), '-o', 'plans/ko.yaml', '--repo', 'repo', '--base', 'develop'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('wrote plans/ko.yaml (spec ko-notifications, 4 tasks); submit it with: nightshift submit plans/ko.yaml\n');
    expect(run.stderr).toMatch(/ko-notifications\.md:65: warning: section '배포'/);
    const text = await readFile(out, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../specs/spec.schema.json');
    const { spec } = await loadSpec(out);
    expect(spec.repo).toEqual({ path: '../repo', base: 'develop' });
    expect(spec.tasks.map((t) => [t.id, t.dependsOn])).toEqual([
      ['task-1', []], ['task-2', ['task-1']], ['task-3', ['task-1', 'task-2']], ['task-4', ['task-3']],
    ]);

    const again = await runCli(['plan', 'import', join(PLANS, 'ko-notifications.md'), '-o', 'plans/ko.yaml', '--repo', 'repo'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('plans/ko.yaml already exists; choose another -o, or add --force');
    expect(await readFile(out, 'utf8')).toBe(text);
    const forced = await runCli(['plan', 'import', join(PLANS, 'ko-notifications.md'), '-o', 'plans/ko.yaml', '--repo', 'repo', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect((await loadSpec(out)).spec.repo.base).toBe('main');

    // The file it wrote is a spec `submit` takes as it is.
    const submitted = await runCli(['submit', 'plans/ko.yaml'], { cwd: dir });
    expect(submitted.code).toBe(0);
    expect((await loadSpec(join(dir, 'specs', 'active', 'ko-notifications.yaml'))).spec.repo.path).toBe('../../repo');
  }, 90_000);

  it('prints the spec to stdout and the warnings to stderr with plan line numbers', async () => {
    const dir = await project();
    const run = await runCli(['plan', 'import', join(PLANS, 'problems.md'), '--repo', 'repo', '--id', 'with-problems'], { cwd: dir });
    expect(run.code).toBe(0);
    const { spec } = parseSpecText(run.stdout, '<stdout>');
    expect(spec.id).toBe('with-problems');
    expect(spec.repo.path).toBe('repo');
    const warnings = run.stderr.trim().split('\n');
    expect(warnings).toHaveLength(6);
    expect(warnings[0]).toBe(`${join(PLANS, 'problems.md')}:9: warning: task-1: file '../shared/outside.ts' left out: path '../shared/outside.ts' has a '..' segment and could leave the repository`);
    expect(warnings[3]).toContain(":13: warning: task-1 depends on 'Task 7', but no task in this plan is called that");
  }, 60_000);

  it('--json prints {spec, warnings}', async () => {
    const dir = await project();
    const run = await runCli(['plan', 'import', join(PLANS, 'en-phases-streams.md'), '--repo', 'repo', '--json', '--agent-command', '["claude","-p"]'], { cwd: dir });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { spec: { id: string; agent: unknown; tasks: { id: string; dependsOn?: string[] }[] }; warnings: unknown[] };
    expect(out.warnings).toEqual([]);
    expect(out.spec.id).toBe('search-service-implementation-plan');
    expect(out.spec.agent).toEqual({ kind: 'command', command: ['claude', '-p'] });
    expect(out.spec.tasks.map((t) => [t.id, t.dependsOn ?? []])).toEqual([
      ['a1', []], ['a2', ['a1']], ['b1', []], ['b2', ['b1']], ['c1', ['a2', 'b2']], ['c2', ['a2', 'b2']],
    ]);
  }, 60_000);

  it('fails with what to do: a plan without tasks, a missing plan, a bad --repo, a bad --agent-command', async () => {
    const dir = await project();
    const noTasks = await runCli(['plan', 'import', join(PLANS, 'no-tasks.md'), '--repo', 'repo'], { cwd: dir });
    expect(noTasks.code).toBe(1);
    expect(noTasks.stderr).toContain("no tasks found. Give each task a heading such as '### Task 1: Add the parser'");
    expect(noTasks.stdout).toBe('');

    const missing = await runCli(['plan', 'import', 'nope.md'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('plan nope.md does not exist');

    await writeFile(join(dir, 'repo', 'README.md'), 'a file, not a folder\n');
    const badRepo = await runCli(['plan', 'import', join(PLANS, 'en-csv-export.md'), '--repo', 'repo/README.md'], { cwd: dir });
    expect(badRepo.code).toBe(1);
    expect(badRepo.stderr).toContain(`--repo repo/README.md: ${join(dir, 'repo', 'README.md')} is not a folder; pass the folder of the git repository`);

    const notGit = await runCli(['plan', 'import', join(PLANS, 'en-csv-export.md'), '--repo', 'specs'], { cwd: dir });
    expect(notGit.code).toBe(0);
    expect(notGit.stderr).toContain(`warning: ${join(dir, 'specs')} is not the root of a git repository (no .git)`);

    const badAgent = await runCli(['plan', 'import', join(PLANS, 'en-csv-export.md'), '--repo', 'repo', '--agent-command', 'claude -p'], { cwd: dir });
    expect(badAgent.code).toBe(1);
    expect(badAgent.stderr).toContain('--agent-command must be a JSON array of words');
  }, 90_000);

  it('--help lists both commands', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\s+plan\b/m);
    expect(run.stdout).toMatch(/^\s+submit\b/m);
  }, 60_000);
});
