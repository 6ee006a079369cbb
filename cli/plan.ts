/**
 * `nightshift plan import <plan.md>`: turns a markdown implementation plan
 * into a spec (shared/plan/) and prints it or writes it with `-o`. The YAML
 * is read back with the spec loader before anything is written, so what
 * comes out always validates. What the plan says that could not be placed is
 * printed as warnings with line numbers.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { NightshiftError } from '../shared/errors.ts';
import {
  checkRepo, formatWarning, parseArgvJson, placeNew, planToSpec, readInput, repoPathFor, schemaPathFor, specToYaml,
} from '../shared/plan/index.ts';
import { writeFileAtomic } from '../shared/spec/atomic.ts';
import { parseSpecText } from '../shared/spec/loader.ts';

export interface PlanImportCliOptions {
  output?: string;
  /** @default '.' */
  repo: string;
  /** @default 'main' */
  base: string;
  id?: string;
  agentCommand?: string;
  check: string[];
  force: boolean;
  json: boolean;
}

/** Runs the command; returns the exit code (errors are thrown as NightshiftError). */
export async function runPlanImport(planFile: string, opts: PlanImportCliOptions, cwd = process.cwd()): Promise<number> {
  const text = await readInput(planFile, 'plan');
  const agentCommand = opts.agentCommand === undefined ? undefined : parseArgvJson(opts.agentCommand, '--agent-command');
  const checks = opts.check.map((c) => parseArgvJson(c, '--check'));
  const repoWarning = await checkRepo(opts.repo, cwd);
  const output = opts.output === undefined ? undefined : resolve(cwd, opts.output);
  if (output && !opts.force && existsSync(output)) {
    throw new NightshiftError('BAD_REQUEST', `${opts.output} already exists; choose another -o, or add --force to replace it`);
  }
  const imported = planToSpec(text, {
    file: planFile,
    repoPath: output ? repoPathFor(opts.repo, cwd, output) : opts.repo,
    base: opts.base,
    ...(opts.id !== undefined ? { id: opts.id } : {}),
    ...(agentCommand ? { agentCommand } : {}),
    checks,
  });
  const warnings = [...(repoWarning ? [{ line: 0, message: repoWarning }] : []), ...imported.warnings];
  const schema = output ? schemaPathFor(output) : undefined;
  const source = output ? relative(dirname(output), resolve(cwd, planFile)) : planFile;
  const yaml = specToYaml(imported.spec, {
    ...(schema ? { schema } : {}),
    header: [
      `Made from ${source.split('\\').join('/')} by \`nightshift plan import\`. Each task's description`,
      'is its prompt. Check the files and dependsOn, then run: nightshift submit <this file>',
    ],
    reasons: imported.reasons,
  });
  // Read back with the loader: a spec that would not load is a bug here, never a file for the user to find out about.
  parseSpecText(yaml, output ?? '<stdout>');

  if (output) {
    await mkdir(dirname(output), { recursive: true });
    if (opts.force) await writeFileAtomic(output, yaml);
    else if (!(await placeNew(output, yaml))) throw new NightshiftError('BAD_REQUEST', `${opts.output} appeared while the spec was written; choose another -o, or add --force`);
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ spec: imported.spec, warnings, ...(output ? { file: output } : {}) })}\n`);
    return 0;
  }
  for (const w of warnings) process.stderr.write(`${w.line > 0 ? formatWarning(planFile, w) : `${planFile}: warning: ${w.message}`}\n`);
  if (output) {
    const n = imported.spec.tasks.length;
    process.stdout.write(`wrote ${opts.output} (spec ${imported.spec.id}, ${n} task${n === 1 ? '' : 's'}); submit it with: nightshift submit ${opts.output}\n`);
  } else {
    process.stdout.write(yaml);
  }
  return 0;
}
