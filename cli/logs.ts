/**
 * `nightshift logs <spec> [task] [--attempt n] [--json]`: the attempts of a
 * spec (or of one task) with status, failure reason, error, learn-from-
 * failure's decision and the tail of the log. Read from the state store
 * (shared/report/source.ts picks Postgres, a running runner's status API, or
 * the embedded PGlite); the spec files only say whether a spec or task
 * exists when nothing was recorded.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../shared/config.ts';
import { NightshiftError } from '../shared/errors.ts';
import { attemptLogs, lastLines, type AttemptLog } from '../shared/report/index.ts';
import { apiGet, openReportSource, type ReportSource } from '../shared/report/source.ts';
import { loadSpec } from '../shared/spec/loader.ts';
import type { Spec } from '../shared/spec/schema.ts';
import { isSpecFileName, stripSpecExtension } from '../shared/watch/names.ts';
import { failWith } from './retry.ts';

export interface LogsOptions {
  attempt?: number;
  /** Log lines shown per attempt (text output). @default 40 */
  lines?: number;
  json?: boolean;
}

/** What the status API answers for `GET /api/specs/<id>` (the fields used here). */
interface ApiAttempt {
  taskId: string;
  attempt: number;
  status: AttemptLog['status'];
  worker: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  reason: string | null;
  error: string | null;
  timings: Record<string, number> | null;
  durationMs: number | null;
}

async function fromApi(source: Extract<ReportSource, { kind: 'api' }>, specId: string, taskId: string | undefined, attempt: number | undefined): Promise<AttemptLog[]> {
  const detail = JSON.parse((await apiGet(source, `/api/specs/${encodeURIComponent(specId)}`)).text) as { attempts?: ApiAttempt[] };
  const rows = (detail.attempts ?? []).filter((a) => (taskId === undefined || a.taskId === taskId) && (attempt === undefined || a.attempt === attempt));
  const out: AttemptLog[] = [];
  for (const a of rows) {
    const logPath = `/api/specs/${encodeURIComponent(specId)}/tasks/${encodeURIComponent(a.taskId)}/attempts/${a.attempt}/log`;
    const log = JSON.parse((await apiGet(source, logPath)).text) as { log: string | null };
    out.push({
      specId, taskId: a.taskId, attempt: a.attempt, status: a.status, reason: a.reason, error: a.error, log: log.log, worker: a.worker,
      createdAt: a.startedAt ?? '', startedAt: a.startedAt, finishedAt: a.finishedAt,
      durationMs: a.finishedAt && a.startedAt ? a.durationMs : null, timings: a.timings,
    });
  }
  return out;
}

/** The spec with this id (or file name) in active/ or the archive, if any. */
async function findSpecFile(specsDir: string, id: string): Promise<Spec | undefined> {
  const dirs = [path.join(specsDir, 'active')];
  for (const month of (await readdir(path.join(specsDir, 'archive')).catch(() => [] as string[])).sort().reverse()) dirs.push(path.join(specsDir, 'archive', month));
  for (const dir of dirs) {
    for (const name of (await readdir(dir).catch(() => [] as string[])).filter(isSpecFileName)) {
      const spec = await loadSpec(path.join(dir, name)).then((p) => p.spec, () => undefined);
      if (spec && (spec.id === id || stripSpecExtension(name) === id)) return spec;
    }
  }
  return undefined;
}

/** Why nothing was found: an unknown spec or task is an error (exit 1); a spec that has not run yet is not. */
async function explainEmpty(specsDir: string, specId: string, taskId: string | undefined, attempt: number | undefined): Promise<string> {
  const spec = await findSpecFile(specsDir, specId);
  if (!spec) throw new NightshiftError('SPEC_NOT_FOUND', `no attempts recorded for spec "${specId}", and no spec file has that id in ${path.resolve(specsDir)}`);
  if (taskId !== undefined && !spec.tasks.some((t) => t.id === taskId)) {
    throw new NightshiftError('TASK_NOT_FOUND', `spec ${specId} has no task "${taskId}"; its tasks: ${spec.tasks.map((t) => `${t.id} (${t.status})`).join(', ')}`);
  }
  const what = `${taskId === undefined ? `spec ${specId}` : `task ${taskId} of spec ${specId}`}${attempt === undefined ? '' : `, attempt ${attempt}`}`;
  return `no attempts recorded for ${what} (the spec is ${spec.status})`;
}

function seconds(ms: number | null): string {
  return ms === null ? '' : `, ${(ms / 1000).toFixed(1)} s`;
}

function render(a: AttemptLog, lines: number): string {
  const out = [`== ${a.taskId} attempt ${a.attempt}: ${a.status}${a.reason ? ` (${a.reason})` : ''}${seconds(a.durationMs)}${a.worker ? `, worker ${a.worker}` : ''}${a.startedAt ? `, started ${a.startedAt}` : ''}`];
  if (a.timings && Object.keys(a.timings).length) out.push(`phases: ${Object.entries(a.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}`);
  if (a.error) out.push('error:', ...lastLines(a.error, 20).split('\n').map((l) => `  ${l}`));
  if (a.decision) out.push(a.decision.decision === 'retry' ? `then: retried after ${a.decision.delayMs} ms with ${a.decision.hints} hint(s)` : 'then: gave up (failed for good)');
  out.push(a.log ? `log (last ${lines} lines):` : 'log: (none recorded)', ...(a.log ? lastLines(a.log, lines).split('\n').map((l) => `  ${l}`) : []));
  return out.join('\n');
}

export async function runLogs(specId: string, taskId: string | undefined, opts: LogsOptions, config: Config): Promise<number> {
  try {
    const source = await openReportSource(config, { probePath: `/api/specs/${encodeURIComponent(specId)}`, needs: '/api/specs/<id> and its attempt logs' });
    let rows: AttemptLog[];
    try {
      if (source.kind === 'db') rows = (await attemptLogs(source.db, specId, taskId)).filter((a) => opts.attempt === undefined || a.attempt === opts.attempt);
      else if (source.kind === 'api') rows = await fromApi(source, specId, taskId, opts.attempt);
      else rows = [];
    } finally {
      if (source.kind === 'db') await source.close();
    }
    if (rows.length === 0) {
      const why = await explainEmpty(config.SPECS_DIR, specId, taskId, opts.attempt);
      if (opts.json) process.stdout.write(`${JSON.stringify({ ok: true, source: source.describe, attempts: [], note: why })}\n`);
      else process.stdout.write(`${why}\n`);
      return 0;
    }
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ ok: true, source: source.describe, attempts: rows })}\n`);
      return 0;
    }
    process.stdout.write(`${rows.map((a) => render(a, opts.lines ?? 40)).join('\n\n')}\n`);
    return 0;
  } catch (err) {
    return failWith(err, 'logs', opts.json);
  }
}
