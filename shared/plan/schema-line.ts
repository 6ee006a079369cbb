/**
 * The `# yaml-language-server: $schema=...` modeline that lets an editor
 * validate a spec as it is typed. The schema is the nearest
 * `spec.schema.json` in the spec's folder or above it, directly or in a
 * `specs/` folder (a nightshift project's layout); the path is written
 * relative to the spec, as the YAML language server resolves it.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

const MODELINE = /^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$/;

/** The relative `$schema` target for a spec written to `file`, or undefined when no schema is found above it. */
export function schemaPathFor(file: string): string | undefined {
  const from = dirname(resolve(file));
  for (let dir = from; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'spec.schema.json'), join(dir, 'specs', 'spec.schema.json')]) {
      if (existsSync(candidate)) return relative(from, candidate).split('\\').join('/');
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * When `text` starts with a modeline whose relative target resolves from
 * `fromFile`, rewrites it for the spec's new place `toFile`. Other text is
 * returned as it is.
 */
export function rebaseModeline(text: string, fromFile: string, toFile: string): string {
  const end = text.indexOf('\n');
  const first = end === -1 ? text : text.slice(0, end);
  const m = MODELINE.exec(first.replace(/\r$/, ''));
  if (!m || isAbsolute(m[1]!) || /^[a-z][a-z0-9+.-]*:/i.test(m[1]!)) return text;
  const target = resolve(dirname(resolve(fromFile)), m[1]!);
  if (!existsSync(target)) return text;
  const rel = relative(dirname(resolve(toFile)), target).split('\\').join('/');
  return `# yaml-language-server: $schema=${rel}${end === -1 ? '' : text.slice(first.endsWith('\r') ? end - 1 : end)}`;
}
