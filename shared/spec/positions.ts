/**
 * Maps a field's key path (as zod reports it, e.g. `['tasks', 2, 'dependsOn', 0]`)
 * back to a line and column in the YAML text, using the node ranges that
 * `yaml` keeps and a LineCounter.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

/** A 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** Finds where a field is; see `makeLocator`. */
export type Locator = (path: readonly PropertyKey[], atKey?: boolean) => Position | undefined;

type Range = readonly [number, number, number];

function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && !!node.range && node.range[0] === node.range[1];
}

/**
 * A locator over one parsed document. For a field that exists it gives the
 * start of its value (or of its key when `atKey` is true or the value is
 * empty); for a missing field, the start of the nearest enclosing node that
 * exists, so "missing field" points at the mapping that lacks it.
 */
export function makeLocator(doc: Document, lineCounter: LineCounter): Locator {
  return (path, atKey = false) => {
    let node: unknown = doc.contents;
    let best: Range | undefined = (node as { range?: Range } | null)?.range ?? undefined;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (pair === undefined) break;
        const keyRange = (pair.key as { range?: Range }).range;
        const value = pair.value as { range?: Range } | null;
        best = (last && atKey) || value === null || isEmptyScalar(value) ? (keyRange ?? best) : (value.range ?? best);
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as { range?: Range } | undefined;
        if (item === undefined) break;
        best = item.range ?? best;
        node = item;
      } else {
        break;
      }
    }
    if (best === undefined) return undefined;
    const { line, col } = lineCounter.linePos(best[0]);
    return { line, column: col };
  };
}
