/**
 * A spec from one sentence (`nightshift submit -m "..."`): the request is the
 * title (its first line, shortened) and the prompt of a single task.
 */
import { NightshiftError } from '../errors.ts';
import { validateSpec } from '../spec/loader.ts';
import { SpecInvalidError } from '../spec/problems.ts';
import { SPEC_LIMITS, type SpecInput } from '../spec/schema.ts';
import { slugFrom } from './ids.ts';
import { checkName } from './to-spec.ts';

export interface RequestOptions {
  /** `repo.path` as it is to be written. */
  repoPath: string;
  /** @default 'main' */
  base?: string;
  agentCommand?: string[];
  checks?: string[][];
}

/** Longest title taken from a request's first line. @default 100 */
export const MAX_REQUEST_TITLE = 100;

function titleOf(request: string): string {
  const first = request.trim().split('\n')[0]!.trim();
  if (first.length <= MAX_REQUEST_TITLE) return first;
  const cut = first.slice(0, MAX_REQUEST_TITLE);
  const space = cut.lastIndexOf(' ');
  return `${space > MAX_REQUEST_TITLE / 2 ? cut.slice(0, space) : cut}…`;
}

/** A one-task spec; its id is the title's slug (or 'request'). Throws BAD_REQUEST for an empty request. */
export function requestToSpec(request: string, options: RequestOptions): SpecInput {
  const text = request.trim();
  if (text === '') throw new NightshiftError('BAD_REQUEST', '-m needs the request as text, for example -m "Add a --verbose flag to the CLI"');
  if (text.length > SPEC_LIMITS.maxTextLength) throw new NightshiftError('BAD_REQUEST', '-m: the request is longer than 64 KiB; write a plan file and submit that');
  const title = titleOf(text);
  const spec: SpecInput = {
    id: slugFrom([title], 'request'),
    title,
    repo: { path: options.repoPath, base: options.base ?? 'main' },
    ...(options.agentCommand ? { agent: { kind: 'command' as const, command: options.agentCommand } } : {}),
    ...(options.checks && options.checks.length > 0 ? { checks: options.checks.map((run) => ({ name: checkName(run), run })) } : {}),
    tasks: [{ id: 'task-1', title, description: text }],
  };
  const { problems } = validateSpec(spec, { file: '-m' });
  if (problems.length > 0) throw new SpecInvalidError('SPEC_INVALID', '-m', problems, { parsed: false });
  return spec;
}
