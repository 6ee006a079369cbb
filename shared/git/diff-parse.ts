/**
 * Parsers for `git diff-tree -z --raw` and `--numstat` output.
 */

/** How a file changed: Added, Deleted, Modified, Renamed, Copied, Type changed (file <-> symlink). */
export type ChangeStatus = 'A' | 'D' | 'M' | 'R' | 'C' | 'T';

export interface ChangedFile {
  /** Path after the change (for a deletion, the deleted path). */
  path: string;
  /** Path before a rename or copy. */
  oldPath?: string;
  status: ChangeStatus;
  /** Octal mode before ("000000" for an added file), e.g. "100644", "100755", "120000". */
  oldMode: string;
  /** Octal mode after ("000000" for a deleted file). */
  newMode: string;
  /** Blob after the change (all zeros for a deletion). */
  newBlob: string;
  /** Lines added; null for a binary file. */
  added: number | null;
  /** Lines removed; null for a binary file. */
  removed: number | null;
  binary: boolean;
}

type RawEntry = Omit<ChangedFile, 'added' | 'removed' | 'binary'>;

/** Parses `diff-tree -r -z --raw` (with -M): `:old new oldsha newsha S[score]\0path\0[newpath\0]`. */
export function parseRaw(out: Buffer): RawEntry[] {
  const parts = out.toString('utf8').split('\0');
  const entries: RawEntry[] = [];
  for (let i = 0; i < parts.length; ) {
    const head = parts[i++];
    if (!head) continue;
    const [oldMode, newMode, , newBlob, score] = head.slice(1).split(' ');
    const status = (score ?? '').charAt(0) as ChangeStatus;
    const first = parts[i++] ?? '';
    if (status === 'R' || status === 'C') {
      const second = parts[i++] ?? '';
      entries.push({ path: second, oldPath: first, status, oldMode: oldMode ?? '', newMode: newMode ?? '', newBlob: newBlob ?? '' });
    } else {
      entries.push({ path: first, status, oldMode: oldMode ?? '', newMode: newMode ?? '', newBlob: newBlob ?? '' });
    }
  }
  return entries;
}

/** Parses `diff-tree -r -z --numstat` (with -M) into counts keyed by the new path. */
export function parseNumstat(out: Buffer): Map<string, { added: number | null; removed: number | null }> {
  const parts = out.toString('utf8').split('\0');
  const counts = new Map<string, { added: number | null; removed: number | null }>();
  for (let i = 0; i < parts.length; ) {
    const head = parts[i++];
    if (!head) continue;
    const [a, r, name] = head.split('\t');
    // A rename has an empty name here, then the old and new paths as their own fields.
    let path = name ?? '';
    if (path === '') {
      i++;
      path = parts[i++] ?? '';
    }
    const num = (v: string | undefined): number | null => (v === undefined || v === '-' ? null : Number(v));
    counts.set(path, { added: num(a), removed: num(r) });
  }
  return counts;
}

/** Joins the raw entries with their line counts. */
export function joinStats(raw: RawEntry[], counts: ReturnType<typeof parseNumstat>): ChangedFile[] {
  return raw.map((e) => {
    const c = counts.get(e.path);
    const added = c?.added ?? null;
    const removed = c?.removed ?? null;
    // Symlinks and mode-only changes count 0/0 lines; only "-" means binary.
    return { ...e, added, removed, binary: c !== undefined && c.added === null };
  });
}
