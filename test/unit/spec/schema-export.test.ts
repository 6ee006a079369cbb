import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SPEC_SCHEMA_FILE, SPEC_SCHEMA_ID, specJsonSchemaText } from '../../../shared/spec/json-schema.ts';

const committedPath = new URL(`../../../${SPEC_SCHEMA_FILE}`, import.meta.url);

describe('specs/spec.schema.json', () => {
  it('matches a fresh export of SpecSchema', async () => {
    const committed = await readFile(committedPath, 'utf8');
    expect(committed, `${SPEC_SCHEMA_FILE} is out of date with shared/spec/schema.ts: run \`npm run schema\` and keep the result`).toBe(
      specJsonSchemaText(),
    );
  });

  it('describes the input side: defaulted and system-owned fields are optional', async () => {
    const schema = JSON.parse(await readFile(committedPath, 'utf8')) as {
      $id: string;
      title: string;
      required: string[];
      additionalProperties: boolean;
      properties: { tasks: { items: { required: string[] } }; priority: { enum: string[] } };
    };
    expect(schema.$id).toBe(SPEC_SCHEMA_ID);
    expect(schema.title).toBe('nightshift spec');
    expect([...schema.required].sort()).toEqual(['id', 'repo', 'tasks', 'title']);
    expect(schema.additionalProperties).toBe(false);
    expect([...schema.properties.tasks.items.required].sort()).toEqual(['id', 'title']);
    expect(schema.properties.priority.enum).toEqual(['low', 'medium', 'high', 'critical']);
  });
});
