/**
 * Writes a spec made by nightshift (from a plan or a one-line request) as
 * YAML with the yaml library's Document API: a header comment with the
 * schema modeline for editors, block text for prompts, short lists in flow
 * style, and a comment beside each `dependsOn` saying why it is there.
 */
import { Document, isMap, isScalar, isSeq } from 'yaml';
import type { SpecInput } from '../spec/schema.ts';

export interface EmitOptions {
  /** The `$schema=` target, relative to the spec file; without it there is no modeline. */
  schema?: string;
  /** Lines of the header comment, after the modeline. */
  header?: string[];
  /** Per task id: dependency id -> why. */
  reasons?: Record<string, Record<string, string>>;
}

export function specToYaml(spec: SpecInput, options: EmitOptions = {}): string {
  const doc = new Document(spec);
  const header = [...(options.schema ? [`yaml-language-server: $schema=${options.schema}`] : []), ...(options.header ?? [])];
  if (header.length > 0) doc.commentBefore = header.map((l) => ` ${l}`.trimEnd()).join('\n');
  const tasks = doc.get('tasks', true);
  if (isSeq(tasks)) {
    for (const task of tasks.items) {
      if (!isMap(task)) continue;
      const id = String(task.get('id'));
      for (const pair of task.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        if (!isSeq(pair.value)) continue;
        if (key === 'files' || key === 'dependsOn') pair.value.flow = true;
        const why = options.reasons?.[id];
        if (key === 'dependsOn' && why) pair.value.comment = ` ${Object.entries(why).map(([dep, r]) => `${dep}: ${r}`).join('; ')}`;
      }
    }
  }
  for (const key of ['agent', 'checks'] as const) {
    const node = doc.get(key, true);
    if (isMap(node)) for (const p of node.items) if (isSeq(p.value)) p.value.flow = true;
    if (isSeq(node)) for (const c of node.items) if (isMap(c)) for (const p of c.items) if (isSeq(p.value)) p.value.flow = true;
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
