/**
 * normalizeError on realistic output of compilers, test runners, linters,
 * module loaders and git: what varies goes, what names the failure stays.
 */
import { describe, expect, test } from 'vitest';
import { CUT_MARKER, normalizeError } from '../../shared/learn/normalize.ts';

describe('normalizeError', () => {
  test('tsc: the path becomes the basename, line and column go, the code and identifier stay', () => {
    expect(normalizeError("src/lib/parser.ts(12,5): error TS2304: Cannot find name 'tokenize'.")).toBe(
      "parser.ts(<n>,<n>): error TS2304: Cannot find name 'tokenize'.",
    );
    expect(normalizeError('/home/ci/w/app/src/a.ts:42:7 - error TS2322: Type \'string\' is not assignable to type \'number\'.')).toBe(
      "a.ts:<n>:<n> - error TS2322: Type 'string' is not assignable to type 'number'.",
    );
  });

  test('the same tsc failure in two workspaces normalizes to the same text', () => {
    const a = normalizeError('/tmp/ns-ws-Ab12Cd/packages/api/src/db.ts(30,28): error TS2345: Argument of type \'string | undefined\' is not assignable to parameter of type \'string\'.');
    const b = normalizeError('C:\\Users\\dev\\work\\api\\src\\db.ts(118,3): error TS2345: Argument of type \'string | undefined\' is not assignable to parameter of type \'string\'.');
    expect(a).toBe(b);
  });

  test('rustc: error codes and backticked names stay, the gutter numbers go', () => {
    const out = normalizeError('error[E0382]: borrow of moved value: `config`\n  --> src/main.rs:24:20\n   |\n19 |     let config = Config::load()?;\n   |         ------ move occurs');
    expect(out).toBe('error[E0382]: borrow of moved value: `config`\n--> main.rs:<n>:<n>\n|\n<n> | let config = Config::load()?;\n| ------ move occurs');
  });

  test('gcc and ld: object offsets become addresses, temp object names go', () => {
    const out = normalizeError("/usr/bin/ld: /tmp/ccA8fK2d.o: in function `compute':\ncalc.c:(.text+0x15): undefined reference to `sqrt'\ncollect2: error: ld returned 1 exit status");
    expect(out).toBe("ld: <tmp>.o: in function `compute':\ncalc.c:(.text+<addr>): undefined reference to `sqrt'\ncollect2: error: ld returned <n> exit status");
  });

  test('vitest: ANSI colours, durations and counts go', () => {
    const raw = '\u001b[31m FAIL \u001b[39m test/cart.test.ts > cart > discount\nAssertionError: expected 90 to be 81\n Test Files  1 failed | 12 passed (13)\n   Duration  3.42s (transform 120ms)';
    expect(normalizeError(raw)).toBe(
      'FAIL cart.test.ts > cart > discount\nAssertionError: expected <n> to be <n>\nTest Files <n> failed | <n> passed (<n>)\nDuration <dur> (transform <dur>)',
    );
  });

  test('jest and pytest: object addresses, timeouts and summary times go', () => {
    expect(normalizeError('thrown: "Exceeded timeout of 5000 ms for a test.\n    at test/api.test.js:18:3')).toBe('thrown: "Exceeded timeout of <dur> for a test.\nat api.test.js:<n>:<n>');
    expect(normalizeError('E  +  where 15 = <bound method Cart.total of <app.cart.Cart object at 0x7f3a2c1e9d50>>()\n==== 1 failed, 88 passed in 4.12s ====')).toBe(
      'E + where <n> = <bound method Cart.total of <app.cart.Cart object at <addr>>>()\n==== <n> failed, <n> passed in <dur> ====',
    );
  });

  test('eslint: the rule name and message stay', () => {
    expect(normalizeError("/builds/web/src/Modal.tsx\n  1:17  error  'useEffect' is defined but never used  @typescript-eslint/no-unused-vars")).toBe(
      "Modal.tsx\n<n>:<n> error 'useEffect' is defined but never used @typescript-eslint/no-unused-vars",
    );
  });

  test('node module errors: relative specifiers keep their last segment, scoped packages stay whole', () => {
    expect(normalizeError("Error: Cannot find module './parser'\nRequire stack:\n- /home/dev/proj/src/index.js")).toBe("Error: Cannot find module 'parser'\nRequire stack:\n- index.js");
    expect(normalizeError("Error: Cannot find module '@acme/shared'")).toBe("Error: Cannot find module '@acme/shared'");
    expect(normalizeError('npm ERR! Found: react@18.2.0 from react-table@7.8.0')).toBe('npm ERR! Found: react@<n> from react-table@<n>');
  });

  test('git: SHAs, refs and conflict paths', () => {
    expect(normalizeError('CONFLICT (content): Merge conflict in src/app/routes.ts\nerror: could not apply 3f2a9c1... Add toggle')).toBe(
      'CONFLICT (content): Merge conflict in routes.ts\nerror: could not apply <hash>... Add toggle',
    );
    expect(normalizeError("error: cannot lock ref 'refs/heads/nightshift/spec-42': is at 8c1f2e9a4b7d3c6e5f1a2b3c4d5e6f7a8b9c0d1e but expected 3f2a9c1d4e5b6a7c8d9e0f1a2b3c4d5e6f7a8b9c")).toBe(
      "error: cannot lock ref 'spec-<n>': is at <hash> but expected <hash>",
    );
  });

  test('timestamps, UUIDs, URL ports and addresses', () => {
    expect(normalizeError('2024-05-01T12:03:04.123Z [12:03:05] req 550e8400-e29b-41d4-a716-446655440000 to http://localhost:54321/v1/items/42 failed')).toBe(
      '<time> [<time>] req <uuid> to http://localhost:<port>/v1/items/<n> failed',
    );
    expect(normalizeError('segfault at 0x7ffd5a3c pid 4242')).toBe('segfault at <addr> pid <n>');
  });

  test('whitespace collapses, blank lines and \\r progress redraws go, words stay apart', () => {
    expect(normalizeError('  a\t\tb  \r\n\n\n  c   d\nprogress 10%\rprogress 100%\n')).toBe('a b\nc d\nprogress <n>%');
  });

  test('long logs keep head and tail within the cap, deterministically', () => {
    const head = 'error TS2304: Cannot find name \'first\'.\n';
    const tail = '\nFound 1 error in lib.ts';
    const long = head + 'noise line here\n'.repeat(2000) + tail;
    const out = normalizeError(long, { maxChars: 512 });
    expect(out.length).toBeLessThanOrEqual(512);
    expect(out.startsWith("error TS2304: Cannot find name 'first'.")).toBe(true);
    expect(out.endsWith('Found <n> error in lib.ts')).toBe(true);
    expect(out).toContain(CUT_MARKER);
    expect(normalizeError(long)).toBe(normalizeError(long));
    expect(normalizeError(long).length).toBeLessThanOrEqual(4096);
  });

  test('control characters in the input cannot break the URL set-aside', () => {
    expect(normalizeError('a\u0001b http://h:1/x \u0001')).toBe('ab http://h:<port>/x');
  });
});
