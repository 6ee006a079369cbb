import { createHash } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NightshiftError } from '../../../shared/errors.ts';
import { loadSpec, parseSpecText } from '../../../shared/spec/loader.ts';
import { SpecInvalidError } from '../../../shared/spec/problems.ts';
import { SPEC_LIMITS } from '../../../shared/spec/schema.ts';
import { rejected, VALID } from './loader-helpers.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nightshift-loader-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadError(file: string): Promise<unknown> {
  return loadSpec(file).then(
    () => new Error(`expected ${file} to be rejected`),
    (err: unknown) => err,
  );
}

describe('size limits', () => {
  it('rejects text over 1 MiB without parsing it', () => {
    // Broken YAML: if it were parsed, the error would be a syntax error, not SPEC_TOO_LARGE.
    const text = `${VALID}description: [unclosed\n${'#'.repeat(SPEC_LIMITS.maxBytes)}`;
    const err = rejected(text);
    expect(err.code).toBe('SPEC_TOO_LARGE');
    expect(err.parsed).toBe(false);
    expect(err.problems).toEqual([expect.objectContaining({ kind: 'limit', file: 'specs/active/x.yaml' })]);
    expect(err.message).toMatch(/1048576 bytes/);
  });

  it('counts bytes, not characters', () => {
    // 'é' is two bytes in UTF-8: 600k of them is under 1 Mi characters but over 1 MiB.
    const err = rejected(`${VALID}description: ${'é'.repeat(600_000)}\n`);
    expect(err.code).toBe('SPEC_TOO_LARGE');
  });

  it('loadSpec checks the size before reading: a 1 GiB sparse file is refused from its size', async () => {
    const file = join(dir, 'huge.yaml');
    const handle = await open(file, 'w');
    await handle.truncate(1024 * 1024 * 1024);
    await handle.close();
    const err = await loadError(file);
    expect(err).toBeInstanceOf(SpecInvalidError);
    expect(err).toMatchObject({ code: 'SPEC_TOO_LARGE', parsed: false, file });
    expect((err as SpecInvalidError).message).toContain('1073741824 bytes');
  });

  it('loadSpec accepts a file of exactly the limit and refuses one byte more', async () => {
    const padded = (n: number) => VALID + '#'.repeat(n - Buffer.byteLength(VALID) - 1) + '\n';
    const atLimit = join(dir, 'at-limit.yaml');
    const over = join(dir, 'over.yaml');
    await writeFile(atLimit, padded(SPEC_LIMITS.maxBytes));
    await writeFile(over, padded(SPEC_LIMITS.maxBytes + 1));
    await expect(loadSpec(atLimit)).resolves.toMatchObject({ spec: { id: 'demo' } });
    expect(await loadError(over)).toMatchObject({ code: 'SPEC_TOO_LARGE' });
  });

  it('rejects more tasks than the limit as a limit problem', () => {
    const tasks = Array.from({ length: SPEC_LIMITS.maxTasks + 1 }, (_, i) => `  - id: t${i}\n    title: T\n`).join('');
    const err = rejected(`id: demo\ntitle: Demo\nrepo:\n  path: .\ntasks:\n${tasks}`);
    expect(err.problems).toContainEqual(
      expect.objectContaining({ field: 'tasks', line: 6, kind: 'limit', message: `too many tasks: 2001; the limit is 2000` }),
    );
  });
});

