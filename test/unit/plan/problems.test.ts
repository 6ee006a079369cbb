/**
 * What the importer refuses and what it reports instead of dropping silently:
 * a plan with no tasks is an error that says how to write one; unknown
 * dependencies, paths that leave the repository, unreadable lines, unplaced
 * sections and refused cycles are warnings with the plan's line numbers.
 */
import { describe, expect, it } from 'vitest';
import { NightshiftError } from '../../../shared/errors.ts';
import { planToSpec } from '../../../shared/plan/index.ts';
import { SpecInvalidError } from '../../../shared/spec/problems.ts';
import { importFixture, planText, shape } from './helpers.ts';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('plan import: problems', () => {
  it('a plan with no task headings is SPEC_INVALID with an example of a task heading', () => {
    const err = thrown(() => planToSpec(planText('no-tasks.md'), { file: 'no-tasks.md' }));
    expect(err).toBeInstanceOf(NightshiftError);
    expect((err as NightshiftError).code).toBe('SPEC_INVALID');
    expect((err as Error).message).toMatch(/^no-tasks\.md: no tasks found\. Give each task a heading such as '### Task 1: Add the parser'/);
    expect((err as Error).message).toContain('### 작업 1:');
    expect(thrown(() => planToSpec(''))).toBeInstanceOf(NightshiftError);
  });

  it('unknown dependencies, escaping paths, lines without a path and unplaced sections are warnings with line numbers', () => {
    const { imported, loaded } = importFixture('problems.md');
    expect(shape(loaded)).toEqual({
      'task-1': { files: ['src/parser.ts'], dependsOn: [] },
      'task-2': { files: ['src/printer.ts'], dependsOn: ['task-1'] },
    });
    expect(imported.warnings).toEqual([
      { line: 9, message: "task-1: file '../shared/outside.ts' left out: path '../shared/outside.ts' has a '..' segment and could leave the repository" },
      { line: 10, message: "task-1: file '/etc/passwd' left out: path '/etc/passwd' is absolute; write it relative to the repository root" },
      { line: 11, message: "task-1: no file path found in the files list line 'Create: a new module for the lexer'; put the path in backticks" },
      { line: 13, message: "task-1 depends on 'Task 7', but no task in this plan is called that; the dependency was left out" },
      { line: 17, message: "task-2: could not read 'the parser rewrite' as task names (write 'Task 2' or the id of an 'A1 | title' heading)" },
      { line: 22, message: "section 'Open questions' is not a task, a phase or context, and comes after the tasks: its 1 line was left out" },
    ]);
  });

  it('a dependency cycle written in the plan is broken at the edge that closes it, with a warning', () => {
    const plan = '# Cycle\n\n### Task 1: A\n\nDepends on: Task 2\n\n### Task 2: B\n\nDepends on: Task 1\n';
    const { spec, warnings } = planToSpec(plan);
    expect(spec.tasks.map((t) => [t.id, t.dependsOn ?? []])).toEqual([['task-1', ['task-2']], ['task-2', []]]);
    expect(warnings).toEqual([{ line: 9, message: 'task-2 depends on task-1, which already waits for task-2: that is a cycle, so this dependency was left out' }]);
  });

  it('a repeated task number gets a suffix; `Task N` resolves inside its own phase', () => {
    const plan = [
      '# Two phases', '', '## Phase 1', '', '### Task 1: Schema', '', '### Task 2: Seed', '', 'After Task 1.',
      '', '## Phase 2', '', '### Task 1: API', '', '### Task 2: UI', '', 'After Task 1.',
    ].join('\n');
    const { spec, warnings } = planToSpec(plan);
    expect(spec.tasks.map((t) => [t.id, t.dependsOn ?? []])).toEqual([
      ['task-1', []],
      ['task-2', ['task-1']],
      ['task-1-2', ['task-2']],
      ['task-2-2', ['task-1-2']],
    ]);
    expect(warnings.map((w) => w.line)).toEqual([13, 15]);
    expect(warnings[0]!.message).toContain('task id task-1 is used twice; this one is task-1-2');
  });

  it('no title: the spec is named after the file, with a warning; an invalid --id is BAD_REQUEST', () => {
    const { spec, warnings } = planToSpec('### Task 1: Only task\n', { file: 'docs/plans/tiny-plan.md' });
    expect(spec.title).toBe('Plan tiny-plan');
    expect(spec.id).toBe('plan-tiny-plan');
    expect(warnings).toEqual([{ line: 1, message: "the plan has no '# Title' heading; the spec is titled 'Plan tiny-plan'" }]);
    const err = thrown(() => planToSpec('### Task 1: x\n', { id: 'Bad Id' }));
    expect((err as NightshiftError).code).toBe('BAD_REQUEST');
  });

  it('a base that is not a branch name fails validation naming the plan and the field', () => {
    const err = thrown(() => planToSpec('# T\n### Task 1: x\n', { file: 'p.md', base: 'feature branch' }));
    expect(err).toBeInstanceOf(SpecInvalidError);
    expect((err as SpecInvalidError).problems).toEqual([expect.objectContaining({ file: 'p.md', field: 'repo.base' })]);
  });
});
