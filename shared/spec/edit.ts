/**
 * Writes system-owned fields into a YAML text by splicing only the lines that
 * hold them, so every other byte (comments, blank lines, quoting, indentation,
 * long lines) stays exactly as the user wrote it. Each result is parsed back
 * and compared with the intended data; if a splice cannot be made or does not
 * read back right, the yaml `Document` stringifier is used instead (it keeps
 * comments and key order but may reformat).
 */
import { isDeepStrictEqual } from 'node:util';
import YAML, { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import { NightshiftError } from '../errors.ts';

export type YamlPath = readonly (string | number)[];

/** Set (or, with `value: undefined`, delete) `key` of the mapping at `at`; or append `items` to the sequence at `at.key`. */
export type FieldEdit =
  | { kind: 'set'; at: YamlPath; key: string; value: unknown }
  | { kind: 'append'; at: YamlPath; key: string; items: unknown[] };

interface Splice {
  start: number;
  end: number;
  insert: string;
}

/** Parses a candidate text for the read-back check. @default YAML.parseDocument */
export type ParseText = (text: string) => Document;

/**
 * Applies `edits` to `text` (`doc` must be parsed from exactly `text`); returns
 * the new text, after checking that it reads back as intended. `parse` lets
 * the store read it back through its own (cached) parser, so the new text is
 * parsed once, not twice.
 */
export function applyEdits(text: string, doc: Document, edits: readonly FieldEdit[], parse: ParseText = (t) => YAML.parseDocument(t)): string {
  const expected = expectedData(doc, edits);
  const spliced = trySplice(text, doc, edits);
  if (spliced !== undefined && readsAs(parse(spliced), expected)) return spliced;
  const viaDoc = stringifyWithEdits(doc, edits);
  if (readsAs(parse(viaDoc), expected)) return viaDoc;
  throw new NightshiftError('INTERNAL', 'writing system fields into the spec did not read back as intended');
}

function readsAs(doc: Document, expected: unknown): boolean {
  return doc.errors.length === 0 && isDeepStrictEqual(doc.toJS(), expected);
}

function expectedData(doc: Document, edits: readonly FieldEdit[]): unknown {
  const data: unknown = doc.toJS();
  for (const e of edits) {
    let obj: unknown = data;
    for (const seg of e.at) obj = (obj as Record<string | number, unknown> | undefined)?.[seg];
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new NightshiftError('INTERNAL', `cannot write ${[...e.at, e.key].join('.')}: its parent is not a mapping`);
    }
    const map = obj as Record<string, unknown>;
    if (e.kind === 'append') map[e.key] = [...((map[e.key] as unknown[] | undefined) ?? []), ...e.items];
    else if (e.value === undefined) delete map[e.key];
    else map[e.key] = e.value;
  }
  return data;
}

function stringifyWithEdits(doc: Document, edits: readonly FieldEdit[]): string {
  const copy = doc.clone();
  for (const e of edits) {
    const path = [...e.at, e.key];
    const seq = copy.getIn(path, true);
    if (e.kind === 'append' && isSeq(seq)) {
      for (const item of e.items) seq.add(copy.createNode(item));
      seq.flow = false;
    } else if (e.kind === 'append') copy.setIn(path, copy.createNode(e.items));
    else if (e.value === undefined) copy.deleteIn(path);
    else copy.setIn(path, isScalarValue(e.value) ? e.value : copy.createNode(e.value));
  }
  return copy.toString({ lineWidth: 0 });
}

function trySplice(text: string, doc: Document, edits: readonly FieldEdit[]): string | undefined {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const splices: Splice[] = [];
  for (const e of edits) {
    const s = spliceFor(text, doc, e, eol);
    if (!s) return undefined;
    splices.push(s);
  }
  // Stable sort keeps several inserts at one spot in the order they were asked for.
  splices.sort((a, b) => a.start - b.start);
  let out = '';
  let cursor = 0;
  for (const s of splices) {
    if (s.start < cursor) return undefined; // overlapping edits: let the Document do it
    out += text.slice(cursor, s.start) + s.insert;
    cursor = s.end;
  }
  return out + text.slice(cursor);
}

