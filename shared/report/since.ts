/**
 * The `--since` of `nightshift report` (and `?since=` of the API): an ISO
 * date or time, or a span back from now (`30m`, `12h`, `7d`, `2w`).
 */
import { NightshiftError } from '../errors.ts';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** The moment `text` names; throws BAD_REQUEST saying what is accepted. */
export function parseSince(text: string, now: Date = new Date()): Date {
  const t = text.trim();
  const span = /^(\d{1,6})\s*([mhdw])$/i.exec(t);
  if (span) return new Date(now.getTime() - Number(span[1]) * UNIT_MS[span[2]!.toLowerCase()]!);
  // A plain date or date-time; a date alone means its start in UTC.
  if (/^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) {
    const d = new Date(t.length === 10 ? `${t}T00:00:00Z` : t);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new NightshiftError('BAD_REQUEST', `--since "${text}" is not a date (2025-01-31, 2025-01-31T12:00:00Z) or a span back from now (30m, 12h, 7d, 2w)`);
}
