/**
 * The pieces of the plan reader on their own: dependency phrases in English
 * and Korean, files-list lines, ids, fenced code, the YAML writer and the
 * schema modeline.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { refsInLabel, refsInText } from '../../../shared/plan/deps.ts';
import { parseFileItem } from '../../../shared/plan/files.ts';
import { rebaseModeline, requestToSpec, schemaPathFor, slugify, specToYaml, planToSpec, parseArgvJson } from '../../../shared/plan/index.ts';
import { splitLines } from '../../../shared/plan/markdown.ts';
import { parseSpecText } from '../../../shared/spec/loader.ts';

const names = (refs: { text: string }[]): string[] => refs.map((r) => r.text);

describe('dependency phrases', () => {
  it.each([
    ['Run after Task 2.', ['Task 2']],
    ['This depends on Task 1 and Task 3.', ['Task 1', 'Task 3']],
    ['Needs tasks 2, 4 and 5 first', ['Task 2', 'Task 4', 'Task 5']],
    ['blocked by Tasks 1-3', ['Task 1', 'Task 2', 'Task 3']],
    ['Start once A1 is merged', ['A1']],
    ['Only after task-2 and task-4', ['task-2', 'task-4']],
    ['Task 1 이후에 진행한다.', ['Task 1']],
    ['이 작업은 작업 2에 의존한다.', ['Task 2']],
    ['작업 1과 작업 3이 완료된 후 시작', ['Task 1', 'Task 3']],
    ['A1 완료 후', ['A1']],
    ['after 2 hours of load testing', []],
    ['Task 2 후속 작업은 따로 한다', []],
    ['Wait for the build', []],
  ])('%s', (text, expected) => {
    expect(names(refsInText(text, 1))).toEqual(expected);
  });

  it('labels read bare numbers and ids, treat "none" / "없음" as nothing, and report what they cannot read', () => {
    expect(names(refsInLabel('A1, B2', 1).refs)).toEqual(['A1', 'B2']);
    expect(names(refsInLabel('1, 3', 1).refs)).toEqual(['Task 1', 'Task 3']);
    expect(refsInLabel('작업 1, 작업 2', 1).refs.map((r) => r.number)).toEqual(['1', '2']);
    expect(refsInLabel('none', 1)).toEqual({ refs: [] });
    expect(refsInLabel('없음', 1)).toEqual({ refs: [] });
    expect(refsInLabel('the database migration', 4)).toEqual({ refs: [], unread: 'the database migration' });
    expect(refsInLabel('A1', 1).refs[0]).toMatchObject({ id: 'a1', strict: true });
  });
});

describe('files-list lines', () => {
  it.each([
    ['Create: `src/a.ts`', 'owned', ['src/a.ts']],
    ['Modify: `src/b.ts:123-145`', 'owned', ['src/b.ts']],
    ['Test: tests/test_b.py', 'owned', ['tests/test_b.py']],
    ['생성: `src/알림.ts`', 'owned', ['src/알림.ts']],
    ['수정: `./src/config.ts`, `src/index.ts`', 'owned', ['src/config.ts', 'src/index.ts']],
    ['테스트: `test/a.test.ts`', 'owned', ['test/a.test.ts']],
    ['Read: `docs/design.md`', 'read', ['docs/design.md']],
    ['`package.json` (add the script)', undefined, ['package.json']],
    ['Modify: `src/x.ts` (add `parse()` and `npm test`)', 'owned', ['src/x.ts']],
  ])('%s', (line, kind, paths) => {
    const item = parseFileItem(line);
    expect(item.kind).toBe(kind);
    expect(item.paths).toEqual(paths);
    expect(item.bad).toEqual([]);
  });

  it('keeps paths that leave the repository out, with the reason', () => {
    expect(parseFileItem('Modify: `../x.ts`, `~/y`, `C:/z`').bad.map((b) => b.path)).toEqual(['../x.ts', '~/y', 'C:/z']);
    expect(parseFileItem('Create:')).toMatchObject({ kind: 'owned', paths: [], bare: true });
  });
});

describe('ids, markdown and the YAML writer', () => {
  it('slugifies titles; a title with no latin letters gives nothing', () => {
    expect(slugify('Export reports as CSV!')).toBe('export-reports-as-csv');
    expect(slugify('Café déjà vu')).toBe('cafe-deja-vu');
    expect(slugify('댓글 알림')).toBe('');
    expect(slugify('a'.repeat(30) + ' ' + 'b'.repeat(30)).length).toBeLessThanOrEqual(48);
  });

  it('marks fenced code, so a `#` in a snippet is not a heading', () => {
    const lines = splitLines('# T\n```sh\n# comment\n```\n~~~\n### x\n~~~\ntext');
    expect(lines.map((l) => l.inCode)).toEqual([false, true, true, true, true, true, true, false]);
    const { spec } = planToSpec('# T\n\n### Task 1: A\n\n```md\n### Task 2: not a task\n```\n');
    expect(spec.tasks.map((t) => t.id)).toEqual(['task-1']);
  });

  it('writes the modeline, flow lists and the agent and checks; the text loads', () => {
    const { spec, reasons } = planToSpec('# T\n### Task 1: A\nFiles: `a.ts`\n### Task 2: B\nFiles: `a.ts`\n', {
      agentCommand: ['node', 'agent.mjs'],
      checks: [['npm', 'test']],
    });
    const yaml = specToYaml(spec, { schema: '../spec.schema.json', header: ['made in a test'], reasons });
    expect(yaml.split('\n').slice(0, 2)).toEqual(['# yaml-language-server: $schema=../spec.schema.json', '# made in a test']);
    expect(yaml).toContain('  command: [node, agent.mjs]\n');
    expect(yaml).toContain('    run: [npm, test]\n');
    expect(yaml).toContain('    dependsOn: [task-1] # task-1: both own a.ts\n');
    const { spec: loaded } = parseSpecText(yaml, 't.yaml');
    expect(loaded.agent).toEqual({ kind: 'command', command: ['node', 'agent.mjs'] });
    expect(loaded.checks).toEqual([{ name: 'npm test', run: ['npm', 'test'] }]);
  });

  it('makes a one-task spec from a request', () => {
    const spec = requestToSpec('  Add a --verbose flag to the CLI\nIt should print every step.  ', { repoPath: '../..' });
    expect(spec).toMatchObject({ id: 'add-a-verbose-flag-to-the-cli', title: 'Add a --verbose flag to the CLI', repo: { path: '../..', base: 'main' } });
    expect(spec.tasks).toEqual([{ id: 'task-1', title: 'Add a --verbose flag to the CLI', description: 'Add a --verbose flag to the CLI\nIt should print every step.' }]);
    expect(() => requestToSpec('   ', { repoPath: '.' })).toThrow(/-m needs the request/);
    expect(() => parseArgvJson('npm test', '--check')).toThrow(/--check must be a JSON array of words/);
    expect(parseArgvJson('["npm","test"]', '--check')).toEqual(['npm', 'test']);
  });
});

describe('the schema modeline', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('points at the nearest spec.schema.json, in a specs/ folder or beside; none when there is none', async () => {
    dir = await mkdtemp(join(tmpdir(), 'nightshift-plan-'));
    await mkdir(join(dir, 'proj', 'specs', 'active'), { recursive: true });
    await writeFile(join(dir, 'proj', 'specs', 'spec.schema.json'), '{}');
    expect(schemaPathFor(join(dir, 'proj', 'specs', 'active', 'x.yaml'))).toBe('../spec.schema.json');
    expect(schemaPathFor(join(dir, 'proj', 'x.yaml'))).toBe('specs/spec.schema.json');
    expect(schemaPathFor(join(dir, 'proj', 'docs', 'plans', 'x.yaml'))).toBe('../../specs/spec.schema.json');
    expect(schemaPathFor(join(dir, 'elsewhere', 'x.yaml'))).toBeUndefined();

    const text = '# yaml-language-server: $schema=specs/spec.schema.json\nid: x\n';
    expect(rebaseModeline(text, join(dir, 'proj', 'x.yaml'), join(dir, 'proj', 'specs', 'active', 'x.yaml'))).toBe('# yaml-language-server: $schema=../spec.schema.json\nid: x\n');
    expect(rebaseModeline('id: x\n', join(dir, 'proj', 'x.yaml'), join(dir, 'y.yaml'))).toBe('id: x\n');
  });
});