function spliceFor(text: string, doc: Document, e: FieldEdit, eol: string): Splice | undefined {
  const map = e.at.length === 0 ? doc.contents : doc.getIn(e.at, true);
  if (!isMap(map) || map.flow || map.items.length === 0) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === e.key);
  const keyNode = pair?.key as Node | undefined;
  const value = (pair?.value ?? undefined) as Node | undefined;
  if (e.kind === 'append') {
    if (!pair) return spliceFor(text, doc, { kind: 'set', at: e.at, key: e.key, value: e.items }, eol);
    if (!isSeq(value) || value.flow || value.items.length === 0 || !value.range) return undefined;
    const pos = lineEndAfter(text, value.range[1]);
    return { start: pos.at, end: pos.at, insert: pos.prefix + indentLines(YAML.stringify(e.items, { lineWidth: 0 }), column(text, value.range[0]), eol) };
  }
  if (!pair) {
    if (e.value === undefined) return { start: 0, end: 0, insert: '' };
    const first = map.items[0]?.key as Node | undefined;
    const last = map.items[map.items.length - 1];
    if (!first?.range || !last) return undefined;
    const col = column(text, first.range[0]);
    const pos = lineEndAfter(text, endOf(last.key as Node, last.value as Node | null));
    return { start: pos.at, end: pos.at, insert: `${pos.prefix}${' '.repeat(col)}${e.key}:${afterColon(e.value, col, eol)}${eol}` };
  }
  if (!keyNode?.range) return undefined;
  if (e.value === undefined) {
    const start = text.lastIndexOf('\n', keyNode.range[0] - 1) + 1;
    if (text.slice(start, keyNode.range[0]).trim() !== '') return undefined; // `- key:` opens an item
    return { start, end: lineEndAfter(text, endOf(keyNode, value ?? null)).at, insert: '' };
  }
  if (isScalar(value) && value.range && isScalarValue(e.value) && !value.anchor && !value.tag && !String(value.type).startsWith('BLOCK')) {
    return { start: value.range[0], end: value.range[1], insert: inlineScalar(e.value) };
  }
  const colon = colonAfter(text, keyNode.range[1]);
  if (colon === undefined || (value && (value.anchor || value.tag))) return undefined;
  let end = value?.range ? value.range[1] : colon + 1;
  while (end > colon + 1 && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
  return { start: colon + 1, end, insert: afterColon(e.value, column(text, keyNode.range[0]), eol) };
}

function endOf(key: Node, value: Node | null): number {
  return Math.max(key.range?.[1] ?? 0, value?.range?.[1] ?? 0);
}

/** Where a new line goes after offset `end`: the start of the next line (with a newline to add at EOF). */
function lineEndAfter(text: string, end: number): { at: number; prefix: string } {
  if (end > 0 && text[end - 1] === '\n') return { at: end, prefix: '' };
  const nl = text.indexOf('\n', end);
  return nl === -1 ? { at: text.length, prefix: text.includes('\r\n') ? '\r\n' : '\n' } : { at: nl + 1, prefix: '' };
}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

function colonAfter(text: string, from: number): number | undefined {
  let i = from;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return text[i] === ':' ? i : undefined;
}

function isScalarValue(v: unknown): v is string | number | boolean | null {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

/** A scalar on one line: plain when yaml would write it plain, else a double-quoted (JSON) string. */
function inlineScalar(v: string | number | boolean | null): string {
  const plain = YAML.stringify(v, { lineWidth: 0 }).replace(/\r?\n$/, '');
  if (!plain.includes('\n')) return plain;
  // JSON strings are YAML double-quoted scalars; also escape C1 controls, which YAML forbids raw.
  return JSON.stringify(v).replace(/[\u0080-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The text after `key:`: ` scalar`, ` []`, ` {}`, or a newline and a block indented under the key. */
function afterColon(v: unknown, keyCol: number, eol: string): string {
  if (isScalarValue(v)) return ` ${inlineScalar(v)}`;
  if (Array.isArray(v) && v.length === 0) return ' []';
  if (typeof v === 'object' && v !== null && Object.keys(v).length === 0) return ' {}';
  return eol + indentLines(YAML.stringify(v, { lineWidth: 0 }), keyCol + 2, eol).replace(/\r?\n$/, '');
}

function indentLines(block: string, col: number, eol: string): string {
  const pad = ' '.repeat(col);
  const lines = block.replace(/\n$/, '').split('\n');
  return lines.map((l) => (l === '' ? '' : pad + l)).join(eol) + eol;
}
