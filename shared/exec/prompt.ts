/**
 * The prompt text an agent receives on stdin: what to do, how it will be
 * judged, which files it owns, and on a retry what went wrong last time and
 * what fixed similar failures before.
 */
import type { Spec, Task } from '../spec/schema.ts';

/** Longest previous-error excerpt put in a prompt (its tail is kept). @default 4000 characters */
export const MAX_PREVIOUS_ERROR_CHARS = 4000;

export interface PromptOptions {
  /** 1 for the first try. */
  attempt: number;
  /** The error (log tail) of the previous attempt. */
  previousError?: string;
  /** How similar past failures were resolved (learn-from-failure). */
  hints?: string[];
}

/** Builds the agent prompt for one attempt of `task`. */
export function buildPrompt(
  spec: Pick<Spec, 'id' | 'title' | 'description' | 'checks'>,
  task: Pick<Task, 'id' | 'title' | 'description' | 'acceptance' | 'files' | 'checks' | 'maxAttempts'>,
  options: PromptOptions,
): string {
  const out: string[] = [];
  const maxAttempts = task.maxAttempts ?? 3;
  out.push(`# Task ${task.id}: ${task.title}`);
  out.push('', `Part of spec "${spec.title}" (${spec.id}). Attempt ${options.attempt} of ${maxAttempts}.`);
  if (task.description?.trim()) out.push('', '## What to do', '', task.description.trim());
  if (spec.description?.trim()) out.push('', '## Background (the whole spec)', '', spec.description.trim());
  if (task.acceptance.length > 0) {
    out.push('', '## Acceptance criteria', '', ...task.acceptance.map((a) => `- ${oneLine(a)}`));
  }
  if (task.files.length > 0) {
    out.push('', '## Files this task owns', '', 'Change only these files (paths and globs relative to the repository root):', '');
    out.push(...task.files.map((f) => `- ${f}`));
  }
  const checks = task.checks ?? spec.checks;
  if (checks.length > 0) {
    out.push('', '## Checks run after you finish', '', 'Your change is accepted only if these commands succeed in the repository root:', '');
    out.push(...checks.map((c) => `- ${c.name}: \`${c.run.join(' ')}\``));
  }
  const previous = options.previousError?.trim();
  if (previous) {
    const excerpt = previous.length > MAX_PREVIOUS_ERROR_CHARS ? `...${previous.slice(-MAX_PREVIOUS_ERROR_CHARS)}` : previous;
    out.push('', '## The previous attempt failed with', '', fence(excerpt));
  }
  const hints = (options.hints ?? []).map((h) => h.trim()).filter((h) => h !== '');
  if (hints.length > 0) {
    out.push('', '## Similar past failures were resolved by', '', ...hints.map((h) => `- ${oneLine(h)}`));
  }
  out.push(
    '',
    '## Rules',
    '',
    '- Work only inside the current directory (the repository checkout).',
    '- Do not commit, push, create branches or change git configuration: nightshift captures your changes as a diff and reviews them.',
    '- The task is also in the JSON file named by the NIGHTSHIFT_TASK_FILE environment variable.',
  );
  return `${out.join('\n')}\n`;
}

function oneLine(s: string): string {
  return s.trim().replace(/\s*\n\s*/g, ' ');
}

// A fence longer than any backtick run inside the text cannot be closed early by it.
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}text\n${text}\n${f}`;
}
