/** The reconcile's repair rules: which stuck task gets which event again. */
import { expect, it } from 'vitest';
import type { Attempt } from '../../../shared/db/index.ts';
import { dueRepairs } from '../../../shared/pipeline/repair.ts';

const NOW = new Date('2026-11-22T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const row = (taskId: string, over: Partial<Attempt>): Attempt => ({
  specId: 's', taskId, attempt: 1, status: 'pending', worker: null, leaseToken: null, leaseExpiresAt: null, heartbeatAt: null, baseSha: null,
  diff: null, log: null, error: null, reason: null, createdAt: ago(1000), startedAt: null, finishedAt: null, timings: null, ...over,
});

it('re-sends only what has not moved for the stuck time, with the event that moves it on', () => {
  const tasks = [
    { id: 'no-row', status: 'assigned' as const, attempts: 1 },
    { id: 'fresh', status: 'assigned' as const, attempts: 1 },
    { id: 'old-pending', status: 'assigned' as const, attempts: 1 },
    { id: 'live', status: 'in-progress' as const, attempts: 1 },
    { id: 'dead', status: 'in-progress' as const, attempts: 1 },
    { id: 'diffed', status: 'diff-submitted' as const, attempts: 1 },
    { id: 'reviewing', status: 'in-review' as const, attempts: 1 },
    { id: 'failed', status: 'in-progress' as const, attempts: 1 },
    { id: 'done', status: 'completed' as const, attempts: 1 },
  ];
  const rows = [
    row('fresh', { createdAt: ago(10) }),
    row('old-pending', { createdAt: ago(200_000) }),
    row('live', { status: 'running', leaseExpiresAt: new Date(NOW.getTime() + 5000) }),
    row('dead', { status: 'running', leaseExpiresAt: ago(1) }),
    row('diffed', { status: 'succeeded', finishedAt: ago(200_000) }),
    row('reviewing', { status: 'succeeded', finishedAt: ago(200_000) }),
    row('failed', { status: 'failed', reason: 'timeout', finishedAt: ago(200_000) }),
    row('done', { status: 'succeeded', finishedAt: ago(200_000) }),
  ];
  expect(dueRepairs(tasks, rows, NOW, 120_000)).toEqual([
    { taskId: 'no-row', attempt: 1, send: 'task.assigned', createRow: true },
    { taskId: 'old-pending', attempt: 1, send: 'task.assigned', createRow: false },
    { taskId: 'dead', attempt: 1, send: 'task.assigned', createRow: false },
    { taskId: 'diffed', attempt: 1, send: 'diff.submitted', createRow: false },
    { taskId: 'reviewing', attempt: 1, send: 'review.requested', createRow: false },
    { taskId: 'failed', attempt: 1, send: 'task.failed', reason: 'timeout', createRow: false },
  ]);
});