describe('hostile YAML', () => {
  it('rejects an alias bomb instead of expanding it', () => {
    // Nine levels of nine aliases each: 9^9 (387 million) strings if expanded.
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [prev, name] of [...'abcdefgh'].map((c, i) => [c, 'bcdefghi'[i]!])) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const err = rejected(`${lines.join('\n')}\n`);
    expect(err.parsed).toBe(false);
    expect(err.problems).toEqual([expect.objectContaining({ kind: 'limit', message: expect.stringMatching(/aliases .* expand to too much/) })]);
  });

  it('still accepts a few ordinary aliases', () => {
    const text = `${VALID}checks:\n  - &tests\n    name: tests\n    run: [npm, test]\nagent:\n  kind: command\n  command: [node, run.js]\n`;
    expect(parseSpecText(text, 'x.yaml').spec.checks[0]?.run).toEqual(['npm', 'test']);
    const aliased = VALID.replace('    title: B\n', '    title: B\n    checks: [*tests]\n').replace(
      'tasks:',
      'checks:\n  - &tests\n    name: tests\n    run: [npm, test]\ntasks:',
    );
    expect(parseSpecText(aliased, 'x.yaml').spec.tasks[1]?.checks).toEqual([{ name: 'tests', run: ['npm', 'test'] }]);
  });

  it('rejects half a megabyte of nested brackets before the parser sees them', () => {
    const depth = 500_000;
    const err = rejected(`id: demo\ntitle: Demo\ndescription: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    expect(err.parsed).toBe(false);
    expect(err.problems).toEqual([expect.objectContaining({ line: 3, column: 78, kind: 'limit', message: 'brackets are nested more than 64 deep' })]);
  });

  it('does not count brackets inside quoted text or block scalars', () => {
    const many = '['.repeat(200);
    const text = VALID.replace('title: Demo\n', `title: "${many}"\ndescription: |\n  ${many}\n`);
    expect(parseSpecText(text, 'x.yaml').spec.title).toBe(many);
  });

  it('rejects deep block nesting', () => {
    const err = rejected(`id: demo\ndescription:\n  ${'- '.repeat(100)}x\n`);
    expect(err.parsed).toBe(false);
    expect(err.problems[0]).toMatchObject({ kind: 'limit', message: 'the YAML is nested more than 64 levels deep' });
  });

  it('caps the list of problems and says how many more there are', () => {
    const tasks = Array.from({ length: 300 }, (_, i) => `  - id: t${i}\n    title: T\n    dependsOn: [missing${i}]\n`).join('');
    const err = rejected(`id: demo\ntitle: Demo\nrepo:\n  path: .\ntasks:\n${tasks}`);
    expect(err.problems).toHaveLength(200);
    expect(err.problems[199]).toMatchObject({ kind: 'limit', message: '101 more problems not listed; fix the ones above first' });
  });
});

describe('loadSpec', () => {
  it('says SPEC_NOT_FOUND for a missing file', async () => {
    const err = await loadError(join(dir, 'nope.yaml'));
    expect(err).toBeInstanceOf(NightshiftError);
    expect(err).not.toBeInstanceOf(SpecInvalidError);
    expect(err).toMatchObject({ code: 'SPEC_NOT_FOUND', status: 404 });
    expect((err as Error).message).toContain('nope.yaml');
  });

  it('refuses a directory and bytes that are not UTF-8, as unparsed', async () => {
    const binary = join(dir, 'binary.yaml');
    await writeFile(binary, Buffer.from([0x69, 0x64, 0x3a, 0x20, 0xff, 0xfe, 0x0a]));
    expect(await loadError(binary)).toMatchObject({ code: 'SPEC_INVALID', parsed: false, problems: [expect.objectContaining({ message: 'the file is not UTF-8 text' })] });
    expect(await loadError(dir)).toMatchObject({ code: 'SPEC_INVALID', parsed: false });
  });

  it('returns the spec, the document with its comments, and the sha256 of the bytes (BOM included)', async () => {
    const file = join(dir, 'bom.yaml');
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`# keep me\n${VALID}`)]);
    await writeFile(file, bytes);
    const loaded = await loadSpec(file);
    expect(loaded.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(loaded.text.startsWith('\uFEFF# keep me')).toBe(true);
    expect(loaded.doc.toString()).toContain('# keep me');
    expect(loaded.spec).toMatchObject({ id: 'demo', priority: 'medium', status: 'pending', repo: { base: 'main' } });
    expect(loaded.spec.tasks.map((t) => [t.id, t.status, t.attempts, t.dependsOn])).toEqual([
      ['a', 'pending', 0, []],
      ['b', 'pending', 0, ['a']],
    ]);
  });
});
