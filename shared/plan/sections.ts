/**
 * Walks a plan's lines once and sorts them into the title, the context that
 * goes into the spec's description, and one section per task, keeping track
 * of the phase and stream headings the tasks sit under.
 *
 * A heading is a task (`Task 3: x`, `작업 3: x`, `A1 | x`), a phase (`Phase
 * 2`, `2단계`), a stream (`Stream A`, `Track B`), context (`Goal`,
 * `Architecture`, `배경` ...), or something else. Something else that holds
 * tasks is a group; before the first task it is context; after it, it is a
 * section that could not be placed, and that is a warning.
 */
import { refsInText } from './deps.ts';
import { headingOf, isBlank, isRule, splitLines, type Line } from './markdown.ts';
import { readTaskBody, tidy } from './task-body.ts';
import { taskIdFrom } from './ids.ts';
import type { PlanTask, PlanWarning } from './types.ts';
import { classifyHeading } from './words.ts';

/** What a plan's text was read into; `tasks` may be empty (the caller says what to do). */
export interface ReadPlan {
  title?: string;
  description: string;
  tasks: PlanTask[];
  warnings: PlanWarning[];
}

interface TaskDraft {
  level: number;
  line: number;
  number?: string;
  givenId?: string;
  title: string;
  headingText: string;
  phase?: number;
  stream?: number;
  body: Line[];
}

type Place =
  | { kind: 'preamble' }
  | { kind: 'context'; heading: string }
  | { kind: 'task'; draft: TaskDraft }
  | { kind: 'unplaced'; heading: string; line: number; count: number };

const EXECUTOR_NOTE = /^>\s*(?:\*\*)?(?:for (?:claude|agents?|agentic workers|ai agents)|required sub-skill)|required sub-skill/i;

function frontMatterEnd(lines: readonly Line[]): number {
  if (lines[0]?.text.trim() !== '---') return 0;
  const end = lines.findIndex((l, i) => i > 0 && i < 60 && /^(?:---|\.\.\.)\s*$/.test(l.text));
  return end > 0 ? end + 1 : 0;
}

/** True when a task heading comes before the next heading at `level` or above. */
function holdsTasks(lines: readonly Line[], from: number, level: number): boolean {
  for (let i = from + 1; i < lines.length; i++) {
    const h = headingOf(lines[i]!);
    if (!h) continue;
    if (classifyHeading(h.text).kind === 'task') return true;
    if (h.level <= level) return false;
  }
  return false;
}

