/**
 * The docs, stack.yml and the code tell the same story: every config variable
 * is documented, every catalogued event is in docs/EVENTS.md with its type and
 * subject, and stack.yml has exactly the function folders with their topics.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { ConfigSchema } from '../../shared/config.ts';
import { EVENTS, EVENT_NAMES, FUNCTION_NAMES, eventsTriggering } from '../../shared/events/catalog.ts';

const read = (p: string): string => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

describe('docs match the code', () => {
  test('every configuration variable is in docs/CONFIG.md', () => {
    const doc = read('docs/CONFIG.md');
    const missing = Object.keys(ConfigSchema.shape).filter((k) => !doc.includes(`| \`${k}\` |`));
    expect(missing).toEqual([]);
  });

  test('every event is in docs/EVENTS.md with its type and subject', () => {
    const doc = read('docs/EVENTS.md');
    for (const name of EVENT_NAMES) {
      const row = doc.split('\n').find((l) => l.startsWith(`| ${name} |`));
      expect(row, `docs/EVENTS.md has no row for ${name}`).toBeDefined();
      expect(row).toContain(`\`${EVENTS[name].type}\``);
      expect(row).toContain(`\`${EVENTS[name].subject}`);
    }
  });

  test('stack.yml has one function per folder under functions/, each with its primary topic', () => {
    const stack = YAML.parse(read('stack.yml')) as { functions: Record<string, { lang: string; annotations: { topic: string } }> };
    const folders = readdirSync(new URL('../../functions', import.meta.url)).sort();
    expect(folders).toEqual([...FUNCTION_NAMES].sort());
    expect(Object.keys(stack.functions).sort()).toEqual(folders);
    for (const fn of FUNCTION_NAMES) {
      expect(stack.functions[fn]!.lang).toBe('dockerfile');
      expect(stack.functions[fn]!.annotations.topic).toBe(EVENTS[eventsTriggering(fn)[0]!].subject);
    }
  });
});
