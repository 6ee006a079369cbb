/**
 * Finds the dependencies a plan writes in words: "after Task 2", "depends on
 * Task 1 and Task 3", "Depends on: A1, B2", "blocked by Task 4", and in
 * Korean "Task 1 이후", "작업 2에 의존", "작업 1과 작업 3 완료 후",
 * "선행: A1". A reference is `Task N` / `작업 N` / `태스크 N` (by number) or
 * an id like `A1` (by the id in an `A1 | title` heading).
 */
import type { TaskRef } from './types.ts';

const TASK_WORD = /^(?:tasks?|작업|태스크)\s*#?\s*/i;
const CONNECTOR = /^\s*(?:,|&|\+|\/|and\b|및|그리고|와|과)\s*/i;
const NUMBER = /^(\d+(?:\.\d+)*[a-z]?)(?:\s*(?:-|–|~|to\b)\s*(\d+))?(?![\w.]\w)/i;
const ID_WORD = /^([A-Za-z][A-Za-z0-9_-]*\d[A-Za-z0-9_-]*(?:\.\d+)*)(?![\w])/;
const NOTHING = /^(?:none|nothing|n\/a|na|-|—|없음|없다|해당\s*없음)\.?$/i;

/**
 * Reads a list of references from the start of `text`: `Task 2 and 3`,
 * `A1, B2`, `작업 1과 작업 3`, `Tasks 1-3`. Bare numbers count only after a
 * task word unless `label` is set (under `Depends on:` a bare `2` means Task 2).
 * Returns the references and how much of the text they used.
 */
export function readRefList(text: string, line: number, label: boolean): { refs: TaskRef[]; used: number } {
  const refs: TaskRef[] = [];
  let pos = 0;
  let sawTaskWord = false;
  let used = 0;
  for (;;) {
    const rest = text.slice(pos);
    const lead = refs.length > 0 ? CONNECTOR.exec(rest) : /^\s*/.exec(rest);
    if (refs.length > 0 && !lead) break;
    let at = pos + (lead ? lead[0].length : 0);
    const spelled = /^task-\d[\w.-]*(?![\w])/i.exec(text.slice(at));
    if (spelled) {
      // `task-3` is the id the importer gives `Task 3`: read it as that id.
      refs.push({ text: spelled[0], id: spelled[0].toLowerCase(), line, strict: true });
      pos = at + spelled[0].length;
      used = pos;
      continue;
    }
    const word = TASK_WORD.exec(text.slice(at));
    if (word) {
      sawTaskWord = true;
      at += word[0].length;
    }
    const tail = text.slice(at);
    const num = NUMBER.exec(tail);
    if (num && (sawTaskWord || label)) {
      const from = num[1]!.toLowerCase();
      const to = num[2];
      if (to !== undefined && /^\d+$/.test(from) && Number(to) >= Number(from) && Number(to) - Number(from) < 100) {
        for (let k = Number(from); k <= Number(to); k++) refs.push({ text: `Task ${k}`, number: String(k), line, strict: true });
      } else {
        refs.push({ text: `Task ${from}`, number: from, line, strict: true });
      }
      pos = at + num[0].length;
      used = pos;
      continue;
    }
    const id = word ? undefined : ID_WORD.exec(tail);
    if (id) {
      refs.push({ text: id[1]!, id: id[1]!.toLowerCase(), line, strict: label });
      pos = at + id[0].length;
      used = pos;
      continue;
    }
    break;
  }
  return { refs, used };
}

/**
 * References under a dependency label (`Depends on: Task 1, A2`). Returns
 * them with any text that could not be read as task names (for a warning);
 * "none" / "없음" is no dependency and no warning.
 */
export function refsInLabel(text: string, line: number): { refs: TaskRef[]; unread?: string } {
  const cleaned = text.replace(/`/g, '').replace(/\*\*/g, '').trim();
  if (cleaned === '' || NOTHING.test(cleaned)) return { refs: [] };
  const { refs, used } = readRefList(cleaned, line, true);
  const left = cleaned.slice(used).replace(/^[\s.,;:)]+|[\s.,;:(]+$/g, '');
  // Korean endings after the list ("A1, A2 완료 후") are words about the list, not more names.
  const harmless = /^(?:이후|후|다음|완료\s*후|에\s*의존|이|가|을|를|done|first|complete|completed)?$/i.test(left);
  return harmless ? { refs } : { refs, unread: left };
}

const EN_TRIGGER = /\b(?:after|depends\s+on|dependent\s+on|requires|needs|blocked\s+by|once|following|builds\s+on)\s+(?:(?:completing|finishing|the\s+completion\s+of)\s+)?(?=(?:tasks?|작업|태스크)\s*#?\s*\d|[A-Za-z][A-Za-z0-9_-]*\d)/gi;
const REF = String.raw`(?:(?:tasks?|작업|태스크)\s*#?\s*\d+(?:\.\d+)*[a-z]?|[A-Za-z][A-Za-z0-9_-]*\d[A-Za-z0-9_-]*)`;
const MORE = String.raw`(?:\s*(?:,|및|와|과|and|&)\s*(?:(?:tasks?|작업|태스크)\s*#?\s*)?(?:\d+(?:\.\d+)*[a-z]?|[A-Za-z][A-Za-z0-9_-]*\d[A-Za-z0-9_-]*))*`;
const KO_AFTER = new RegExp(String.raw`(${REF}${MORE})\s*(?:이|가|을|를|의)?\s*(?:완료(?:된|한|되면|\s*된)?\s*|끝난\s*|마친\s*)?(?:(?:이후|후|다음|뒤)(?:에는|에|로)?(?![가-힣])|에\s*의존)`, 'gi');

/** References written in a sentence: "after Task 2", "depends on A1", "Task 1 이후", "작업 2에 의존". */
export function refsInText(text: string, line: number): TaskRef[] {
  const plain = text.replace(/`/g, '').replace(/\*\*/g, '');
  const refs: TaskRef[] = [];
  for (const m of plain.matchAll(EN_TRIGGER)) {
    refs.push(...readRefList(plain.slice(m.index + m[0].length), line, false).refs);
  }
  for (const m of plain.matchAll(KO_AFTER)) {
    refs.push(...readRefList(m[1]!, line, false).refs);
  }
  return refs;
}
