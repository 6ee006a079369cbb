/**
 * Writes specs/spec.schema.json from the zod spec schema. Run it with
 * `npm run schema` after changing shared/spec/schema.ts; a test fails until
 * the committed file matches.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SPEC_SCHEMA_FILE, specJsonSchemaText } from '../shared/spec/json-schema.ts';

const target = fileURLToPath(new URL(`../${SPEC_SCHEMA_FILE}`, import.meta.url));
await writeFile(target, specJsonSchemaText());
console.log(`wrote ${SPEC_SCHEMA_FILE}`);
