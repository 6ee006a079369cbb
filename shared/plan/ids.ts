/**
 * Ids a spec needs (schema: 1-64 of a-z 0-9 . _ -, starting with a letter or
 * digit, no `..`), made from what a plan gives: `Task 3` -> `task-3`, an
 * `A1 | title` heading -> `a1`, a title -> its slug.
 */
import { randomBytes } from 'node:crypto';
import { SpecId, TaskId } from '../spec/schema.ts';

/** Longest slug taken from a title, leaving room for a `-xxxx` suffix. @default 48 */
export const MAX_SLUG = 48;

/**
 * `Export reports as CSV!` -> `export-reports-as-csv`. Accents are dropped;
 * letters outside a-z (Korean, for one) leave nothing, so the result may be ''.
 */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= MAX_SLUG) return slug;
  const cut = slug.slice(0, MAX_SLUG);
  const dash = cut.lastIndexOf('-');
  return (dash > MAX_SLUG / 2 ? cut.slice(0, dash) : cut).replace(/-+$/, '');
}

/** The first of `candidates` that slugifies to something, or `fallback`. */
export function slugFrom(candidates: readonly (string | undefined)[], fallback: string): string {
  for (const c of candidates) {
    const slug = c === undefined ? '' : slugify(c);
    if (slug !== '') return slug;
  }
  return fallback;
}

/** `id` plus a short random suffix: `my-plan` -> `my-plan-3f9a`. */
export function withSuffix(id: string): string {
  return `${id.slice(0, 58)}-${randomBytes(2).toString('hex')}`;
}

export function isSpecId(id: string): boolean {
  return SpecId.safeParse(id).success;
}

/** A task id from what the heading gives, or undefined when nothing usable is left. */
export function taskIdFrom(given: string): string | undefined {
  const id = given
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 64);
  return TaskId.safeParse(id).success ? id : undefined;
}