export function readSections(text: string): ReadPlan {
  const lines = splitLines(text);
  const warnings: PlanWarning[] = [];
  const context: string[] = [];
  const drafts: TaskDraft[] = [];
  let title: string | undefined;
  let place: Place = { kind: 'preamble' };
  let phase: { index: number; level: number } | undefined;
  let stream: { index: number; level: number } | undefined;
  let phases = 0;
  let streams = 0;
  let block: string[] = [];

  const start = frontMatterEnd(lines);
  if (start > 0) warnings.push({ line: 1, message: `front matter (lines 1-${start}) is not read; put the goal under the title instead` });

  const close = (): void => {
    if (place.kind === 'preamble' || place.kind === 'context') {
      const body = tidy(block);
      if (body !== '') context.push(place.kind === 'context' ? `## ${place.heading}\n\n${body}` : body);
    } else if (place.kind === 'unplaced') {
      const what = place.count === 0 ? 'it is empty' : place.count === 1 ? 'its 1 line was left out' : `its ${place.count} lines were left out`;
      warnings.push({ line: place.line, message: `section '${place.heading}' is not a task, a phase or context, and comes after the tasks: ${what}` });
    }
    block = [];
  };

  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = headingOf(line);
    if (heading) {
      const kind = classifyHeading(heading.text);
      if (place.kind === 'task' && heading.level > place.draft.level && kind.kind !== 'task') {
        place.draft.body.push(line);
        continue;
      }
      close();
      if (heading.level === 1 && title === undefined && kind.kind !== 'task') {
        title = heading.text;
        place = { kind: 'preamble' };
        continue;
      }
      if (kind.kind !== 'task') {
        if (phase && heading.level <= phase.level && kind.kind !== 'stream') phase = undefined;
        if (stream && heading.level <= stream.level) stream = undefined;
      }
      switch (kind.kind) {
        case 'task': {
          const draft: TaskDraft = {
            level: heading.level,
            line: line.n,
            title: kind.title,
            headingText: heading.text,
            body: [],
            ...(kind.number !== undefined ? { number: kind.number } : {}),
            ...(kind.givenId !== undefined ? { givenId: kind.givenId } : {}),
            ...(phase ? { phase: phase.index } : {}),
            ...(stream ? { stream: stream.index } : {}),
          };
          drafts.push(draft);
          place = { kind: 'task', draft };
          break;
        }
        case 'phase':
          phase = { index: ++phases, level: heading.level };
          stream = undefined;
          place = { kind: 'context', heading: heading.text };
          break;
        case 'stream':
          stream = { index: ++streams, level: heading.level };
          place = { kind: 'context', heading: heading.text };
          break;
        case 'context':
          place = { kind: 'context', heading: heading.text };
          break;
        default:
          place = drafts.length === 0 || holdsTasks(lines, i, heading.level)
            ? { kind: 'context', heading: heading.text }
            : { kind: 'unplaced', heading: heading.text, line: line.n, count: 0 };
      }
      continue;
    }
    if (place.kind === 'task') {
      place.draft.body.push(line);
    } else if (place.kind === 'unplaced') {
      if (!isBlank(line.text)) place.count++;
    } else if (!line.inCode && EXECUTOR_NOTE.test(line.text)) {
      warnings.push({ line: line.n, message: 'a note to the plan\'s executor (an agent running the whole plan) was left out: nightshift runs each task on its own' });
    } else if (line.inCode || !isRule(line.text)) {
      block.push(line.text);
    }
  }
  close();

  const tasks = drafts.map((d, index) => toTask(d, index, warnings));
  uniqueIds(tasks, warnings);
  return { ...(title !== undefined ? { title } : {}), description: context.join('\n\n'), tasks, warnings };
}

function toTask(d: TaskDraft, index: number, warnings: PlanWarning[]): PlanTask {
  let id = d.number !== undefined ? taskIdFrom(`task-${d.number}`) : d.givenId !== undefined ? taskIdFrom(d.givenId) : undefined;
  if (id === undefined) {
    id = `task-${index + 1}`;
    warnings.push({ line: d.line, message: `'${d.givenId ?? d.headingText}' cannot be a task id (a-z, 0-9, '.', '_', '-'); using ${id}` });
  }
  const fallbackTitle = d.number !== undefined ? `Task ${d.number}` : (d.givenId ?? id);
  let title = d.title.replace(/\s+/g, ' ').trim() || fallbackTitle;
  if (title.length > 500) {
    warnings.push({ line: d.line, message: `${id}: the title is longer than 500 characters and was cut` });
    title = `${title.slice(0, 499)}…`;
  }
  const body = readTaskBody(d.body, id, warnings);
  const refs = [...refsInText(d.headingText, d.line), ...body.refs];
  return {
    id,
    title,
    line: d.line,
    description: body.description,
    acceptance: body.acceptance,
    files: body.files,
    refs,
    declaresDeps: body.declaresDeps,
    ...(d.number !== undefined ? { number: d.number } : {}),
    ...(d.givenId !== undefined ? { givenId: d.givenId.toLowerCase() } : {}),
    ...(d.phase !== undefined ? { phase: d.phase } : {}),
    ...(d.stream !== undefined ? { stream: d.stream } : {}),
  };
}

/** A second `Task 1` (say, in another phase) becomes `task-1-2`, with a warning. */
function uniqueIds(tasks: PlanTask[], warnings: PlanWarning[]): void {
  const seen = new Set<string>();
  for (const t of tasks) {
    if (!seen.has(t.id)) {
      seen.add(t.id);
      continue;
    }
    let n = 2;
    while (seen.has(`${t.id}-${n}`)) n++;
    const id = `${t.id}-${n}`.slice(0, 64);
    warnings.push({ line: t.line, message: `task id ${t.id} is used twice; this one is ${id} (references by number go to the task in the same phase)` });
    t.id = id;
    seen.add(id);
  }
}
