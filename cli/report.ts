/**
 * `nightshift report [--since <date>] [--json | --markdown]`: the mentor's
 * retrospective (shared/report/): failures by reason and by agent, the most
 * frequent similar failures, whether hinted retries help, the slowest tasks.
 * Markdown by default. Read from DATABASE_URL, a running runner's
 * `GET /api/report`, or the embedded PGlite (shared/report/source.ts).
 */
import type { Config } from '../shared/config.ts';
import { NightshiftError } from '../shared/errors.ts';
import { reportData, renderMarkdown } from '../shared/report/index.ts';
import { apiGet, openReportSource, type ReportSource } from '../shared/report/source.ts';
import { failWith } from './retry.ts';

export interface ReportCliOptions {
  since?: Date;
  json?: boolean;
  /** Rows in the similar-failures and slowest-tasks tables. @default 10 */
  limit?: number;
}

async function fromApi(source: Extract<ReportSource, { kind: 'api' }>, opts: ReportCliOptions): Promise<string> {
  const q = new URLSearchParams();
  if (opts.since) q.set('since', opts.since.toISOString());
  if (opts.limit !== undefined) q.set('limit', String(opts.limit));
  if (opts.json) q.set('format', 'json');
  const query = q.size ? `?${q.toString()}` : '';
  let answer: { type: string; text: string };
  try {
    answer = await apiGet(source, `/api/report${query}`, opts.json ? 'application/json' : 'text/markdown');
  } catch (err) {
    if (err instanceof NightshiftError && err.code === 'NOT_FOUND') {
      throw new NightshiftError('NOT_FOUND', `${source.describe} holds the embedded database but does not serve /api/report (${err.message}): stop it and run this again, or use DATABASE_URL`);
    }
    throw err;
  }
  // A runner whose route ignores ?since= would answer the whole history: say so rather than print it as if filtered.
  if (opts.since && !answer.text.includes(opts.since.toISOString())) {
    throw new NightshiftError('NOT_FOUND', `${source.describe} answered /api/report without applying --since: stop it and run this again, or use DATABASE_URL`);
  }
  if (opts.json && !answer.type.includes('json')) {
    throw new NightshiftError('NOT_FOUND', `${source.describe} answers /api/report in ${answer.type || 'an unknown format'}, not JSON: use --markdown, or stop it and run this again`);
  }
  return answer.text;
}

export async function runReport(opts: ReportCliOptions, config: Config): Promise<number> {
  try {
    const source = await openReportSource(config, { probePath: '/api/specs', needs: '/api/report' });
    let out: string;
    if (source.kind === 'api') {
      out = await fromApi(source, opts);
    } else if (source.kind === 'none') {
      out = opts.json ? JSON.stringify({ source: source.describe, report: null }) : `# nightshift report\n\nNothing recorded yet: ${source.describe}.\n`;
    } else {
      try {
        const options = { ...(opts.since ? { since: opts.since } : {}), ...(opts.limit === undefined ? {} : { limit: opts.limit }) };
        const data = await reportData(source.db, options);
        out = opts.json ? JSON.stringify({ source: source.describe, report: data }) : renderMarkdown(data);
      } finally {
        await source.close();
      }
    }
    process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
    return 0;
  } catch (err) {
    return failWith(err, 'report', opts.json);
  }
}
