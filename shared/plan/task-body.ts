/**
 * Reads the lines under one task heading: the `**Files:**` list becomes the
 * files the task owns, acceptance or completion criteria become `acceptance`,
 * dependency labels and phrases become references, and everything else (the
 * steps, code blocks, notes) stays, as written, the agent's prompt.
 *
 * A label switches what the following lines are; a paragraph after a blank
 * line switches back to steps, so prose after a list is never read as files.
 */
import { refsInLabel, refsInText } from './deps.ts';
import { parseFileItem } from './files.ts';
import { headingOf, isBlank, labelOf, listItemOf, type Line, type ListItem } from './markdown.ts';
import type { PlanWarning, TaskRef } from './types.ts';
import { labelKind, type LabelKind } from './words.ts';

export interface TaskBody {
  description: string;
  acceptance: string[];
  files: string[];
  refs: TaskRef[];
  /** A dependency label was seen. */
  declaresDeps: boolean;
}

/** Trims blank lines at both ends and squeezes runs of blank lines to one. */
export function tidy(lines: string[]): string {
  return lines.join('\n').replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').replace(/^\n+|\n+$/g, '');
}

/**
 * After a blank line, does this line still belong to the labelled list? Only
 * a list item of the same style does (a `- [ ]` or `1.` list after a `- Create:`
 * list is the steps), and in a files list only one that names a file.
 */
function continuesList(mode: LabelKind, item: ListItem | undefined, style: ListItem['style'] | undefined): boolean {
  if (!item) return false;
  if (item.indent > 0) return true;
  if (style !== undefined && item.style !== style) return false;
  if (mode === 'files') {
    const found = parseFileItem(item.text);
    return found.kind !== undefined || found.paths.length > 0 || found.bad.length > 0;
  }
  return true;
}

export function readTaskBody(lines: readonly Line[], taskId: string, warnings: PlanWarning[]): TaskBody {
  const steps: string[] = [];
  const acceptance: string[] = [];
  const files: string[] = [];
  const readOnly: string[] = [];
  const refs: TaskRef[] = [];
  let mode: LabelKind = 'steps';
  let afterBlank = false;
  let nestedKind: 'owned' | 'read' = 'owned';
  /** The style of the list under the current label, once it has started. */
  let listStyle: ListItem['style'] | undefined;
  let declaresDeps = false;

  const addFiles = (text: string, line: number, nested: boolean, isItem: boolean): boolean => {
    const item = parseFileItem(text);
    if (item.kind && item.bare) {
      nestedKind = item.kind; // `- Create:` with the paths on the lines below it
      return true;
    }
    const kind = item.kind ?? (nested ? nestedKind : 'owned');
    for (const p of item.paths) {
      const list = kind === 'owned' ? files : readOnly;
      if (!list.includes(p)) list.push(p);
    }
    for (const b of item.bad) warnings.push({ line, message: `${taskId}: file '${b.path}' left out: ${b.why}` });
    if (item.paths.length === 0 && item.bad.length === 0) {
      if (!isItem) return false;
      warnings.push({ line, message: `${taskId}: no file path found in the files list line '${text}'; put the path in backticks` });
    }
    return true;
  };

  const take = (kind: LabelKind, text: string, line: Line, isItem: boolean, nested: boolean): boolean => {
    switch (kind) {
      case 'files':
        return addFiles(text, line.n, nested, isItem);
      case 'acceptance':
        if (!isItem && nested && acceptance.length > 0) acceptance[acceptance.length - 1] += ` ${text}`;
        else acceptance.push(text);
        return true;
      case 'deps': {
        const { refs: found, unread } = refsInLabel(text, line.n);
        refs.push(...found);
        if (unread) warnings.push({ line: line.n, message: `${taskId}: could not read '${unread}' as task names (write 'Task 2' or the id of an 'A1 | title' heading)` });
        return true;
      }
      case 'steps':
        steps.push(line.text);
        return true;
    }
  };

  for (const line of lines) {
    if (line.inCode) {
      mode = 'steps';
      steps.push(line.text);
      afterBlank = false;
      continue;
    }
    const heading = headingOf(line);
    if (heading) {
      const label = labelKind(heading.text);
      mode = label ?? 'steps';
      if (mode === 'deps') declaresDeps = true;
      listStyle = undefined;
      if (!label) steps.push(line.text);
      afterBlank = false;
      continue;
    }
    if (isBlank(line.text)) {
      afterBlank = true;
      if (mode === 'steps') steps.push('');
      continue;
    }
    const item = listItemOf(line.text);
    const inner = item ? item.text : line.text.trim();
    const label = labelOf(inner);
    if (label) {
      mode = label.label;
      if (mode === 'deps') declaresDeps = true;
      nestedKind = 'owned';
      listStyle = undefined;
      if (label.rest !== '') take(mode, label.rest, line, false, false);
      afterBlank = false;
      continue;
    }
    const indented = /^\s{2,}/.test(line.text);
    if (mode !== 'steps' && afterBlank && !indented && !continuesList(mode, item, listStyle)) mode = 'steps';
    if (item && item.indent === 0 && listStyle === undefined) listStyle = item.style;
    if (mode !== 'files' && mode !== 'deps') refs.push(...refsInText(line.text, line.n));
    if (!take(mode, inner, line, item !== undefined, item ? item.indent > 0 : indented)) {
      mode = 'steps';
      steps.push(line.text);
    }
    afterBlank = false;
  }
  if (readOnly.length > 0) steps.push('', `Files to read for context (not changed by this task): ${readOnly.join(', ')}`);
  return { description: tidy(steps), acceptance, files, refs, declaresDeps };
}
