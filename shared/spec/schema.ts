/**
 * The spec file format (DESIGN.md section 3) as zod schemas. Types come from
 * here; `specs/spec.schema.json` is exported from `SpecSchema` by
 * `npm run schema` and a test keeps it in sync.
 *
 * Fields a person writes are listed first; the system-owned fields
 * (`status`, `tasks[].status`, `tasks[].attempts`, `tasks[].lastError`,
 * `progress`, `changeLog`) are written only by the spec store.
 */
import { z } from 'zod';

/** Limits on a spec file. A spec past them is rejected, never truncated. */
export const SPEC_LIMITS = {
  /** @default 1 MiB */
  maxBytes: 1024 * 1024,
  /** @default 2000 */
  maxTasks: 2000,
  /** @default 500 files or globs per task */
  maxFilesPerTask: 500,
  /** @default 64 KiB for any one text field */
  maxTextLength: 64 * 1024,
} as const;

const id = (what: string) =>
  z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9._-]{0,63}$/,
      `${what} must be 1-64 characters of lowercase letters, digits, '.', '_' or '-', starting with a letter or digit`,
    )
    .refine((s) => !s.includes('..'), `${what} must not contain '..'`);

export const SpecId = id('spec id');
export const TaskId = id('task id');

const text = z.string().max(SPEC_LIMITS.maxTextLength);
const argv = z
  .array(z.string().min(1).max(4096))
  .min(1, 'a command is an argv array with at least the program name')
  .max(256)
  .describe('argv array: the program and its arguments; never run through a shell');

export const Priority = z.enum(['low', 'medium', 'high', 'critical']);

export const SPEC_STATUSES = ['pending', 'planning', 'in-progress', 'completed', 'failed', 'rejected'] as const;
export const SpecStatus = z.enum(SPEC_STATUSES);
export type SpecStatus = z.infer<typeof SpecStatus>;

export const TASK_STATUSES = [
  'pending',
  'assigned',
  'in-progress',
  'diff-submitted',
  'in-review',
  'completed',
  'failed',
  'blocked',
] as const;
export const TaskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const AGENT_PRESETS = ['opencode', 'claude', 'codex', 'aider'] as const;

/** Which executor runs a task. `command` runs an argv array; the presets map to a coding CLI's argv. */
export const AgentSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('command'),
    command: argv,
    /** @default 1800 */
    timeoutSeconds: z.number().int().positive().max(86_400).optional(),
  }),
  z.strictObject({
    kind: z.enum(AGENT_PRESETS),
    model: z.string().max(200).optional(),
    /** Extra arguments appended to the preset's argv. */
    args: z.array(z.string().max(4096)).max(64).optional(),
    /** @default 1800 */
    timeoutSeconds: z.number().int().positive().max(86_400).optional(),
  }),
]);
export type Agent = z.infer<typeof AgentSchema>;

export const CheckSchema = z.strictObject({
  name: z.string().min(1).max(200),
  run: argv,
  /** @default 600 */
  timeoutSeconds: z.number().int().positive().max(86_400).optional(),
});
export type Check = z.infer<typeof CheckSchema>;

/** A path or glob relative to the repository root. */
export const RepoPath = z.string().min(1).max(1024);

export const ReviewSchema = z.strictObject({
  /** Globs a diff may touch. @default ["**"] */
  allow: z.array(RepoPath).max(500).optional(),
  /** Globs a diff must not touch, on top of the ones always denied (.git/, specs/, CI config). */
  deny: z.array(RepoPath).max(500).optional(),
  /** Let a diff touch CI configuration (.github/workflows, .gitlab-ci.yml, ...). @default false */
  allowCi: z.boolean().optional(),
  /** @default 50 */
  maxFiles: z.number().int().positive().max(100_000).optional(),
  /** Added plus removed lines. @default 2000 */
  maxLines: z.number().int().positive().max(10_000_000).optional(),
  /** @default 1 MiB */
  maxFileBytes: z.number().int().positive().max(1024 * 1024 * 1024).optional(),
  /** Let a diff add binary files. @default false */
  allowBinary: z.boolean().optional(),
  /** An optional command reviewer (an LLM CLI) run after the deterministic gate. */
  reviewer: AgentSchema.optional(),
});
export type Review = z.infer<typeof ReviewSchema>;

export const RepoSchema = z.strictObject({
  /** A local path (relative to the spec file's folder or absolute) or a git URL. */
  path: z.string().min(1).max(4096),
  /** The branch the integration branch starts from. @default "main" */
  base: z.string().min(1).max(255).default('main'),
});
export type Repo = z.infer<typeof RepoSchema>;

export const ChangeLogEntry = z.strictObject({
  at: z.string(),
  by: z.string(),
  task: z.string().optional(),
  from: z.string().optional(),
  to: z.string(),
  note: z.string().optional(),
});
export type ChangeLogEntry = z.infer<typeof ChangeLogEntry>;

export const ProgressSchema = z.strictObject({
  total: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  inProgress: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  blocked: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
  percentage: z.number().min(0).max(100),
});
export type Progress = z.infer<typeof ProgressSchema>;

export const TaskSchema = z.strictObject({
  id: TaskId,
  title: z.string().min(1).max(500),
  /** The prompt given to the agent. */
  description: text.optional(),
  acceptance: z.array(text).max(200).default([]),
  /** Files (or globs) the task owns; two tasks that own the same file never run at once. */
  files: z.array(RepoPath).max(SPEC_LIMITS.maxFilesPerTask).default([]),
  dependsOn: z.array(TaskId).max(500).default([]),
  agent: AgentSchema.optional(),
  checks: z.array(CheckSchema).max(50).optional(),
  /** @default 3 */
  maxAttempts: z.number().int().min(1).max(20).optional(),
  // system-owned
  status: TaskStatus.default('pending'),
  attempts: z.number().int().nonnegative().default(0),
  lastError: z.string().max(SPEC_LIMITS.maxTextLength).optional(),
});
export type Task = z.infer<typeof TaskSchema>;
export type TaskInput = z.input<typeof TaskSchema>;

export const SpecSchema = z.strictObject({
  $schema: z.string().optional(),
  id: SpecId,
  title: z.string().min(1).max(500),
  description: text.optional(),
  priority: Priority.default('medium'),
  repo: RepoSchema,
  agent: AgentSchema.optional(),
  checks: z.array(CheckSchema).max(50).default([]),
  review: ReviewSchema.default({}),
  tasks: z.array(TaskSchema).min(1, 'a spec needs at least one task').max(SPEC_LIMITS.maxTasks),
  // system-owned
  status: SpecStatus.default('pending'),
  progress: ProgressSchema.optional(),
  errors: z.array(z.string()).optional(),
  changeLog: z.array(ChangeLogEntry).default([]),
});
export type Spec = z.infer<typeof SpecSchema>;
export type SpecInput = z.input<typeof SpecSchema>;

/** Top-level fields only the system writes. */
export const SYSTEM_SPEC_FIELDS = ['status', 'progress', 'errors', 'changeLog'] as const;
/** Task fields only the system writes. */
export const SYSTEM_TASK_FIELDS = ['status', 'attempts', 'lastError'] as const;
