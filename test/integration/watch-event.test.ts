/** Spec changes as CloudEvents, and the file-name rules of the spec watcher. */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { NightshiftError } from '../../shared/errors.ts';
import { fromJSON, subjectOf, toJSON, validateEvent } from '../../shared/events/cloudevent.ts';
import { changeToEvent, idFromYaml, isSpecFileName, specIdFromFileName, type SpecChange } from '../../shared/watch/index.ts';

const root = join('/', 'project', 'specs');
const hash = 'a'.repeat(64);
const change = (kind: SpecChange['kind']): SpecChange => ({ kind, path: join(root, 'active', 'add-login.yaml'), specId: 'add-login', hash });

describe('changeToEvent', () => {
  test('a created change is a valid spec.created event with a path relative to the specs folder', () => {
    const event = changeToEvent(change('created'), root);
    expect(validateEvent(event)).toBe('spec.created');
    expect(subjectOf(event)).toBe('specs.created');
    expect(event.subject).toBe('add-login');
    expect(event.source).toBe('/nightshift/watcher');
    expect(event.data).toEqual({ specId: 'add-login', path: 'active/add-login.yaml', hash });
    expect(event.id).toBe(`add-login/${hash}/created`);
    expect(fromJSON(toJSON(event)).id).toBe(event.id);
  });

  test('an updated change is spec.updated, and the same content always gives the same id', () => {
    const a = changeToEvent(change('updated'), root);
    const b = changeToEvent(change('updated'), `${root}/`);
    expect(validateEvent(a)).toBe('spec.updated');
    expect(subjectOf(a)).toBe('specs.updated');
    expect(a.id).toBe(`add-login/${hash}/updated`);
    expect(b.id).toBe(a.id);
    expect(changeToEvent({ ...change('updated'), hash: 'b'.repeat(64) }, root).id).not.toBe(a.id);
  });

  test('a file outside the specs folder is refused with BAD_EVENT', () => {
    const outside = { ...change('created'), path: join('/', 'elsewhere', 'x.yaml') };
    expect(() => changeToEvent(outside, root)).toThrow(NightshiftError);
    expect(() => changeToEvent(outside, root)).toThrow(/not inside the specs folder/);
  });
});

describe('spec file names', () => {
  test.each(['a.yaml', 'add-login.yml', 'Upper.YAML', '..weird.yaml'.slice(2)])('%s is a spec', (name) => {
    expect(isSpecFileName(name)).toBe(true);
  });

  test.each(['.a.yaml', '.a.4242.ab12.tmp', 'a.yaml~', 'a.yaml.swp', '4913', '#a.yaml#', 'a.errors.txt', 'a.events.log', 'a.json', '.yaml', 'a.yaml.bak'])(
    '%s is not a spec',
    (name) => {
      expect(isSpecFileName(name)).toBe(false);
    },
  );

  test('file names become valid spec ids', () => {
    expect(specIdFromFileName('add-login.yaml')).toBe('add-login');
    expect(specIdFromFileName('My Spec (v2).YML')).toBe('my-spec-v2-');
    expect(specIdFromFileName('__a..b.yaml')).toBe('a.b');
    expect(specIdFromFileName(`${'x'.repeat(100)}.yaml`)).toBe('x'.repeat(64));
    expect(specIdFromFileName('!!!.yaml')).toBe('spec');
  });

  test('the top-level id: is read only when it is a valid spec id', () => {
    expect(idFromYaml('title: t\nid: from-file\n')).toBe('from-file');
    expect(idFromYaml('id: Not Valid\n')).toBeUndefined();
    expect(idFromYaml('tasks:\n  - id: nested\n')).toBeUndefined();
    expect(idFromYaml('- a\n- b\n')).toBeUndefined();
    expect(idFromYaml('id: kept\ntitle: [broken\n')).toBe('kept');
  });
});
