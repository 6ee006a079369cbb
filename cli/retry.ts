/**
 * `nightshift retry <spec> <task>`: a person sends a failed task back to
 * `pending` (and a failed spec back to `in-progress`), with a changeLog note
 * saying who. Nothing else: the next reconcile (the watcher sees the write)
 * unblocks the dependents and dispatches attempt n+1, so the command needs no
 * database and no running dev runner. The write goes through
 * SpecStore.update (lock, atomic rename, comments kept), and the checks run
 * again under the lock, so a concurrent change cannot slip between them.
 *
 * Also the spec lookup that `nightshift cancel` shares.
 */
import { readdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { NightshiftError } from '../shared/errors.ts';
import { loadSpec } from '../shared/spec/loader.ts';
import type { Spec } from '../shared/spec/schema.ts';
import { SpecStore } from '../shared/spec/store.ts';
import { isSpecFileName, stripSpecExtension } from '../shared/watch/names.ts';

export interface SpecEditOptions {
  /** SPECS_DIR. */
  specsDir: string;
  /** Who is written into the changeLog. @default the OS user name */
  by?: string;
  /** Print JSON instead of sentences. @default false */
  json?: boolean;
  /** @default () => new Date() */
  clock?: () => Date;
}

/** The person running the command, for changeLog notes. */
export function whoAmI(): string {
  try {
    return userInfo().username || process.env.USER || 'someone';
  } catch {
    return process.env.USER ?? 'someone';
  }
}

/** The spec files of a folder that load, with their ids (unloadable files are skipped). */
async function specsIn(dir: string): Promise<{ file: string; spec: Spec }[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter(isSpecFileName).sort();
  const out: { file: string; spec: Spec }[] = [];
  for (const name of names) {
    const loaded = await loadSpec(path.join(dir, name)).catch(() => undefined);
    if (loaded) out.push({ file: path.join(dir, name), spec: loaded.spec });
  }
  return out;
}

const byRef = (ref: string) => (s: { file: string; spec: Spec }) => s.spec.id === ref || stripSpecExtension(path.basename(s.file)) === ref;

/**
 * The spec `ref` (an id, a file name without extension, or a path to a file
 * in active/) in `<specsDir>/active`. Throws SPEC_NOT_FOUND listing the active
 * specs, or ILLEGAL_TRANSITION when it is archived (completed for good).
 */
export async function findActiveSpec(specsDir: string, ref: string): Promise<{ file: string; spec: Spec }> {
  const activeDir = path.resolve(specsDir, 'active');
  const archiveDir = path.resolve(specsDir, 'archive');
  if (/\.ya?ml$/i.test(ref) || ref.includes('/') || ref.includes(path.sep)) {
    const abs = path.resolve(ref);
    if (abs.startsWith(archiveDir + path.sep)) throw archived(ref, abs);
    if (path.dirname(abs) !== activeDir) {
      throw new NightshiftError('SPEC_NOT_FOUND', `${ref} is not in ${activeDir}: only specs there run; give the spec's id or a file in that folder`);
    }
    try {
      return { file: abs, spec: (await loadSpec(abs)).spec };
    } catch (err) {
      throw new NightshiftError('SPEC_NOT_FOUND', `cannot read spec ${ref}: ${(err as Error).message}`, { cause: err });
    }
  }
  const active = await specsIn(activeDir);
  const hit = active.find(byRef(ref));
  if (hit) return hit;
  for (const month of (await readdir(archiveDir).catch(() => [] as string[])).sort().reverse()) {
    const old = (await specsIn(path.join(archiveDir, month))).find(byRef(ref));
    if (old) throw archived(ref, old.file);
  }
  const ids = active.map((s) => s.spec.id);
  throw new NightshiftError('SPEC_NOT_FOUND', `no spec "${ref}" in ${activeDir}; ${ids.length ? `the active specs are: ${ids.join(', ')}` : 'there are no active specs'}`, { details: { ids } });
}

function archived(ref: string, file: string): NightshiftError {
  return new NightshiftError('ILLEGAL_TRANSITION', `spec ${ref} is archived (${file}): it completed, and a completed spec is final; submit a new spec for more work`);
}

/** `id (status), ...` of a spec's tasks. */
export function taskList(spec: Pick<Spec, 'tasks'>): string {
  return spec.tasks.map((t) => `${t.id} (${t.status})`).join(', ');
}

/** Prints an expected failure (exit 1, 2 for configuration) the way the command was asked to. */
export function failWith(err: unknown, command: string, json: boolean | undefined): number {
  if (!(err instanceof NightshiftError)) throw err;
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } })}\n`);
  else process.stderr.write(`nightshift ${command}: ${err.message}\n`);
  return err.code === 'CONFIG_INVALID' ? 2 : 1;
}

/** Throws unless task `taskId` of `spec` exists and is failed. */
function checkRetryable(spec: Pick<Spec, 'id' | 'tasks'>, taskId: string): void {
  const task = spec.tasks.find((t) => t.id === taskId);
  if (!task) throw new NightshiftError('TASK_NOT_FOUND', `spec ${spec.id} has no task "${taskId}"; its tasks: ${taskList(spec)}`, { details: { tasks: spec.tasks.map((t) => ({ id: t.id, status: t.status })) } });
  if (task.status !== 'failed') {
    throw new NightshiftError('ILLEGAL_TRANSITION', `task ${taskId} of spec ${spec.id} is ${task.status}, not failed: only a failed task can be retried`, { details: { taskId, status: task.status } });
  }
}

export async function runRetry(specRef: string, taskId: string, opts: SpecEditOptions): Promise<number> {
  const by = opts.by ?? whoAmI();
  try {
    const found = await findActiveSpec(opts.specsDir, specRef);
    checkRetryable(found.spec, taskId);
    const store = new SpecStore({ root: opts.specsDir, by, ...(opts.clock ? { clock: opts.clock } : {}) });
    let specWasFailed = false;
    const result = await store.update(found.file, (d) => {
      checkRetryable(d.spec, taskId);
      const attempts = d.task(taskId).attempts;
      d.setTaskStatus(taskId, 'pending', { note: `retried by ${by}: attempt ${attempts + 1} comes next` });
      specWasFailed = d.spec.status === 'failed';
      if (specWasFailed) d.setSpecStatus('in-progress', `task ${taskId} retried by ${by}`);
    });
    const task = result.spec.tasks.find((t) => t.id === taskId)!;
    const blocked = result.spec.tasks.filter((t) => t.status === 'blocked' && t.dependsOn.includes(taskId)).map((t) => t.id);
    const next = task.attempts + 1;
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ ok: true, specId: result.spec.id, taskId, status: task.status, nextAttempt: next, specStatus: result.spec.status, blocked, file: result.file, by })}\n`);
      return 0;
    }
    const lines = [
      `task ${taskId} of spec ${result.spec.id} is pending again (it failed after ${task.attempts} attempt(s)); the next reconcile starts attempt ${next}.`,
      ...(specWasFailed ? [`spec ${result.spec.id} is in-progress again.`] : []),
      ...(blocked.length ? [`its dependents ${blocked.join(', ')} stay blocked until the reconcile sees it is no longer failed.`] : []),
      `the running \`nightshift dev\` or \`bridge\` picks the change up from ${path.relative(process.cwd(), result.file) || result.file}; if none runs, it starts when one does.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } catch (err) {
    return failWith(err, 'retry', opts.json);
  }
}
