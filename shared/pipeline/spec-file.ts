/**
 * From an event's ping to the spec it names: the path is checked to stay in
 * the specs folder (an event is input, and input may be hostile), the spec
 * is read fresh from disk (the truth), and the target repository is resolved.
 */
import path from 'node:path';
import { NightshiftError } from '../errors.ts';
import type { FunctionContext, NsEvent } from '../runtime/types.ts';
import { SpecInvalidError, type ParsedSpec } from '../spec/loader.ts';
import type { Spec, Task, TaskStatus } from '../spec/schema.ts';
import { taskRefOf, type TaskRef } from './emit.ts';
import type { Services } from './services.ts';

/** The services of a pipeline handler; INTERNAL when the host gave none. */
export function servicesOf(ctx: FunctionContext): Services {
  if (!ctx.services) throw new NightshiftError('INTERNAL', 'this host runs pipeline handlers without services (store, database)', { retryable: false });
  return ctx.services;
}

/** The absolute spec file an event's `path` names; BAD_EVENT when it leaves the specs folder or is no YAML file. */
export function specFileOf(services: Services, rel: string): string {
  const root = services.settings.specsDir;
  const abs = path.resolve(root, rel);
  const inside = path.relative(root, abs);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside) || !/\.ya?ml$/.test(abs)) {
    throw new NightshiftError('BAD_EVENT', `event path "${rel}" must name a .yaml file inside the specs folder`, { retryable: false });
  }
  return abs;
}

export interface LoadedSpec {
  file: string;
  parsed: ParsedSpec;
  spec: Spec;
}

/**
 * The spec an event names, or null when there is nothing to work on: the file
 * is gone (deleted or archived), it is not valid right now (the reconcile
 * rejects it), or it names another spec id than the event.
 */
export async function loadForEvent(services: Services, ping: { specId: string; path: string }): Promise<LoadedSpec | null> {
  const file = specFileOf(services, ping.path);
  try {
    const parsed = await services.store.read(file);
    if (parsed.spec.id !== ping.specId) return null;
    return { file, parsed, spec: parsed.spec };
  } catch (err) {
    if (err instanceof SpecInvalidError) return null;
    if (err instanceof NightshiftError && err.code === 'SPEC_NOT_FOUND') return null;
    throw err;
  }
}

/** The task, or null when the user removed it from the spec. */
export function taskOf(spec: Spec, taskId: string): Task | null {
  return spec.tasks.find((t) => t.id === taskId) ?? null;
}

/** The target repository's absolute path: relative paths resolve against the spec file's folder. URLs are refused. */
export function repoPathOf(spec: Spec, specFile: string): string {
  const p = spec.repo.path;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p) || /^[^/\\]+@[^/\\]+:/.test(p)) {
    throw new NightshiftError('CONFIG_INVALID', `repo.path "${p}" is a URL; nightshift works on a local clone: clone it and give its path`, { retryable: false });
  }
  return path.resolve(path.dirname(specFile), p);
}

/** The specs folder relative to the repository root when it sits inside it (the review gate denies it), else undefined. */
export function specsDirInRepo(services: Services, repo: string): string | undefined {
  const rel = path.relative(repo, services.settings.specsDir);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel.split(path.sep).join('/');
}

/** Task states in which a stored diff may still be integrated and landed (not completed, not failed or blocked for good). */
export const LANDING_STATUSES: readonly TaskStatus[] = ['in-progress', 'diff-submitted', 'in-review'];

export interface OpenTask {
  services: Services;
  ref: TaskRef;
  loaded: LoadedSpec;
  task: Task;
}

/**
 * What a task handler works on: its services, the event's task ping, and the
 * spec and task it names at that attempt. Null when there is nothing to do:
 * a dry run (a task handler's work is its side effects), the spec or task is
 * gone, or the task has moved on to another attempt.
 */
export async function openTask(event: NsEvent, ctx: FunctionContext): Promise<OpenTask | null> {
  const services = servicesOf(ctx);
  const ref = taskRefOf(event);
  if (ctx.dryRun) return null;
  const loaded = await loadForEvent(services, ref);
  const task = loaded && taskOf(loaded.spec, ref.taskId);
  if (!loaded || !task) return null;
  if (task.attempts !== ref.attempt) {
    ctx.log.info({ status: task.status, attempts: task.attempts }, 'stale event: the task is on another attempt');
    return null;
  }
  return { services, ref, loaded, task };
}
