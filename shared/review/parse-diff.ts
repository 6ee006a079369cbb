/**
 * A small parser of git's unified diff format (what `git diff --binary`
 * writes). Hand-written because the gate must see exactly what `git apply`
 * will apply: hunks are read by their line counts, never by guessing from a
 * line's first character, so a `+diff --git ...` line inside a file cannot end
 * a section early. See docs/decisions/review-gate.md for the libraries weighed.
 *
 * Anything it does not understand is refused with DIFF_INVALID: the gate
 * fails closed.
 */
import { readBinaryPatch } from './binary-patch.ts';
import { invalid, readPath, splitGitHeader, stripPrefix } from './git-path.ts';
import type { DiffFile } from './types.ts';

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
const MODE_HEADERS = /^(old mode|new mode|deleted file mode|new file mode) ([0-7]{6})$/;
const OTHER_HEADERS = /^(similarity index|dissimilarity index) \d+%$|^index [0-9a-f]+\.\.[0-9a-f]+( [0-7]{6})?$/;

/** Parses `git diff` output into one entry per file, in diff order. Throws DIFF_INVALID on text it cannot read. */
export function parseDiff(text: string): DiffFile[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const files: DiffFile[] = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i] === '') {
      i += 1;
      continue;
    }
    if (!lines[i]!.startsWith('diff --git ')) throw invalid(`diff line ${i + 1}: expected a "diff --git" header, got "${clip(lines[i]!)}"`);
    i = readFile(lines, i, files);
  }
  return files;
}

function readFile(lines: string[], start: number, out: DiffFile[]): number {
  const where = `diff line ${start + 1}`;
  const names = splitGitHeader(lines[start]!.slice('diff --git '.length), where);
  let oldPath: string | null | undefined = names && stripPrefix(names.a, 'a/', where);
  let newPath: string | null | undefined = names && stripPrefix(names.b, 'b/', where);
  const file: DiffFile = { oldPath: null, newPath: null, status: 'modified', binary: false, addedLines: [], removedCount: 0, addedBytes: 0 };
  let i = start + 1;

  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const at = `diff line ${i + 1}`;
    const mode = MODE_HEADERS.exec(line);
    if (mode) {
      const [, kind, value] = mode;
      if (kind === 'new file mode') (file.status = 'added'), (file.newMode = value);
      else if (kind === 'deleted file mode') (file.status = 'deleted'), (file.oldMode = value);
      else if (kind === 'old mode') file.oldMode = value;
      else file.newMode = value;
    } else if (/^(rename|copy) (from|to) /.test(line)) {
      const [verb, side] = line.split(' ') as [string, string];
      const path = readPath(line.slice(verb.length + side.length + 2), at);
      if (side === 'from') oldPath = path;
      else newPath = path;
      file.status = verb === 'rename' ? 'renamed' : 'copied';
    } else if (!OTHER_HEADERS.test(line)) {
      break;
    }
  }
  if (file.status === 'added') oldPath = null;
  if (file.status === 'deleted') newPath = null;

  if (lines[i]?.startsWith('--- ')) {
    const minus = headerPath(lines[i]!.slice(4), 'a/', `diff line ${i + 1}`);
    const plus = lines[i + 1]?.startsWith('+++ ') ? headerPath(lines[i + 1]!.slice(4), 'b/', `diff line ${i + 2}`) : undefined;
    if (plus === undefined) throw invalid(`diff line ${i + 2}: a "---" line is not followed by a "+++" line`);
    if (minus !== null || file.status === 'added') oldPath = minus;
    if (plus !== null || file.status === 'deleted') newPath = plus;
    i += 2;
    if (!HUNK.test(lines[i] ?? '')) throw invalid(`diff line ${i + 1}: expected a hunk header "@@ -a,b +c,d @@"`);
    while (HUNK.test(lines[i] ?? '')) i = readHunk(lines, i, file);
  } else if (lines[i] === 'GIT binary patch') {
    file.binary = true;
    const patch = readBinaryPatch(lines, i + 1);
    file.newSize = patch.newSize;
    i = patch.next;
  } else if (lines[i]?.startsWith('Binary files ') && lines[i]!.endsWith(' differ')) {
    file.binary = true;
    i += 1;
  } else if (lines[i] !== undefined && lines[i] !== '' && !lines[i]!.startsWith('diff --git ')) {
    throw invalid(`diff line ${i + 1}: unexpected "${clip(lines[i]!)}" in the headers of a file`);
  }

  if (oldPath === undefined || newPath === undefined) throw invalid(`${where}: cannot tell the file's name from its headers`);
  if (file.status === 'modified' && file.oldMode !== undefined && file.newMode !== undefined && !file.binary && file.addedLines.length + file.removedCount === 0) {
    file.status = 'mode';
  }
  file.oldPath = oldPath;
  file.newPath = newPath;
  out.push(file);
  return i;
}

/** Reads one hunk by its counts; returns the index of the line after it. */
function readHunk(lines: string[], start: number, file: DiffFile): number {
  const m = HUNK.exec(lines[start]!)!;
  let oldLeft = m[2] === undefined ? 1 : Number(m[2]);
  let newLeft = m[4] === undefined ? 1 : Number(m[4]);
  let newLine = Number(m[3]);
  let i = start + 1;
  let lastAdded = false;
  while (oldLeft > 0 || newLeft > 0 || lines[i]?.startsWith('\\')) {
    const line = lines[i];
    if (line === undefined) throw invalid(`diff line ${start + 1}: the hunk ends before its line counts are used up`);
    const tag = line[0];
    if (tag === '+' && newLeft > 0) {
      file.addedLines.push({ line: newLine, text: line.slice(1) });
      file.addedBytes += Buffer.byteLength(line, 'utf8'); // the text plus its newline, which the "+" stands in for
      newLine += 1;
      newLeft -= 1;
    } else if (tag === '-' && oldLeft > 0) {
      file.removedCount += 1;
      oldLeft -= 1;
    } else if ((tag === ' ' || line === '') && oldLeft > 0 && newLeft > 0) {
      // git apply takes an empty line as an empty context line too
      newLine += 1;
      oldLeft -= 1;
      newLeft -= 1;
    } else if (tag === '\\') {
      // "\ No newline at end of file": the line before it has no newline
      if (lastAdded) file.addedBytes -= 1;
    } else {
      throw invalid(`diff line ${i + 1}: "${clip(line)}" does not fit the hunk's line counts`);
    }
    lastAdded = tag === '+';
    i += 1;
  }
  return i;
}

/** The path of a `---` / `+++` line: `/dev/null` is null; git ends a plain path that holds a space with a tab. */
function headerPath(value: string, prefix: 'a/' | 'b/', where: string): string | null {
  const plain = value.startsWith('"') ? value : value.replace(/\t$/, '');
  if (plain === '/dev/null') return null;
  return stripPrefix(readPath(plain, where), prefix, where);
}

function clip(line: string): string {
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
