/**
 * Editor support: every template and example starts with a
 * `# yaml-language-server: $schema=...` modeline whose path, resolved from
 * the file as the YAML language server resolves it, is the project's
 * specs/spec.schema.json; and every one still loads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../../shared/spec/loader.ts';

const SPECS = fileURLToPath(new URL('../../../specs/', import.meta.url));
const SCHEMA = join(SPECS, 'spec.schema.json');
const files = ['templates', 'examples'].flatMap((folder) =>
  readdirSync(join(SPECS, folder)).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(SPECS, folder, f)),
);

describe('templates and examples point editors at the schema', () => {
  it('there are templates and examples to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files.map((f) => [f.slice(SPECS.length), f]))('%s', async (_, file) => {
    const first = readFileSync(file, 'utf8').split('\n')[0]!;
    const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(m, `${file} must start with the modeline`).not.toBeNull();
    expect(resolve(dirname(file), m![1]!)).toBe(SCHEMA);
    const { spec } = await loadSpec(file);
    expect(spec.tasks.length).toBeGreaterThan(0);
  });
});
