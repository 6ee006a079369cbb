/**
 * Builds a spec from a read plan: ids, title, description, the repository,
 * an optional command agent and checks, and each task's files, acceptance
 * and dependsOn. The result is checked with the same validation the loader
 * runs, so what comes out is a spec the system accepts.
 */
import { NightshiftError } from '../errors.ts';
import { validateSpec } from '../spec/loader.ts';
import { SpecInvalidError } from '../spec/problems.ts';
import { SPEC_LIMITS, type SpecInput } from '../spec/schema.ts';
import { isSpecId, slugFrom } from './ids.ts';
import { orderTasks } from './order.ts';
import { readSections } from './sections.ts';
import type { PlanWarning } from './types.ts';

/** How a plan becomes a spec. */
export interface PlanImportOptions {
  /** The plan's file name, for messages and as the id when the title gives none. @default '<plan>' */
  file?: string;
  /** The spec id. @default the title's slug, else the file name's, else 'plan' */
  id?: string;
  /** `repo.path` as it is to be written (relative to the spec file's folder, absolute, or a URL). @default '.' */
  repoPath?: string;
  /** @default 'main' */
  base?: string;
  /** An argv for a `kind: command` agent; without it the spec names no agent. */
  agentCommand?: string[];
  /** Checks to run after each task, each an argv. @default none */
  checks?: string[][];
}

/** A spec made from a plan, what was not understood, and why each dependency is there. */
export interface PlanImport {
  spec: SpecInput;
  warnings: PlanWarning[];
  /** Per task id: dependency id -> why (`Task 2 (line 14)`, `both own src/a.ts`). */
  reasons: Record<string, Record<string, string>>;
}

const MAX_TEXT = SPEC_LIMITS.maxTextLength;

function capText(text: string, what: string, line: number, warnings: PlanWarning[]): string {
  if (text.length <= MAX_TEXT) return text;
  warnings.push({ line, message: `${what} is longer than 64 KiB and was cut; split the plan into smaller tasks` });
  return `${text.slice(0, MAX_TEXT - 1)}…`;
}

/** The name a check gets from its argv: `npm test`. */
export function checkName(argv: readonly string[]): string {
  const name = argv.join(' ');
  return name.length <= 200 ? name : `${name.slice(0, 199)}…`;
}

/**
 * Turns a markdown plan into a spec. Throws SPEC_INVALID when the plan has no
 * task headings, BAD_REQUEST for an id that is not a valid spec id, and
 * SpecInvalidError (naming the plan) when the result still breaks a rule,
 * for example a `base` that is not a branch name.
 */
export function planToSpec(text: string, options: PlanImportOptions = {}): PlanImport {
  const file = options.file ?? '<plan>';
  const read = readSections(text);
  const warnings = read.warnings;
  if (read.tasks.length === 0) {
    throw new NightshiftError(
      'SPEC_INVALID',
      `${file}: no tasks found. Give each task a heading such as '### Task 1: Add the parser' ` +
        `(or '### 작업 1: 파서 추가', or '#### A1 | Add the parser'), with its files under '**Files:**'`,
    );
  }
  if (options.id !== undefined && !isSpecId(options.id)) {
    throw new NightshiftError('BAD_REQUEST', `--id '${options.id}' is not a valid spec id: use 1-64 of a-z 0-9 . _ -, starting with a letter or digit`);
  }
  const baseName = file.split(/[\\/]/).pop()?.replace(/\.(?:md|markdown|txt)$/i, '');
  let title = read.title?.trim();
  if (!title) {
    title = `Plan ${baseName ?? ''}`.trim();
    warnings.push({ line: 1, message: `the plan has no '# Title' heading; the spec is titled '${title}'` });
  }
  if (title.length > 500) title = `${title.slice(0, 499)}…`;
  const id = options.id ?? slugFrom([title, baseName], 'plan');

  const { dependsOn, edges } = orderTasks(read.tasks, warnings);
  const reasons: PlanImport['reasons'] = {};
  for (const e of edges) (reasons[read.tasks[e.from]!.id] ??= {})[read.tasks[e.to]!.id] = e.why;

  const tasks = read.tasks.map((t, i) => ({
    id: t.id,
    title: t.title,
    ...(t.description !== '' ? { description: capText(t.description, `${t.id}'s steps`, t.line, warnings) } : {}),
    ...(t.acceptance.length > 0 ? { acceptance: t.acceptance.slice(0, 200) } : {}),
    ...(t.files.length > 0 ? { files: t.files.slice(0, SPEC_LIMITS.maxFilesPerTask) } : {}),
    ...(dependsOn[i]!.length > 0 ? { dependsOn: dependsOn[i]!.map((j) => read.tasks[j]!.id) } : {}),
  }));
  const spec: SpecInput = {
    id,
    title,
    ...(read.description !== '' ? { description: capText(read.description, 'the goal and context', 1, warnings) } : {}),
    repo: { path: options.repoPath ?? '.', base: options.base ?? 'main' },
    ...(options.agentCommand ? { agent: { kind: 'command' as const, command: options.agentCommand } } : {}),
    ...(options.checks && options.checks.length > 0 ? { checks: options.checks.map((run) => ({ name: checkName(run), run })) } : {}),
    tasks,
  };
  const { problems } = validateSpec(spec, { file });
  if (problems.length > 0) throw new SpecInvalidError('SPEC_INVALID', file, problems, { parsed: false });
  warnings.sort((a, b) => a.line - b.line);
  return { spec, warnings, reasons };
}
