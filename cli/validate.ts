/** `nightshift validate <files...>`: loads each spec and prints every problem with file, line and field. */
import { loadSpec } from '../shared/spec/loader.ts';
import { formatProblem, SpecInvalidError } from '../shared/spec/problems.ts';

export async function runValidate(files: string[], options: { json: boolean }): Promise<number> {
  let failed = 0;
  const results: { file: string; ok: boolean; id?: string; tasks?: number; problems?: string[] }[] = [];
  for (const file of files) {
    try {
      const { spec } = await loadSpec(file);
      results.push({ file, ok: true, id: spec.id, tasks: spec.tasks.length });
    } catch (err) {
      failed += 1;
      const problems = err instanceof SpecInvalidError ? err.problems.map(formatProblem) : [`${file}: ${(err as Error).message}`];
      results.push({ file, ok: false, problems });
    }
  }
  if (options.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else
    for (const r of results) {
      if (r.ok) process.stdout.write(`ok ${r.file} (spec ${r.id}, ${r.tasks} task${r.tasks === 1 ? '' : 's'})\n`);
      else process.stdout.write(`invalid ${r.file}\n${r.problems!.map((p) => `  ${p}`).join('\n')}\n`);
    }
  return failed ? 1 : 0;
}
