/**
 * Hints for the next prompt from similar resolved failures.
 */
import { describe, expect, test } from 'vitest';
import { buildHints } from '../../shared/learn/hints.ts';

describe('buildHints', () => {
  const past = [
    { normalized: "parser.ts(<n>,<n>): error TS2304: Cannot find name 'tokenize'.", resolution: 'Imported tokenize from ./lexer.ts', distance: 0.12 },
    { normalized: 'CONFLICT (content): Merge conflict in routes.ts', resolution: 'Rebased on the new head', distance: 0.8 },
    { normalized: "a.ts(<n>,<n>): error TS2304: Cannot find name 'x'.", resolution: null, distance: 0.05 },
    { normalized: "b.ts(<n>,<n>): error TS2304: Cannot find name 'y'.", resolution: 'Imported tokenize from ./lexer.ts', distance: 0.2 },
    { normalized: "c.ts(<n>,<n>): error TS2304: Cannot find name 'z'.", resolution: 'Declared z in scope', distance: 0.3 },
  ];

  test('nearest first, within the distance, with a resolution, no repeated resolution', () => {
    expect(buildHints(past)).toEqual([
      `A similar failure (similarity 0.88: "parser.ts(<n>,<n>): error TS2304: Cannot find name 'tokenize'.") was resolved by: Imported tokenize from ./lexer.ts`,
      `A similar failure (similarity 0.70: "c.ts(<n>,<n>): error TS2304: Cannot find name 'z'.") was resolved by: Declared z in scope`,
    ]);
  });

  test('maxHints and maxDistance limit the list; nothing similar gives no hints', () => {
    expect(buildHints(past, { maxHints: 1 })).toHaveLength(1);
    expect(buildHints(past, { maxDistance: 0.1 })).toEqual([]);
    expect(buildHints(past, { maxDistance: 1 })).toHaveLength(3);
    expect(buildHints([])).toEqual([]);
  });

  test('long errors and resolutions are clipped to one line', () => {
    const [hint] = buildHints([{ normalized: 'e\n'.repeat(500), resolution: 'r '.repeat(1000), distance: 0 }], { maxErrorChars: 20, maxResolutionChars: 30 });
    expect(hint).toBe('A similar failure (similarity 1.00: "e e e e e e e e e e…") was resolved by: r r r r r r r r r r r r r r r…');
  });
});
