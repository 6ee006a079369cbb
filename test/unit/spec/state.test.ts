import { describe, expect, it } from 'vitest';
import { NightshiftError } from '../../../shared/errors.ts';
import { computeProgress } from '../../../shared/spec/progress.ts';
import { SPEC_STATUSES, TASK_STATUSES, type SpecStatus, type TaskStatus } from '../../../shared/spec/schema.ts';
import { assertSpecMove, assertTaskMove, canMoveSpec, canMoveTask } from '../../../shared/spec/state.ts';

// The rules, written out again here from DESIGN.md so the test checks the table rather than copying it.
const LEGAL_TASK = new Set([
  'pending>assigned', 'assigned>in-progress', 'in-progress>diff-submitted', 'diff-submitted>in-review', 'in-review>completed',
  'pending>failed', 'assigned>failed', 'in-progress>failed', 'diff-submitted>failed', 'in-review>failed', 'blocked>failed',
  'failed>assigned', 'pending>blocked', 'blocked>pending',
  // A person retries a failed task (`nightshift retry`); the reconcile then dispatches its next attempt.
  'failed>pending',
]);
const LEGAL_SPEC = new Set([
  'pending>planning', 'planning>in-progress', 'in-progress>completed', 'in-progress>failed',
  'pending>rejected', 'planning>rejected', 'rejected>pending', 'failed>in-progress',
]);

describe('task state machine', () => {
  for (const from of TASK_STATUSES) {
    for (const to of TASK_STATUSES) {
      const legal = from === to || LEGAL_TASK.has(`${from}>${to}`);
      it(`${from} -> ${to} is ${legal ? 'allowed' : 'refused'}`, () => {
        expect(canMoveTask(from, to)).toBe(legal);
        const move = () => assertTaskMove('demo', 't1', from, to);
        if (legal) expect(move).not.toThrow();
        else expect(move).toThrow(`task t1 of spec demo: cannot go from ${from} to ${to}`);
      });
    }
  }

  it('says ILLEGAL_TRANSITION and lists where the task may go', () => {
    try {
      assertTaskMove('demo', 't1', 'completed', 'assigned');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(NightshiftError);
      expect((err as NightshiftError).code).toBe('ILLEGAL_TRANSITION');
      expect((err as NightshiftError).details).toMatchObject({ from: 'completed', to: 'assigned', allowed: [] });
    }
  });
});

describe('spec state machine', () => {
  for (const from of SPEC_STATUSES) {
    for (const to of SPEC_STATUSES) {
      const legal = from === to || LEGAL_SPEC.has(`${from}>${to}`);
      it(`${from} -> ${to} is ${legal ? 'allowed' : 'refused'}`, () => {
        expect(canMoveSpec(from as SpecStatus, to as SpecStatus)).toBe(legal);
        const move = () => assertSpecMove('demo', from, to);
        if (legal) expect(move).not.toThrow();
        else expect(move).toThrow(`spec demo: cannot go from ${from} to ${to}`);
      });
    }
  }
});

describe('computeProgress', () => {
  it('counts each state and rounds the percentage down', () => {
    const states: TaskStatus[] = ['pending', 'assigned', 'in-progress', 'diff-submitted', 'in-review', 'completed', 'completed', 'failed', 'blocked'];
    expect(computeProgress(states.map((status) => ({ status })))).toEqual({
      total: 9, completed: 2, inProgress: 4, failed: 1, blocked: 1, pending: 1, percentage: 22,
    });
  });

  it('reads 100 only when every task is completed, and 0 for no tasks', () => {
    expect(computeProgress([{ status: 'completed' }, { status: 'completed' }]).percentage).toBe(100);
    expect(computeProgress(Array.from({ length: 200 }, (_, i) => ({ status: i === 0 ? 'pending' : 'completed' }))).percentage).toBe(99);
    expect(computeProgress([])).toEqual({ total: 0, completed: 0, inProgress: 0, failed: 0, blocked: 0, pending: 0, percentage: 0 });
  });
});
