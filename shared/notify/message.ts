/**
 * What a notification says: the generic JSON body every webhook gets, built
 * from the event (a ping) and the spec file it names, read at notification
 * time. A spec that no longer loads (rejected, being edited, gone) still gets
 * a notification: the title and status are read leniently from its YAML, or
 * fall back to the id and the event's kind.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { nameOf } from '../events/cloudevent.ts';
import { integrationBranch } from '../git/repo.ts';
import type { NsEvent } from '../runtime/types.ts';
import { loadSpec } from '../spec/loader.ts';
import type { Progress } from '../spec/schema.ts';

/** The events the notifier reports. */
export const NOTIFY_EVENTS = ['spec.completed', 'spec.failed', 'task.failed'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** The generic webhook body (also the line written to `<id>.events.log`). */
export interface Notification {
  /** The CloudEvent id: the same fact always has the same id, so a receiver can drop a repeat. */
  id: string;
  event: NotifyEvent;
  specId: string;
  /** The spec's status when notified (`completed`, `failed`, `rejected`, or the running state for a task failure). */
  status: string;
  title: string;
  /** The spec file, relative to SPECS_DIR (`active/x.yaml`, `archive/2025-01/x.yaml`). */
  path: string;
  errors?: string[];
  progress?: Progress;
  /** `nightshift/<spec id>`: where the landed work is. */
  branch: string;
  /** For `task.failed`: which attempt of which task, and why. */
  task?: { id: string; attempt: number; reason: string; error?: string };
  /** When the fact happened (the event's time), ISO 8601. */
  at: string;
}

/** What the notifier knows of the spec file; everything optional. */
interface SpecFacts {
  title?: string;
  status?: string;
  progress?: Progress;
}

/** Reads title, status and progress of the spec at `file`; lenient (see the header). */
export async function readSpecFacts(file: string): Promise<SpecFacts> {
  try {
    const { spec } = await loadSpec(file);
    return { title: spec.title, status: spec.status, ...(spec.progress ? { progress: spec.progress } : {}) };
  } catch {
    try {
      const doc: unknown = YAML.parse(await readFile(file, 'utf8'));
      if (typeof doc !== 'object' || doc === null) return {};
      const { title, status } = doc as { title?: unknown; status?: unknown };
      return { ...(typeof title === 'string' ? { title } : {}), ...(typeof status === 'string' ? { status } : {}) };
    } catch {
      return {};
    }
  }
}

function branchOf(specId: string): string {
  try {
    return integrationBranch(specId);
  } catch {
    return `nightshift/${specId}`;
  }
}

/**
 * The notification for `event`, or undefined for an event the notifier does
 * not report. `taskError` is the failed attempt's error text, when known.
 */
export async function buildNotification(event: NsEvent, specsDir: string, taskError?: string): Promise<Notification | undefined> {
  const name = nameOf(event);
  if (!(NOTIFY_EVENTS as readonly string[]).includes(name)) return undefined;
  const data = event.data as { specId: string; path: string; errors?: string[]; taskId?: string; attempt?: number; reason?: string };
  const facts = await readSpecFacts(path.resolve(specsDir, data.path));
  const status = name === 'spec.completed' ? 'completed' : name === 'spec.failed' ? (facts.status === 'rejected' ? 'rejected' : 'failed') : (facts.status ?? 'in-progress');
  const n: Notification = {
    id: event.id,
    event: name as NotifyEvent,
    specId: data.specId,
    status,
    title: facts.title ?? data.specId,
    path: data.path,
    branch: branchOf(data.specId),
    at: event.time ?? new Date().toISOString(),
  };
  if (data.errors && data.errors.length > 0) n.errors = data.errors;
  if (facts.progress) n.progress = facts.progress;
  if (name === 'task.failed' && data.taskId !== undefined) {
    n.task = { id: data.taskId, attempt: data.attempt ?? 0, reason: data.reason ?? 'unknown', ...(taskError ? { error: taskError } : {}) };
  }
  return n;
}

/** One plain line for a person watching the console. */
export function humanLine(n: Notification): string {
  const p = n.progress ? ` (${n.progress.completed}/${n.progress.total} tasks done)` : '';
  if (n.event === 'spec.completed') return `nightshift: spec ${n.specId} "${n.title}" completed${p}: review branch ${n.branch} (${n.path})`;
  if (n.event === 'task.failed' && n.task) {
    return `nightshift: task ${n.task.id} of spec ${n.specId} failed on attempt ${n.task.attempt} (${n.task.reason})`;
  }
  const first = n.errors?.[0]?.split('\n')[0]?.slice(0, 200);
  return `nightshift: spec ${n.specId} "${n.title}" ${n.status.toUpperCase()}${p}${first ? `: ${first}` : ''} (${n.path})`;
}
