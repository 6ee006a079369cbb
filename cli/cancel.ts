/**
 * `nightshift cancel <spec>`: stops a spec for good, by a person. Every task
 * that is not completed (or failed already) goes to `failed` with lastError
 * "cancelled by <who> at <time>", and the spec to `failed` with the note
 * "cancelled". Agents that are running finish, but the handlers drop their
 * results: every stage re-reads the task and ignores one that is `failed`.
 * Completed work stays on the branch. Like retry, it writes only the spec
 * file, through SpecStore.update, and needs no database or runner;
 * `nightshift retry` brings a cancelled task back.
 */
import path from 'node:path';
import { NightshiftError } from '../shared/errors.ts';
import type { Spec } from '../shared/spec/schema.ts';
import { SpecStore } from '../shared/spec/store.ts';
import { failWith, findActiveSpec, whoAmI, type SpecEditOptions } from './retry.ts';

/** Throws unless the spec is in a state that can be cancelled. */
function checkCancellable(spec: Pick<Spec, 'id' | 'status'>, file: string): void {
  if (spec.status === 'completed') throw new NightshiftError('ILLEGAL_TRANSITION', `spec ${spec.id} is completed: there is nothing to cancel`);
  if (['pending', 'planning', 'rejected'].includes(spec.status)) {
    throw new NightshiftError('ILLEGAL_TRANSITION', `spec ${spec.id} is ${spec.status}: no task has started; to stop it, move or delete ${file}`, { details: { status: spec.status } });
  }
}

export async function runCancel(specRef: string, opts: SpecEditOptions): Promise<number> {
  const by = opts.by ?? whoAmI();
  const clock = opts.clock ?? (() => new Date());
  try {
    const found = await findActiveSpec(opts.specsDir, specRef);
    checkCancellable(found.spec, found.file);
    const store = new SpecStore({ root: opts.specsDir, by, clock });
    const at = clock().toISOString();
    let cancelled: string[] = [];
    const result = await store.update(found.file, (d) => {
      checkCancellable(d.spec, found.file);
      cancelled = [];
      for (const t of d.spec.tasks) {
        if (t.status === 'completed' || t.status === 'failed') continue;
        d.setTaskStatus(t.id, 'failed', { lastError: `cancelled by ${by} at ${at}`, note: 'cancelled' });
        cancelled.push(t.id);
      }
      if (d.spec.status !== 'failed') d.setSpecStatus('failed', 'cancelled');
      else if (cancelled.length > 0) d.addNote('cancelled');
    });
    const done = result.spec.tasks.filter((t) => t.status === 'completed').map((t) => t.id);
    const failedBefore = result.spec.tasks.filter((t) => t.status === 'failed' && !cancelled.includes(t.id)).map((t) => t.id);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ ok: true, specId: result.spec.id, changed: result.changed, cancelled, completed: done, failedBefore, specStatus: result.spec.status, file: result.file, by })}\n`);
      return 0;
    }
    const lines = result.changed
      ? [
          `cancelled spec ${result.spec.id}: ${cancelled.length ? `${cancelled.length} task(s) marked failed (${cancelled.join(', ')})` : 'no task was still open'}; the spec is failed.`,
          ...(done.length ? [`kept ${done.length} completed task(s) (${done.join(', ')}): their commits stay on nightshift/${result.spec.id}.`] : []),
          'agents that are running now finish, but their results are dropped.',
          `\`nightshift retry ${result.spec.id} <task>\` runs a task again. (${path.relative(process.cwd(), result.file) || result.file})`,
        ]
      : [`spec ${result.spec.id} is already failed with no open task: nothing to cancel.`];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } catch (err) {
    return failWith(err, 'cancel', opts.json);
  }
}
