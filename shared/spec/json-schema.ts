/**
 * The spec format as JSON Schema, for editors (yaml-language-server reads the
 * `# yaml-language-server: $schema=...` line at the top of a spec). Built
 * from `SpecSchema` with zod's own exporter on the input side, so fields that
 * have defaults are optional, as they are for the person writing the file.
 */
import { z } from 'zod';
import { SpecSchema } from './schema.ts';

/** The `$id` of the exported schema. */
export const SPEC_SCHEMA_ID = 'urn:nightshift:spec:v1';

/** Where `npm run schema` writes the schema, relative to the repository root. */
export const SPEC_SCHEMA_FILE = 'specs/spec.schema.json';

/** Hover text for the fields a person writes, keyed by their path in the schema. */
const DESCRIPTIONS: Record<string, string> = {
  id: 'The spec id: 1-64 lowercase letters, digits, ".", "_" or "-". Names the integration branch nightshift/<id>.',
  title: 'A one-line summary of the work.',
  description: 'What the work is for and why; the background every task shares.',
  priority: 'low, medium (default), high or critical.',
  repo: 'The repository to change: a path relative to this file (or absolute, or a git URL) and the base branch (default main).',
  agent: 'The default executor for every task: {kind: command, command: [argv...]} or a preset (opencode, claude, codex, aider).',
  checks: 'Commands (argv arrays, never a shell string) run after the agent and again on the integrated tree.',
  review: 'The review gate: allowed and denied path globs, size limits, an optional command reviewer.',
  tasks: 'The work, one entry per task; a task runs once every task in its dependsOn has completed.',
  status: 'Written by nightshift: pending, planning, in-progress, completed, failed or rejected.',
  progress: 'Written by nightshift.',
  errors: 'Written by nightshift when the spec is rejected.',
  changeLog: 'Written by nightshift: an append-only log of state changes.',
};

const TASK_DESCRIPTIONS: Record<string, string> = {
  id: 'The task id, unique in this spec; other tasks name it in dependsOn.',
  description: 'The prompt given to the agent.',
  acceptance: 'What must be true when the task is done.',
  files: 'Files or globs (relative to the repository root) the task owns; two tasks that own the same file never run at once.',
  dependsOn: 'Ids of tasks that must complete before this one starts.',
  maxAttempts: 'How many times the task may run before it fails for good (default 3).',
  status: 'Written by nightshift.',
  attempts: 'Written by nightshift.',
  lastError: 'Written by nightshift.',
};

type JsonObject = Record<string, unknown>;

function describe(properties: unknown, texts: Record<string, string>): void {
  if (properties === null || typeof properties !== 'object') return;
  for (const [key, text] of Object.entries(texts)) {
    const prop = (properties as Record<string, JsonObject | undefined>)[key];
    if (prop && prop.description === undefined) prop.description = text;
  }
}

/** The JSON Schema (draft 2020-12) of a spec file. */
export function specJsonSchema(): JsonObject {
  const schema = z.toJSONSchema(SpecSchema, { io: 'input', target: 'draft-2020-12' }) as JsonObject;
  describe(schema.properties, DESCRIPTIONS);
  const tasks = (schema.properties as Record<string, JsonObject>).tasks;
  describe((tasks?.items as JsonObject | undefined)?.properties, TASK_DESCRIPTIONS);
  const { $schema, ...rest } = schema;
  return { $schema, $id: SPEC_SCHEMA_ID, title: 'nightshift spec', description: 'A nightshift spec file: the work, split into tasks.', ...rest };
}

/** The text `npm run schema` writes: the schema as indented JSON with a final newline. */
export function specJsonSchemaText(): string {
  return `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
}
