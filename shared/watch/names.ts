/**
 * Which files in `specs/active/` are specs, and the spec id a file name
 * stands for when the file itself does not say.
 */
import { SpecId } from '../spec/schema.ts';

/** File name endings that make a file a spec (compared lower-case). */
export const SPEC_EXTENSIONS = ['.yaml', '.yml'] as const;

/** The id used when a file name has nothing usable left after sanitizing. @default "spec" */
export const FALLBACK_SPEC_ID = 'spec';

/**
 * Whether a bare file name (no folder) is a spec file the watcher reports.
 *
 * Only `*.yaml` / `*.yml` count. Everything else is ignored, which covers
 * editor and tool litter without a list per editor: hidden files (the spec
 * store's `.<name>.<pid>.<rand>.tmp`, vim's `.x.yaml.swp`, emacs' `.#x.yaml`),
 * backups (`x.yaml~`, `x.yaml.bak`), vim's `4913` probe, emacs autosaves
 * (`#x.yaml#`), JetBrains' `x.yaml___jb_tmp___`, and sidecars such as
 * `x.errors.txt` or `x.events.log`.
 */
export function isSpecFileName(name: string): boolean {
  if (name.startsWith('.') || name.startsWith('#')) return false;
  const lower = name.toLowerCase();
  const ext = SPEC_EXTENSIONS.find((e) => lower.endsWith(e));
  // A file called just ".yaml" has no name part; it is hidden anyway, but say so.
  return ext !== undefined && lower.length > ext.length;
}

/** The file name without its spec extension (`add-login.yaml` -> `add-login`). */
export function stripSpecExtension(name: string): string {
  const lower = name.toLowerCase();
  const ext = SPEC_EXTENSIONS.find((e) => lower.endsWith(e));
  return ext ? name.slice(0, -ext.length) : name;
}

/**
 * Turns a file name into a valid spec id: lower-case, characters outside
 * `[a-z0-9._-]` become `-`, runs of dots collapse (an id must not contain
 * `..`), leading punctuation is dropped, at most 64 characters.
 * Returns {@link FALLBACK_SPEC_ID} when nothing usable is left.
 */
export function specIdFromFileName(name: string): string {
  const id = stripSpecExtension(name)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 64);
  return SpecId.safeParse(id).success ? id : FALLBACK_SPEC_ID;
}

/** Whether `value` can be used as a spec id as it stands. */
export function isValidSpecId(value: unknown): value is string {
  return typeof value === 'string' && SpecId.safeParse(value).success;
}
