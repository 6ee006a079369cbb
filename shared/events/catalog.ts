/**
 * The event catalogue of DESIGN.md section 4 as data: each event's CloudEvent
 * `type`, its NATS subject, its payload schema and the function it triggers.
 * Payloads are small pings; receivers read state from the spec file and the
 * database.
 */
import { z } from 'zod';
import { SpecId, TaskId } from '../spec/schema.ts';

export const FUNCTION_NAMES = [
  'on-spec-created',
  'develop-task',
  'collect-diff',
  'review-diff',
  'learn-from-failure',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Why a task failed; learn-from-failure decides on retry from this. */
export const FAILURE_REASONS = [
  'agent-error',
  'timeout',
  'check-failed',
  'empty-diff',
  'conflict',
  'review-rejected',
  'dead-letter',
  'internal',
] as const;
export const FailureReason = z.enum(FAILURE_REASONS);
export type FailureReason = z.infer<typeof FailureReason>;

const specPing = { specId: SpecId, path: z.string().min(1).max(4096) };

/** `{ specId, path }`; `hash` is the spec file's content hash where the sender knows it. */
export const SpecPing = z.strictObject({ ...specPing, hash: z.string().max(128).optional() });
/** `{ specId, path, taskId, attempt }` */
export const TaskPing = z.strictObject({ ...specPing, taskId: TaskId, attempt: z.number().int().positive() });
/** A task ping plus the failure class (the error text itself is in the database). */
export const FailurePing = TaskPing.extend({ reason: FailureReason });
/** `{ worker, at }` */
export const HeartbeatPing = z.strictObject({
  worker: z.string().min(1).max(200),
  specId: SpecId.optional(),
  taskId: TaskId.optional(),
  attempt: z.number().int().positive().optional(),
});

export interface EventDef<S extends z.ZodType = z.ZodType> {
  /** CloudEvent `type`. */
  type: string;
  /** NATS subject (for heartbeats, the prefix; the worker name follows). */
  subject: string;
  payload: S;
  /** The function this event triggers, if any. */
  triggers: readonly FunctionName[];
  /** `source` of the events of this kind. */
  source: string;
}

const def = <S extends z.ZodType>(d: EventDef<S>): EventDef<S> => d;

export const EVENTS = {
  'spec.created': def({ type: 'dev.nightshift.spec.created', subject: 'specs.created', payload: SpecPing, triggers: ['on-spec-created'], source: '/nightshift/watcher' }),
  'spec.updated': def({ type: 'dev.nightshift.spec.updated', subject: 'specs.updated', payload: SpecPing, triggers: ['on-spec-created'], source: '/nightshift/watcher' }),
  'task.assigned': def({ type: 'dev.nightshift.task.assigned', subject: 'specs.task-assigned', payload: TaskPing, triggers: ['develop-task'], source: '/nightshift/on-spec-created' }),
  'diff.submitted': def({ type: 'dev.nightshift.diff.submitted', subject: 'specs.diff-submitted', payload: TaskPing, triggers: ['collect-diff'], source: '/nightshift/develop-task' }),
  'review.requested': def({ type: 'dev.nightshift.review.requested', subject: 'specs.review-requested', payload: TaskPing, triggers: ['review-diff'], source: '/nightshift/collect-diff' }),
  'task.completed': def({ type: 'dev.nightshift.task.completed', subject: 'specs.task-completed', payload: TaskPing, triggers: ['on-spec-created'], source: '/nightshift/review-diff' }),
  'task.failed': def({ type: 'dev.nightshift.task.failed', subject: 'specs.task-failed', payload: FailurePing, triggers: ['learn-from-failure'], source: '/nightshift/pipeline' }),
  'spec.completed': def({ type: 'dev.nightshift.spec.completed', subject: 'specs.completed', payload: SpecPing, triggers: [], source: '/nightshift/on-spec-created' }),
  'spec.failed': def({ type: 'dev.nightshift.spec.failed', subject: 'specs.failed', payload: SpecPing.extend({ errors: z.array(z.string().max(2000)).max(50).optional() }), triggers: [], source: '/nightshift/on-spec-created' }),
  heartbeat: def({ type: 'dev.nightshift.heartbeat', subject: 'heartbeat', payload: HeartbeatPing, triggers: [], source: '/nightshift/worker' }),
} as const;

export type EventName = keyof typeof EVENTS;
export type EventPayload<N extends EventName> = z.infer<(typeof EVENTS)[N]['payload']>;

export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

/** Largest serialized CloudEvent accepted anywhere (HTTP body, bus message). @default 64 KiB */
export const MAX_EVENT_BYTES = 64 * 1024;

const byType = new Map<string, EventName>(EVENT_NAMES.map((n) => [EVENTS[n].type, n]));
const bySubject = new Map<string, EventName>(EVENT_NAMES.map((n) => [EVENTS[n].subject, n]));

export function eventNameForType(type: string): EventName | undefined {
  return byType.get(type);
}

export function eventNameForSubject(subject: string): EventName | undefined {
  if (subject.startsWith('heartbeat.')) return 'heartbeat';
  return bySubject.get(subject);
}

/** The events a function is triggered by. */
export function eventsTriggering(fn: FunctionName): EventName[] {
  return EVENT_NAMES.filter((n) => (EVENTS[n].triggers as readonly string[]).includes(fn));
}
