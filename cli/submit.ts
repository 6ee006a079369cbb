/**
 * `nightshift submit`: checks a spec (or imports a plan, or makes a spec from
 * one sentence with `-m`), gives it an id, places it in
 * `<SPECS_DIR>/active/<id>.yaml` atomically without overwriting anything,
 * prints the id and returns. The watcher takes it from there.
 *
 * A spec file keeps its text: only a missing `id` is added and a relative
 * `repo.path` (and `$schema` modeline) is rebased for the spec's new folder,
 * by editing just those spots, so comments and layout stay as written.
 */
import { mkdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { NightshiftError } from '../shared/errors.ts';
import {
  activeFile, checkRepo, existingIds, formatWarning, isSpecId, parseArgvJson, placeNew, planToSpec, readInput, repoPathFor,
  requestToSpec, schemaPathFor, specFileDraft, specToYaml, withSuffix, type SpecDraft,
} from '../shared/plan/index.ts';
import { parseSpecText } from '../shared/spec/loader.ts';
import { formatProblem, SpecInvalidError } from '../shared/spec/problems.ts';
import type { SpecInput } from '../shared/spec/schema.ts';

export interface SubmitCliOptions {
  /** The specs folder (holds active/). */
  specsDir: string;
  message?: string;
  repo?: string;
  /** @default 'main' */
  base: string;
  id?: string;
  agentCommand?: string;
  check: string[];
  json: boolean;
}

/** Tries this many suffixed ids before giving up on a busy folder. @default 8 */
const MAX_ID_TRIES = 8;

export async function runSubmit(input: string | undefined, opts: SubmitCliOptions, cwd = process.cwd()): Promise<number> {
  const specsDir = resolve(cwd, opts.specsDir);
  const specsInfo = await stat(specsDir).catch(() => undefined);
  if (!specsInfo?.isDirectory()) {
    throw new NightshiftError('NOT_FOUND', `specs folder ${specsDir} does not exist; run nightshift in the project root, or pass --specs-dir (or set SPECS_DIR)`);
  }
  const activeDir = join(specsDir, 'active');
  await mkdir(activeDir, { recursive: true });
  let draft: SpecDraft;
  try {
    draft = input === undefined ? await fromRequest(opts, cwd, activeDir)
      : /\.(?:md|markdown)$/i.test(input) ? await fromPlan(input, opts, cwd, activeDir)
      : await specFileDraft(input, cwd);
  } catch (err) {
    if (!(err instanceof SpecInvalidError)) throw err;
    return reportInvalid(err, opts.json, input);
  }
  const file = await place(draft, activeDir);
  const id = basename(file, '.yaml');
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ id, file, tasks: draft.tasks, warnings: draft.warnings })}\n`);
    return 0;
  }
  for (const w of draft.warnings) process.stderr.write(`${w.line > 0 ? formatWarning(draft.source, w) : `${draft.source}: warning: ${w.message}`}\n`);
  process.stderr.write(`nightshift: placed ${file} (${draft.tasks} task${draft.tasks === 1 ? '' : 's'}); nightshift dev or the bridge picks it up from there\n`);
  process.stdout.write(`${id}\n`);
  return 0;
}

function reportInvalid(err: SpecInvalidError, json: boolean, input: string | undefined): number {
  const problems = err.problems.map(formatProblem);
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: false, problems })}\n`);
    return 1;
  }
  process.stderr.write(`nightshift: ${err.file} is not a valid spec (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n`);
  for (const p of problems) process.stderr.write(`  ${p}\n`);
  const again = input === undefined ? 'nightshift submit' : `nightshift submit ${input}`;
  process.stderr.write(`fix ${problems.length === 1 ? 'it' : 'them'} and run ${again} again; nothing was placed\n`);
  return 1;
}

/** Places the spec under its id, or a suffixed one when the id is taken and was not given by the person. */
async function place(draft: SpecDraft, activeDir: string): Promise<string> {
  const taken = await existingIds(activeDir);
  let id = draft.id;
  for (let attempt = 0; attempt < MAX_ID_TRIES; attempt++) {
    const file = activeFile(activeDir, id);
    if (!taken.has(id) && (await placeNew(file, draft.render(id, file)))) return file;
    if (draft.explicit) {
      throw new NightshiftError('BAD_REQUEST', `a spec with id '${id}' is already in ${activeDir}; give this one another id, or wait until that one is done and archived`);
    }
    taken.add(id);
    id = withSuffix(draft.id);
  }
  throw new NightshiftError('BAD_REQUEST', `could not find a free id for '${draft.id}' in ${activeDir} after ${MAX_ID_TRIES} tries; pass --id`);
}

function argvOptions(opts: SubmitCliOptions): { agentCommand?: string[]; checks: string[][] } {
  return {
    ...(opts.agentCommand !== undefined ? { agentCommand: parseArgvJson(opts.agentCommand, '--agent-command') } : {}),
    checks: opts.check.map((c) => parseArgvJson(c, '--check')),
  };
}

/** Renders a spec nightshift made, with the schema modeline for its place, and reads it back with the loader. */
function renderMade(spec: SpecInput, header: string[], reasons?: Record<string, Record<string, string>>): SpecDraft['render'] {
  return (id, file) => {
    const schema = schemaPathFor(file);
    const text = specToYaml({ ...spec, id }, { ...(schema ? { schema } : {}), header, ...(reasons ? { reasons } : {}) });
    parseSpecText(text, file);
    return text;
  };
}

async function fromRequest(opts: SubmitCliOptions, cwd: string, activeDir: string): Promise<SpecDraft> {
  const repo = opts.repo!;
  const warning = await checkRepo(repo, cwd);
  const spec = requestToSpec(opts.message!, {
    repoPath: repoPathFor(repo, cwd, join(activeDir, 'x.yaml')),
    base: opts.base,
    ...argvOptions(opts),
  });
  if (opts.id !== undefined) {
    if (!isSpecId(opts.id)) throw new NightshiftError('BAD_REQUEST', `--id '${opts.id}' is not a valid spec id: use 1-64 of a-z 0-9 . _ -, starting with a letter or digit`);
    spec.id = opts.id;
  }
  const render = renderMade(spec, ['Made by `nightshift submit -m`.']);
  render(spec.id, join(activeDir, `${spec.id}.yaml`)); // fails now, before anything is placed, if the spec is invalid
  return { id: spec.id, explicit: opts.id !== undefined, render, tasks: 1, source: '-m', warnings: warning ? [{ line: 0, message: warning }] : [] };
}

async function fromPlan(planFile: string, opts: SubmitCliOptions, cwd: string, activeDir: string): Promise<SpecDraft> {
  const text = await readInput(planFile, 'plan');
  const repo = opts.repo ?? '.';
  const warning = await checkRepo(repo, cwd);
  const imported = planToSpec(text, {
    file: planFile,
    repoPath: repoPathFor(repo, cwd, join(activeDir, 'x.yaml')),
    base: opts.base,
    ...(opts.id !== undefined ? { id: opts.id } : {}),
    ...argvOptions(opts),
  });
  const header = [`Made from ${resolve(cwd, planFile)} by \`nightshift submit\`.`];
  const render = renderMade(imported.spec, header, imported.reasons);
  render(imported.spec.id, join(activeDir, `${imported.spec.id}.yaml`));
  return {
    id: imported.spec.id,
    explicit: opts.id !== undefined,
    render,
    tasks: imported.spec.tasks.length,
    source: planFile,
    warnings: [...(warning ? [{ line: 0, message: warning }] : []), ...imported.warnings],
  };
}
