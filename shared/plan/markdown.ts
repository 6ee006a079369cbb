/**
 * The little of markdown a plan needs, read line by line: headings, fenced
 * code, list items, label lines and inline code spans.
 *
 * Why not a markdown parser: none is installed, and a plan's structure lives
 * in its lines (headings, `**Files:**` labels, list items) and the line
 * numbers matter for the warnings. A CommonMark AST would also hand back
 * emphasis and links we do not use; these few regular expressions read the
 * shapes plans are written in, and fenced code is skipped so a `#` comment in
 * a shell snippet is never taken for a heading.
 */
import { labelKind, type LabelKind } from './words.ts';

/** One line of the plan with its 1-based number and whether it sits inside fenced code (fence lines included). */
export interface Line {
  n: number;
  text: string;
  inCode: boolean;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Splits a plan into lines, marking fenced code blocks. */
export function splitLines(text: string): Line[] {
  const out: Line[] = [];
  let fence: string | undefined;
  text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).forEach((raw, i) => {
    const m = FENCE.exec(raw);
    if (fence === undefined && m) {
      fence = m[1]!;
      out.push({ n: i + 1, text: raw, inCode: true });
    } else if (fence !== undefined) {
      const closes = m !== null && m[1]![0] === fence[0] && m[1]!.length >= fence.length && raw.trim() === m[1];
      out.push({ n: i + 1, text: raw, inCode: true });
      if (closes) fence = undefined;
    } else {
      out.push({ n: i + 1, text: raw, inCode: false });
    }
  });
  return out;
}

/** `### Task 1: x` -> level 3 and `Task 1: x` (emphasis around the whole text removed). */
export function headingOf(line: Line): { level: number; text: string } | undefined {
  if (line.inCode) return undefined;
  const m = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line.text);
  if (!m) return undefined;
  return { level: m[1]!.length, text: stripEmphasis(m[2] ?? '') };
}

/** Removes `**`/`__` emphasis markers and a trailing colon-less bold wrap; keeps code spans. */
export function stripEmphasis(text: string): string {
  return text.replace(/(\*\*|__)(.+?)\1/g, '$2').trim();
}

/** A list item: `- x`, `* x`, `1. x`, `2) x`, with an optional checkbox `- [ ] x`. */
export interface ListItem {
  indent: number;
  /** 'bullet', 'number' or 'checkbox': a list that changes style after a blank line is a new list. */
  style: 'bullet' | 'number' | 'checkbox';
  text: string;
}

export function listItemOf(text: string): ListItem | undefined {
  const m = /^(\s*)([-*+]|\d+[.)])[ \t]+(\[[ xX]\][ \t]*)?(.*)$/.exec(text);
  if (!m) return undefined;
  const style = m[3] ? 'checkbox' : /\d/.test(m[2]!) ? 'number' : 'bullet';
  return { indent: m[1]!.replace(/\t/g, '    ').length, style, text: m[4]!.trim() };
}

export function isBlank(text: string): boolean {
  return text.trim() === '';
}

/** `---`, `***`, `___` on their own line. */
export function isRule(text: string): boolean {
  return /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/.test(text);
}

/**
 * A label line such as `**Files:**`, `**Done when**: x`, `Depends on: Task 1`
 * or `**파일:**`, with what follows it on the same line. Only the known labels
 * (words.ts) count, so an ordinary sentence with a colon is left alone.
 */
export function labelOf(text: string): { label: LabelKind; rest: string } | undefined {
  const s = text.trim();
  const bold = /^(\*\*|__)(.+?)\1\s*(.*)$/.exec(s);
  if (bold) {
    let name = bold[2]!.trim();
    let rest = bold[3]!.trim();
    const colonInside = /[:：]$/.test(name);
    const colonAfter = /^[:：]/.test(rest);
    if (!colonInside && !colonAfter && rest !== '') return undefined;
    if (colonInside) name = name.slice(0, -1);
    if (colonAfter) rest = rest.slice(1).trim();
    const label = labelKind(name);
    return label ? { label, rest } : undefined;
  }
  const plain = /^([^:：`*]{1,40}?)\s*[:：]\s*(.*)$/.exec(s);
  if (!plain) return undefined;
  const label = labelKind(plain[1]!);
  return label ? { label, rest: plain[2]!.trim() } : undefined;
}

/** The contents of every inline code span in `text`. */
export function codeSpans(text: string): string[] {
  return [...text.matchAll(/(`+)([^`]|[^`].*?[^`])\1(?!`)/g)].map((m) => m[2]!.trim());
}
