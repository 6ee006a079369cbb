/**
 * The report's numbers as markdown a person reads top to bottom: the
 * period, failures by reason and by agent, the most frequent similar
 * failures (saying how they were grouped), whether hinted retries help, and
 * the slowest tasks.
 */
import type { ReportData } from './index.ts';
import type { AttemptKind } from './retries.ts';
import { cell, duration, rate, table } from './format.ts';

const KIND_LABEL: Record<AttemptKind, string> = {
  first: 'first attempts',
  'hinted-retry': 'retries with hints (similar past failures)',
  'plain-retry': 'retries without hints',
  'manual-retry': 'after a person\'s `nightshift retry`',
};

function pct(part: number, whole: number): number | undefined {
  return whole === 0 ? undefined : Math.round((part * 100) / whole);
}

function overview(d: ReportData): string[] {
  const t = d.totals;
  return [
    `Period: ${d.since ? `since ${d.since}` : 'everything recorded'}. Generated ${d.generatedAt}.`,
    '',
    t.attempts === 0 && t.failures === 0
      ? 'No attempts and no failures are recorded in this period.'
      : `${t.attempts} finished attempt(s) (${t.succeeded} succeeded, ${t.failed} failed) over ${t.tasks} task(s) of ${t.specs} spec(s); ${t.failures} failure(s) recorded, ${t.resolved} of them resolved by a later attempt.`,
  ];
}

function reasons(d: ReportData): string[] {
  if (d.byReason.length === 0) return ['No failures.'];
  const all = d.byReason.reduce((s, r) => s + r.failures, 0);
  return [table(['reason', 'failures', 'share'], d.byReason.map((r) => [cell(r.reason), String(r.failures), `${pct(r.failures, all) ?? 0}%`]))];
}

function agents(d: ReportData): string[] {
  if (d.byAgent.length === 0) return ['No failures.'];
  return [table(['agent', 'failures', 'tasks'], d.byAgent.map((a) => [cell(a.agent), String(a.failures), String(a.tasks)]))];
}

function similar(d: ReportData): string[] {
  const s = d.similar;
  const how = s.method === 'embeddings'
    ? `Grouped by nearest neighbours in \`error_embeddings\` (pgvector, cosine distance at most ${s.maxDistance}).`
    : 'Grouped by identical normalized error text (no failure embeddings in this period: pgvector is missing or nothing was embedded).';
  if (s.groups.length === 0) return [how, '', 'No failure happened twice.'];
  return [
    how,
    '',
    table(
      ['#', 'failures', 'tasks', 'reasons', 'resolved', 'example (normalized)'],
      s.groups.map((g, i) => [String(i + 1), String(g.failures), String(g.tasks), cell(g.reasons.join(', ')), String(g.resolved), cell(g.example, 160)]),
    ),
  ];
}

function retries(d: ReportData): string[] {
  const rows = d.retries;
  const by = Object.fromEntries(rows.map((r) => [r.kind, r]));
  const lines = [table(['attempts', 'finished', 'succeeded', 'success rate'], rows.map((r) => [KIND_LABEL[r.kind], String(r.finished), String(r.succeeded), rate(r.succeeded, r.finished)]))];
  const first = by.first && pct(by.first.succeeded, by.first.finished);
  const hinted = by['hinted-retry'] && pct(by['hinted-retry'].succeeded, by['hinted-retry'].finished);
  const plain = by['plain-retry'] && pct(by['plain-retry'].succeeded, by['plain-retry'].finished);
  if (hinted !== undefined) {
    const against = [first !== undefined ? `${first}% for first attempts` : '', plain !== undefined ? `${plain}% for retries without hints` : ''].filter(Boolean).join(' and ');
    lines.push('', `Hinted retries succeeded ${hinted}% of the time${against ? `, against ${against}` : ''}.`);
  } else {
    lines.push('', 'No hinted retry has finished in this period yet.');
  }
  lines.push('"Succeeded" means the attempt produced a diff that was not refused later (a review or a conflict marks it failed).');
  return lines;
}

function slowest(d: ReportData): string[] {
  if (d.slowest.length === 0) return ['No finished attempt has timings yet.'];
  return [
    'Wall time of all attempts of a task (started to finished), and the phases the worker timed, summed.',
    '',
    table(
      ['task', 'spec', 'attempts', 'total', 'slowest attempt', 'phases'],
      d.slowest.map((s) => [cell(s.taskId), cell(s.specId), String(s.attempts), duration(s.totalMs), duration(s.slowestMs), cell(s.phases.slice(0, 4).map(([k, v]) => `${k} ${duration(v)}`).join(', ') || '-')]),
    ),
  ];
}

export function renderMarkdown(d: ReportData): string {
  const sections: [string, string[]][] = [
    ['Failures by reason', reasons(d)],
    ['Failures by agent', agents(d)],
    ['Most frequent similar failures', similar(d)],
    ['Do hinted retries help?', retries(d)],
    ['Slowest tasks', slowest(d)],
  ];
  return [`# nightshift report`, '', ...overview(d), ...sections.flatMap(([title, body]) => ['', `## ${title}`, '', ...body]), ''].join('\n');
}
