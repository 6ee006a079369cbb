/** The project lead's pure decision: block, unblock, dispatch by dependencies and file ownership, and the outcome. */
import { describe, expect, it } from 'vitest';
import { filesOverlap, planTasks, type PlanTask } from '../../../shared/pipeline/plan.ts';

const t = (id: string, over: Partial<PlanTask> = {}): PlanTask => ({ id, status: 'pending', files: [`${id}.txt`], dependsOn: [], attempts: 0, ...over });

describe('planTasks', () => {
  it('dispatches the roots of a diamond, then the middle, then the tip', () => {
    const tasks = [t('a'), t('b', { dependsOn: ['a'] }), t('c', { dependsOn: ['a'] }), t('d', { dependsOn: ['b', 'c'] })];
    expect(planTasks(tasks).dispatch).toEqual([{ taskId: 'a', attempt: 1 }]);
    tasks[0]!.status = 'completed';
    expect(planTasks(tasks).dispatch.map((d) => d.taskId)).toEqual(['b', 'c']);
    tasks[1]!.status = 'completed';
    expect(planTasks(tasks).dispatch).toEqual([{ taskId: 'c', attempt: 1 }]);
    tasks[2]!.status = 'in-review';
    expect(planTasks(tasks).dispatch).toEqual([]);
    tasks[2]!.status = 'completed';
    expect(planTasks(tasks)).toMatchObject({ dispatch: [{ taskId: 'd', attempt: 1 }] });
    tasks[3]!.status = 'completed';
    expect(planTasks(tasks).outcome).toBe('completed');
  });

  it('never dispatches two tasks that own the same file, nor one whose file a running task owns', () => {
    const tasks = [t('a', { files: ['src/x.ts'] }), t('b', { files: ['src/x.ts'] }), t('c', { files: ['src/**/*.ts'] }), t('d')];
    expect(planTasks(tasks).dispatch.map((d) => d.taskId)).toEqual(['a', 'd']);
    tasks[0]!.status = 'in-progress';
    expect(planTasks(tasks).dispatch.map((d) => d.taskId)).toEqual(['d']);
    tasks[0]!.status = 'completed';
    expect(planTasks(tasks).dispatch.map((d) => d.taskId)).toEqual(['b', 'd']);
  });

  it('blocks the whole chain below a failed task in one pass, and ends the spec failed', () => {
    const tasks = [t('a', { status: 'failed', attempts: 3 }), t('b', { dependsOn: ['a'] }), t('c', { dependsOn: ['b'] }), t('d', { status: 'completed', attempts: 1 })];
    const plan = planTasks(tasks);
    expect(plan.block).toEqual([
      { taskId: 'b', because: 'dependency a failed' },
      { taskId: 'c', because: 'dependency b is blocked' },
    ]);
    expect(plan.dispatch).toEqual([]);
    expect(plan.outcome).toBe('failed');
  });

  it('unblocks and dispatches a task whose failed dependency was retried and completed', () => {
    const tasks = [t('a', { status: 'completed', attempts: 2 }), t('b', { status: 'blocked', dependsOn: ['a'] })];
    expect(planTasks(tasks)).toEqual({ block: [], unblock: ['b'], dispatch: [{ taskId: 'b', attempt: 1 }] });
  });

  it('starts a manual retry at the next attempt number', () => {
    expect(planTasks([t('a', { attempts: 2 })]).dispatch).toEqual([{ taskId: 'a', attempt: 3 }]);
  });

  it('has no outcome while anything is pending or running', () => {
    expect(planTasks([t('a', { status: 'failed' }), t('b', { status: 'in-progress' })]).outcome).toBeUndefined();
  });
});

describe('filesOverlap', () => {
  it.each([
    [['a.txt'], ['a.txt'], true],
    [['a.txt'], ['b.txt'], false],
    [['src/**'], ['src/deep/x.ts'], true],
    [['src/*.ts'], ['src/deep/x.ts'], false],
    [['docs/x.md'], ['docs/*.md'], true],
    [[], ['a.txt'], false],
  ])('%j vs %j -> %s', (a, b, want) => {
    expect(filesOverlap(a, b)).toBe(want);
  });
});
