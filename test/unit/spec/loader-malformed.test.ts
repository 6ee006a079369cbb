import { describe, expect, it } from 'vitest';
import type { SpecProblem } from '../../../shared/spec/problems.ts';
import { rejected, VALID } from './loader-helpers.ts';

interface Case {
  name: string;
  text: string;
  /** The problem that must be among those reported. */
  want: Omit<Partial<SpecProblem>, 'message'> & { message: RegExp };
  /** Whether the YAML parsed into a mapping (the store may mark it rejected in place). */
  parsed: boolean;
}

const cases: Case[] = [
  {
    name: 'unterminated flow list',
    text: 'id: demo\ntitle: Demo\ntags: [a, b\nrepo:\n  path: .\n',
    want: { line: 4, column: 1, kind: 'syntax', message: /YAML syntax error: Flow sequence/ },
    parsed: false,
  },
  {
    name: 'tab used as indentation',
    text: 'id: demo\nrepo:\n\tpath: .\n',
    want: { line: 3, column: 1, kind: 'syntax', message: /Tabs are not allowed/ },
    parsed: false,
  },
  {
    name: 'duplicate key',
    text: VALID.replace('    title: B\n', '    title: B\n    title: C\n'),
    want: { line: 11, column: 5, kind: 'syntax', message: /duplicate key 'title'/ },
    parsed: false,
  },
  {
    name: 'two YAML documents in one file',
    text: `${VALID}---\nid: other\n`,
    want: { line: 12, kind: 'syntax', message: /multiple documents/ },
    parsed: false,
  },
  {
    name: 'alias to an anchor that does not exist',
    text: VALID.replace('title: Demo', 'title: *nowhere'),
    want: { kind: 'syntax', message: /Unresolved alias.*nowhere/ },
    parsed: false,
  },
  {
    name: 'top level is a list',
    text: '- id: demo\n- title: Demo\n',
    want: { line: 1, column: 1, kind: 'schema', message: /top level must be a mapping.*it is a list/ },
    parsed: false,
  },
  {
    name: 'top level is plain text',
    text: 'please add a CSV export\n',
    want: { line: 1, kind: 'schema', message: /top level must be a mapping.*a piece of text/ },
    parsed: false,
  },
  {
    name: 'empty file',
    text: '# nothing here yet\n',
    want: { kind: 'schema', message: /the file is empty/ },
    parsed: false,
  },
  {
    name: 'missing required top-level field',
    text: VALID.replace('title: Demo\n', ''),
    want: { field: 'title', line: 1, column: 1, kind: 'schema', message: /required field is missing/ },
    parsed: true,
  },
  {
    name: 'missing task title points at the task',
    text: VALID.replace('    title: B\n', ''),
    want: { field: 'tasks[1].title', line: 9, column: 5, kind: 'schema', message: /required field is missing/ },
    parsed: true,
  },
  {
    name: 'wrong type',
    text: VALID.replace('title: Demo', 'title: 42'),
    want: { field: 'title', line: 2, column: 8, kind: 'schema', message: /expected string, got 42/ },
    parsed: true,
  },
  {
    name: 'check written as a shell string instead of argv',
    text: `${VALID}checks:\n  - name: test\n    run: npm test\n`,
    want: { field: 'checks[0].run', line: 14, column: 10, kind: 'schema', message: /expected array, got 'npm test'/ },
    parsed: true,
  },
  {
    name: 'unknown top-level field with a suggestion',
    text: VALID.replace('title: Demo\n', 'title: Demo\nprority: high\n'),
    want: { field: 'prority', line: 3, column: 1, kind: 'schema', message: /unknown field 'prority' \(did you mean 'priority'\?\)/ },
    parsed: true,
  },
  {
    name: 'unknown task field in snake case',
    text: VALID.replace('    dependsOn: [a]', '    depends_on: [a]'),
    want: { field: 'tasks[1].depends_on', line: 11, column: 5, message: /did you mean 'dependsOn'/ },
    parsed: true,
  },
  {
    name: 'bad enum value',
    text: VALID.replace('title: Demo\n', 'title: Demo\npriority: urgent\n'),
    want: { field: 'priority', line: 3, column: 11, message: /must be one of low, medium, high, critical; got 'urgent'/ },
    parsed: true,
  },
  {
    name: 'unknown agent kind',
    text: `${VALID}agent:\n  kind: gpt\n`,
    want: { field: 'agent.kind', line: 13, column: 9, message: /must be one of command, opencode, claude, codex, aider; got 'gpt'/ },
    parsed: true,
  },
  {
    name: 'command agent without its command',
    text: `${VALID}agent:\n  kind: command\n  timeoutSeconds: 5\n`,
    want: { field: 'agent.command', line: 13, column: 3, message: /required field is missing/ },
    parsed: true,
  },
  {
    name: 'spec id with spaces and capitals',
    text: VALID.replace('id: demo', 'id: My Spec'),
    want: { field: 'id', line: 1, column: 5, kind: 'schema', message: /spec id must be .*got 'My Spec'/ },
    parsed: true,
  },
  {
    name: "spec id with '..'",
    text: VALID.replace('id: demo', 'id: a..b'),
    want: { field: 'id', line: 1, column: 5, message: /spec id must not contain '\.\.'/ },
    parsed: true,
  },
  {
    name: 'no tasks',
    text: 'id: demo\ntitle: Demo\nrepo:\n  path: .\ntasks: []\n',
    want: { field: 'tasks', line: 5, column: 8, message: /at least one task/ },
    parsed: true,
  },
  {
    name: 'tasks is a mapping, not a list',
    text: 'id: demo\ntitle: Demo\nrepo:\n  path: .\ntasks:\n  a:\n    title: A\n',
    want: { field: 'tasks', line: 6, column: 3, message: /expected array, got a mapping/ },
    parsed: true,
  },
  {
    name: 'duplicate task id',
    text: VALID.replace('  - id: b', '  - id: a'),
    want: { field: 'tasks[1].id', line: 9, column: 9, kind: 'graph', message: /duplicate task id 'a' \(also used by tasks\[0\]\)/ },
    parsed: true,
  },
  {
    name: 'unknown dependency',
    text: VALID.replace('dependsOn: [a]', 'dependsOn: [a, foo]'),
    want: { field: 'tasks[1].dependsOn[1]', line: 11, column: 20, kind: 'graph', message: /unknown task 'foo'/ },
    parsed: true,
  },
  {
    name: 'task depends on itself',
    text: VALID.replace('dependsOn: [a]', 'dependsOn: [b]'),
    want: { field: 'tasks[1].dependsOn[0]', line: 11, column: 17, kind: 'graph', message: /task 'b' depends on itself/ },
    parsed: true,
  },
  {
    name: 'dependency cycle is named',
    text: `${VALID.replace('    files: [src/a.ts]', '    dependsOn: [c]')}  - id: c\n    title: C\n    dependsOn: [b]\n`,
    want: { field: 'tasks[0].dependsOn[0]', line: 8, column: 17, kind: 'graph', message: /dependency cycle: a -> c -> b -> a/ },
    parsed: true,
  },
  {
    name: "file path with '..'",
    text: VALID.replace('files: [src/a.ts]', 'files: [src/../../etc/passwd]'),
    want: { field: 'tasks[0].files[0]', line: 8, column: 13, kind: 'path', message: /'\.\.' segment/ },
    parsed: true,
  },
  {
    name: 'absolute file path',
    text: VALID.replace('files: [src/a.ts]', 'files: [src/a.ts, /etc/passwd]'),
    want: { field: 'tasks[0].files[1]', line: 8, column: 23, kind: 'path', message: /is absolute/ },
    parsed: true,
  },
  {
    name: 'home-relative file path',
    text: VALID.replace('files: [src/a.ts]', 'files: ["~/.ssh/id_rsa"]'),
    want: { field: 'tasks[0].files[0]', line: 8, kind: 'path', message: /starts with '~'/ },
    parsed: true,
  },
  {
    name: 'backslash in a file path',
    text: VALID.replace('files: [src/a.ts]', 'files: ["src\\\\a.ts"]'),
    want: { field: 'tasks[0].files[0]', line: 8, kind: 'path', message: /backslash/ },
    parsed: true,
  },
  {
    name: 'NUL byte in a file path',
    text: VALID.replace('files: [src/a.ts]', 'files: ["src/a.ts\\0"]'),
    want: { field: 'tasks[0].files[0]', line: 8, kind: 'path', message: /NUL byte/ },
    parsed: true,
  },
  {
    name: 'Windows drive path in review.deny',
    text: `${VALID}review:\n  deny: ['C:/Windows/**']\n`,
    want: { field: 'review.deny[0]', line: 13, column: 10, kind: 'path', message: /drive letter/ },
    parsed: true,
  },
  {
    name: 'base branch that git would read as an option',
    text: VALID.replace('  path: ../..', '  path: ../..\n  base: --upload-pack=x'),
    want: { field: 'repo.base', line: 5, column: 9, message: /starts with '-'.*git branch name/ },
    parsed: true,
  },
  {
    name: 'description longer than the text limit',
    text: VALID.replace('title: Demo\n', `title: Demo\ndescription: ${'x'.repeat(64 * 1024 + 1)}\n`),
    want: { field: 'description', line: 3, kind: 'limit', message: /65536/ },
    parsed: true,
  },
];

describe('parseSpecText rejects malformed specs with file, line and field', () => {
  it.each(cases)('$name', ({ text, want, parsed }) => {
    const err = rejected(text, 'specs/active/x.yaml');
    expect(err.code).toBe('SPEC_INVALID');
    expect(err.parsed).toBe(parsed);
    expect(err.doc !== undefined).toBe(parsed);
    expect(err.details).toBe(err.problems);
    const { message, ...where } = want;
    const hit = err.problems.find((p) => message.test(p.message));
    expect(hit, `no problem matching ${message} in:\n${err.message}`).toBeDefined();
    expect(hit).toMatchObject({ file: 'specs/active/x.yaml', ...where });
    // The error's own message lists the problem with its position, ready to show a person.
    expect(err.message).toContain('specs/active/x.yaml');
    if (where.line !== undefined) expect(err.message).toContain(`specs/active/x.yaml:${where.line}:`);
    if (where.field !== undefined) expect(err.message).toContain(`${where.field}: `);
  });

  it('covers at least 15 distinct malformed inputs', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBeGreaterThanOrEqual(15);
  });
});
