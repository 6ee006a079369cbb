/**
 * The most frequent similar failures. With pgvector (error_embeddings has
 * rows for the period) failures are grouped by nearest neighbours: pairs
 * within a cosine distance are found in SQL, then each group is the failure
 * with the most unclaimed neighbours plus those neighbours (a star, so one
 * long chain of slightly different errors does not become one group).
 * Without vectors, failures whose normalized text is the same form a group.
 * The report says which method it used.
 */
import type { Queryable } from '../db/index.ts';

/** Farthest cosine distance of two failures in one group (tighter than the 0.45 of hints). @default 0.25 */
export const DEFAULT_GROUP_DISTANCE = 0.25;
/** Most recent failures compared pairwise (the self-join is quadratic). @default 500 */
export const MAX_COMPARED = 500;

export interface FailureGroup {
  failures: number;
  /** Distinct spec/task pairs. */
  tasks: number;
  reasons: string[];
  /** Failures of the group resolved by a later attempt. */
  resolved: number;
  /** The normalized text of the group's most typical failure. */
  example: string;
  lastAt: Date;
}

export interface SimilarResult {
  method: 'embeddings' | 'normalized-text';
  /** For `embeddings`: the distance used. */
  maxDistance?: number;
  /** Groups of two or more failures, biggest first. */
  groups: FailureGroup[];
}

interface Row {
  id: number;
  spec_id: string;
  task_id: string;
  reason: string;
  normalized: string;
  resolved_at: Date | null;
  created_at: Date;
}

async function hasVectors(db: Queryable, since: Date): Promise<boolean> {
  const table = await db.query<{ ok: boolean }>(`SELECT to_regclass('error_embeddings') IS NOT NULL AS ok`);
  if (table.rows[0]?.ok !== true) return false;
  const rows = await db.query(`SELECT 1 FROM error_embeddings e JOIN failure_logs f ON f.id = e.failure_id WHERE f.created_at >= $1 LIMIT 1`, [since]);
  return rows.rows.length > 0;
}

function group(members: Row[], example: Row): FailureGroup {
  return {
    failures: members.length,
    tasks: new Set(members.map((m) => `${m.spec_id}/${m.task_id}`)).size,
    reasons: [...new Set(members.map((m) => m.reason))].sort(),
    resolved: members.filter((m) => m.resolved_at !== null).length,
    example: example.normalized,
    lastAt: new Date(Math.max(...members.map((m) => m.created_at.getTime()))),
  };
}

const byBiggest = (a: FailureGroup, b: FailureGroup): number => b.failures - a.failures || b.lastAt.getTime() - a.lastAt.getTime();

async function byNeighbours(db: Queryable, since: Date, maxDistance: number, limit: number): Promise<FailureGroup[]> {
  const rows = await db.query<Row>(
    `SELECT f.id, f.spec_id, f.task_id, f.reason, f.normalized, f.resolved_at, f.created_at
       FROM failure_logs f JOIN error_embeddings e ON e.failure_id = f.id
      WHERE f.created_at >= $1 ORDER BY f.created_at DESC, f.id DESC LIMIT $2`,
    [since, MAX_COMPARED],
  );
  const ids = rows.rows.map((r) => r.id);
  const pairs = await db.query<{ a: number; b: number }>(
    `SELECT x.failure_id AS a, y.failure_id AS b
       FROM error_embeddings x JOIN error_embeddings y ON x.failure_id < y.failure_id
      WHERE x.failure_id = ANY($1::int[]) AND y.failure_id = ANY($1::int[]) AND (x.embedding <=> y.embedding) <= $2`,
    [ids, maxDistance],
  );
  const near = new Map<number, Set<number>>(ids.map((id) => [id, new Set<number>()]));
  for (const p of pairs.rows) {
    near.get(p.a)?.add(p.b);
    near.get(p.b)?.add(p.a);
  }
  const byId = new Map(rows.rows.map((r) => [r.id, r]));
  const free = new Set(ids);
  const groups: FailureGroup[] = [];
  while (free.size > 0) {
    // The failure with the most unclaimed neighbours is the centre of the next group.
    let centre = -1;
    let best = -1;
    for (const id of free) {
      const n = [...(near.get(id) ?? [])].filter((x) => free.has(x)).length;
      if (n > best) [centre, best] = [id, n];
    }
    if (best < 1) break;
    const members = [centre, ...[...(near.get(centre) ?? [])].filter((x) => free.has(x))];
    for (const m of members) free.delete(m);
    groups.push(group(members.map((m) => byId.get(m)!), byId.get(centre)!));
  }
  return groups.sort(byBiggest).slice(0, limit);
}

async function byText(db: Queryable, since: Date, limit: number): Promise<FailureGroup[]> {
  const rows = await db.query<Row>(
    `SELECT f.id, f.spec_id, f.task_id, f.reason, f.normalized, f.resolved_at, f.created_at
       FROM failure_logs f
      WHERE f.created_at >= $1
        AND f.normalized IN (SELECT normalized FROM failure_logs WHERE created_at >= $1 GROUP BY normalized HAVING count(*) >= 2)
      ORDER BY f.created_at, f.id`,
    [since],
  );
  const groups = new Map<string, Row[]>();
  for (const r of rows.rows) groups.set(r.normalized, [...(groups.get(r.normalized) ?? []), r]);
  return [...groups.values()].map((m) => group(m, m[0]!)).sort(byBiggest).slice(0, limit);
}

/** The `limit` biggest groups of similar failures since `since`. */
export async function similarFailures(db: Queryable, since: Date, options: { limit?: number; maxDistance?: number } = {}): Promise<SimilarResult> {
  const limit = options.limit ?? 10;
  if (await hasVectors(db, since)) {
    const maxDistance = options.maxDistance ?? DEFAULT_GROUP_DISTANCE;
    return { method: 'embeddings', maxDistance, groups: await byNeighbours(db, since, maxDistance, limit) };
  }
  return { method: 'normalized-text', groups: await byText(db, since, limit) };
}
