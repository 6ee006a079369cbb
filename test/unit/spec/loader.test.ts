import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseSpecText, validateSpec } from '../../../shared/spec/loader.ts';
import { rejected, VALID } from './loader-helpers.ts';

describe('formatProblem', () => {
  it('writes file:line:column: field: message and leaves out what is unknown', () => {
    expect(
      formatProblem({ file: 'specs/active/x.yaml', line: 12, column: 5, field: 'tasks[2].dependsOn[0]', kind: 'graph', message: "unknown task 'foo'" }),
    ).toBe("specs/active/x.yaml:12:5: tasks[2].dependsOn[0]: unknown task 'foo'");
    expect(formatProblem({ file: 'x.yaml', line: 3, kind: 'syntax', message: 'bad' })).toBe('x.yaml:3: bad');
    expect(formatProblem({ file: 'x.yaml', kind: 'limit', message: 'too big' })).toBe('x.yaml: too big');
  });
});

describe('parseSpecText', () => {
  it('returns the spec with defaults, the document and the sha256 of the text', () => {
    const parsed = parseSpecText(VALID, 'specs/active/demo.yaml');
    expect(parsed.text).toBe(VALID);
    expect(parsed.hash).toBe(createHash('sha256').update(VALID).digest('hex'));
    expect(parsed.spec).toMatchObject({ id: 'demo', priority: 'medium', checks: [], review: {}, changeLog: [] });
    expect(parsed.doc.getIn(['tasks', 1, 'dependsOn', 0])).toBe('a');
  });

  it('reports every problem in one pass, sorted by line', () => {
    const text = [
      'id: Demo', // 1: bad id
      'title: Demo',
      'colour: blue', // 3: unknown field
      'repo:',
      '  path: ../..',
      'tasks:',
      '  - id: a',
      '    title: A',
      '    files: [../outside]', // 9: escapes the repo
      '    dependsOn: [b]',
      '  - id: b',
      '    title: B',
      '    maxAttempts: 0', // 13: below the minimum
      '    dependsOn: [a, ghost]', // 14: cycle a -> b -> a is reported at line 10; ghost is unknown
      '',
    ].join('\n');
    const err = rejected(text, 'x.yaml');
    expect(err.parsed).toBe(true);
    expect(err.problems.map((p) => [p.line, p.field, p.kind])).toEqual([
      [1, 'id', 'schema'],
      [3, 'colour', 'schema'],
      [9, 'tasks[0].files[0]', 'path'],
      [10, 'tasks[0].dependsOn[0]', 'graph'],
      [13, 'tasks[1].maxAttempts', 'schema'],
      [14, 'tasks[1].dependsOn[1]', 'graph'],
    ]);
    expect(err.problems[3]?.message).toBe('dependency cycle: a -> b -> a (each task depends on the next)');
    expect(err.message).toMatch(/^x\.yaml is not a valid spec \(6 problems\):\n {2}x\.yaml:1:5: id: /);
  });

  it('reports independent cycles separately', () => {
    const task = (id: string, dep: string) => `  - id: ${id}\n    title: ${id}\n    dependsOn: [${dep}]\n`;
    const text = `id: demo\ntitle: Demo\nrepo:\n  path: .\ntasks:\n${task('a', 'b')}${task('b', 'a')}${task('c', 'd')}${task('d', 'c')}`;
    const cycles = rejected(text).problems.filter((p) => p.message.startsWith('dependency cycle'));
    expect(cycles.map((p) => p.message.split(' (')[0])).toEqual(['dependency cycle: a -> b -> a', 'dependency cycle: c -> d -> c']);
  });

  it('hands back a document the store can mark rejected without losing comments', () => {
    const err = rejected(`# my notes\n${VALID.replace('title: Demo', 'title: 7  # a number, by mistake')}`);
    expect(err.parsed).toBe(true);
    err.doc!.set('status', 'rejected');
    const rewritten = err.doc!.toString();
    expect(rewritten).toContain('# my notes');
    expect(rewritten).toContain('# a number, by mistake');
    expect(rewritten).toContain('status: rejected');
  });

  it('serialises to a JSON error body with every problem', () => {
    const body = rejected(VALID.replace('id: demo', 'id: "no good"')).toJSON();
    expect(body.error.code).toBe('SPEC_INVALID');
    expect(body.error.details).toEqual([expect.objectContaining({ field: 'id', line: 1, kind: 'schema' })]);
  });
});

describe('validateSpec', () => {
  it('checks a plain object and reports fields without positions', () => {
    const result = validateSpec({ id: 'x', title: 'X', repo: { path: '.' }, tasks: [{ id: 'a', title: 'A', dependsOn: ['a'] }] }, { file: 'api' });
    expect(result.spec).toBeUndefined();
    expect(result.problems).toEqual([{ file: 'api', field: 'tasks[0].dependsOn[0]', kind: 'graph', message: "task 'a' depends on itself" }]);
  });

  it('returns the parsed spec when there is nothing wrong', () => {
    const result = validateSpec({ id: 'x', title: 'X', repo: { path: '.' }, tasks: [{ id: 'a', title: 'A' }] });
    expect(result.problems).toEqual([]);
    expect(result.spec?.tasks[0]).toMatchObject({ id: 'a', status: 'pending', files: [] });
  });
});
