/**
 * The English fixture plans become exactly the tasks, files and dependsOn a
 * person reading them would expect, and the specs load with the real loader.
 */
import { describe, expect, it } from 'vitest';
import { importFixture, shape } from './helpers.ts';

describe('plan import: English plans', () => {
  it('a superpowers-style plan: files, steps, criteria, "Depends on Task 1 and Task 2", a label, a read-only file', () => {
    const { imported, loaded } = importFixture('en-csv-export.md');
    expect(loaded.id).toBe('csv-export-implementation-plan');
    expect(loaded.title).toBe('CSV Export Implementation Plan');
    expect(loaded.description).toMatch(/^\*\*Goal:\*\* Users can download any report as CSV/);
    expect(loaded.description).toContain('**Tech Stack:** TypeScript, Node 20, vitest.');
    expect(loaded.description).not.toContain('REQUIRED SUB-SKILL');
    expect(loaded.repo).toEqual({ path: '.', base: 'main' });
    expect(loaded.agent).toBeUndefined();
    expect(shape(loaded)).toEqual({
      'task-1': { files: ['src/export/csv.ts', 'test/export/csv.test.ts'], dependsOn: [] },
      'task-2': { files: ['src/reports/rows.ts', 'src/reports/index.ts', 'test/reports/rows.test.ts'], dependsOn: [] },
      'task-3': { files: ['src/api/reports.ts', 'test/api/reports.test.ts'], dependsOn: ['task-1', 'task-2'] },
      'task-4': { files: ['src/web/report-page.tsx', 'test/web/report-page.test.tsx'], dependsOn: ['task-3'] },
      'task-5': { files: ['docs/api.md'], dependsOn: [] },
    });
    const [t1, t2, t3, t4, t5] = loaded.tasks;
    expect(t1!.title).toBe('Streaming CSV writer');
    expect(t1!.acceptance).toEqual(['Fields with commas, quotes or newlines are quoted', 'An empty report gives an empty string']);
    // The steps, code block included (its '#' line is code, not a heading), are the prompt.
    expect(t1!.description).toContain('- [ ] **Step 1: Write the failing test**');
    expect(t1!.description).toContain('# a comment line that is not a heading');
    expect(t1!.description).toContain('- [ ] **Step 3: Implement `toCsv` with RFC 4180 quoting**');
    expect(t1!.description).not.toContain('Create:');
    expect(t2!.acceptance).toEqual(['a report with 1,234 rows yields 1,234 rows in order.']);
    expect(t3!.acceptance).toEqual(['format=csv answers text/csv with a header row', 'The JSON format stays the default']);
    expect(t3!.description).toBe('Depends on Task 1 and Task 2.\n\n1. `GET /reports/:id?format=csv` streams `toCsv(reportRows(id))` with `Content-Type: text/csv`.\n2. Unknown formats answer 400.');
    expect(t4!.acceptance).toEqual(['The link points at `?format=csv`', 'It is hidden while the report is loading']);
    expect(t5!.description).toContain('Files to read for context (not changed by this task): src/api/reports.ts');
    expect(imported.warnings).toEqual([
      { line: 3, message: expect.stringContaining("note to the plan's executor") },
      { line: 85, message: expect.stringContaining("section 'Rollout'") },
    ]);
  });

  it('phases and parallel streams: a stream is a sequence, streams run side by side, phase 2 waits for phase 1', () => {
    const { imported, loaded } = importFixture('en-phases-streams.md');
    expect(loaded.id).toBe('search-service-implementation-plan');
    expect(shape(loaded)).toEqual({
      a1: { files: ['src/indexer/tokenize.ts', 'test/indexer/tokenize.test.ts'], dependsOn: [] },
      a2: { files: ['src/indexer/index.ts', 'test/indexer/index.test.ts'], dependsOn: ['a1'] },
      b1: { files: ['src/query/parse.ts', 'test/query/parse.test.ts'], dependsOn: [] },
      b2: { files: ['src/query/plan.ts', 'test/query/plan.test.ts'], dependsOn: ['b1'] },
      c1: { files: ['src/api/search.ts', 'test/api/search.test.ts'], dependsOn: ['a2', 'b2'] },
      c2: { files: ['src/cli/search.ts'], dependsOn: ['a2', 'b2'] },
    });
    expect(loaded.tasks[0]!.acceptance).toEqual(['`tokenize("Hello, Wörld!")` is `["hello", "wörld"]`']);
    expect(imported.reasons.a2).toEqual({ a1: 'the task before it in the same stream' });
    expect(imported.reasons.c1).toEqual({ a2: 'the previous phase', b2: 'the previous phase' });
    expect(imported.warnings).toEqual([]);
  });

  it('explicit cross-stream dependencies; a task that says "none" gets none', () => {
    const { imported, loaded } = importFixture('en-cross-stream.md');
    expect(loaded.description).toContain('## Overview');
    expect(shape(loaded)).toEqual({
      a1: { files: ['src/webhooks/receive.ts', 'test/webhooks/receive.test.ts'], dependsOn: [] },
      a2: { files: ['src/webhooks/store.ts', 'migrations/014_webhook_events.sql'], dependsOn: ['a1'] },
      a3: { files: ['src/api/replay.ts', 'test/api/replay.test.ts'], dependsOn: ['a2', 'b1'] },
      b1: { files: ['src/admin/events-table.tsx'], dependsOn: [] },
      b2: { files: ['src/admin/events-table.tsx'], dependsOn: ['a3', 'b1'] },
      b3: { files: ['src/admin/events-empty.tsx'], dependsOn: [] },
    });
    expect(imported.reasons.a3).toEqual({ a2: 'A2 named on line 27', b1: 'B1 named on line 27' });
    expect(imported.warnings).toEqual([]);
  });

  it('tasks that own the same file (or an overlapping glob) are ordered, earlier first', () => {
    const { imported, loaded, yaml } = importFixture('en-shared-file.md');
    expect(shape(loaded)).toEqual({
      'task-1': { files: ['src/cli.ts', 'src/log.ts'], dependsOn: [] },
      'task-2': { files: ['src/cli.ts', 'src/format/json.ts'], dependsOn: ['task-1'] },
      'task-3': { files: ['src/config.ts', 'test/config.test.ts'], dependsOn: [] },
      'task-4': { files: ['src/cli.ts', 'src/config.ts'], dependsOn: ['task-2', 'task-3'] },
      'task-5': { files: ['docs/cli.md'], dependsOn: [] },
      'task-6': { files: ['docs/**'], dependsOn: ['task-5'] },
    });
    expect(imported.reasons['task-4']).toEqual({ 'task-2': 'both own src/cli.ts', 'task-3': 'both own src/config.ts' });
    expect(yaml).toContain('dependsOn: [task-2, task-3] # task-2: both own src/cli.ts; task-3: both own src/config.ts');
    expect(loaded.tasks.map((t) => t.title)).toEqual(['--verbose', '--json', 'Config file loader', '--config', 'CLI reference', 'Docs sweep']);
  });
});
