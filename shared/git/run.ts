/**
 * The one way nightshift runs git: argv arrays only, a clean environment, no
 * hooks, no user or system config, a fixed identity, and an allowlist of
 * subcommands that holds nothing that talks to another repository.
 */
import { execa } from 'execa';
import { NightshiftError } from '../errors.ts';
import { spawnViaHelper } from './spawner.ts';

/** Committer and author of every commit nightshift writes. */
export const NIGHTSHIFT_IDENTITY = { name: 'nightshift', email: 'nightshift@localhost' } as const;

/**
 * Subcommands the runner runs. Everything that can reach another repository
 * (push, fetch, pull, clone, remote, submodule, ls-remote ...) is absent, so it
 * is refused whatever the arguments.
 */
const ALLOWED = new Set([
  'add', 'apply', 'cat-file', 'check-ref-format', 'checkout-index', 'commit-tree', 'diff-tree', 'for-each-ref',
  'init', 'log', 'ls-files', 'read-tree', 'rev-parse', 'show-ref', 'symbolic-ref', 'update-ref', 'worktree',
  'write-tree', 'hash-object', 'merge-base',
]);
/** `worktree` is allowed only to read the list (to see where a branch is checked out). */
const WORKTREE_ALLOWED = new Set(['list']);

/**
 * Config every call gets. Hooks are off (`core.hooksPath=/dev/null`), the
 * fsmonitor hook is off, and every transport is off (`protocol.allow=never`),
 * so even a repository whose config asks for them runs none.
 */
const SAFE_CONFIG = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.fsmonitor=false',
  '-c', 'protocol.allow=never',
  '-c', 'advice.detachedHead=false',
  '-c', 'gc.auto=0',
  '-c', 'maintenance.auto=false',
];

export interface GitOptions {
  /** Working directory of the process. @default the process's cwd */
  cwd?: string;
  /** Extra variables (GIT_DIR, GIT_INDEX_FILE, GIT_WORK_TREE ...) on top of the clean base. */
  env?: Record<string, string>;
  /** Bytes or text written to stdin. @default nothing */
  input?: string | Uint8Array;
  /** Return a non-zero exit instead of throwing. @default false */
  allowFail?: boolean;
  /** Largest stdout kept, in bytes. @default 256 MiB */
  maxBuffer?: number;
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * The whole environment git sees: nothing of the caller's (no GIT_DIR,
 * credentials, SSH agent or proxy), only PATH, a C locale for parseable
 * messages and the fixed identity.
 */
export function cleanGitEnv(extra: Record<string, string> = {}, parent: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    PATH: parent.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: '/nonexistent',
    LANG: 'C',
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_AUTHOR_NAME: NIGHTSHIFT_IDENTITY.name,
    GIT_AUTHOR_EMAIL: NIGHTSHIFT_IDENTITY.email,
    GIT_COMMITTER_NAME: NIGHTSHIFT_IDENTITY.name,
    GIT_COMMITTER_EMAIL: NIGHTSHIFT_IDENTITY.email,
    ...extra,
  };
}

function refuse(args: readonly string[]): never {
  throw new NightshiftError('GIT_REFUSED', `nightshift never runs "git ${args.slice(0, 2).join(' ')}"`);
}

/** Throws GIT_REFUSED unless the subcommand (the first argument) is on the allowlist. */
export function checkAllowed(args: readonly string[]): void {
  const sub = args[0];
  if (sub === undefined || sub.startsWith('-') || !ALLOWED.has(sub)) refuse(args);
  if (sub === 'worktree' && !WORKTREE_ALLOWED.has(args[1] ?? '')) refuse(args);
}

/** Runs `git <args>`; throws GIT_FAILED with git's own message on a non-zero exit. */
export async function git(args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  checkAllowed(args);
  const maxBuffer = options.maxBuffer ?? 256 * 1024 * 1024;
  const env = cleanGitEnv(options.env);
  const viaHelper = spawnViaHelper({ file: 'git', args: [...SAFE_CONFIG, ...args], cwd: options.cwd, env, input: options.input, maxBuffer });
  let stdout: Buffer;
  let stderr: string;
  let code: number;
  let short = '';
  if (viaHelper) {
    const r = await viaHelper;
    stdout = r.stdout;
    stderr = r.stderr.toString('utf8').trim();
    code = r.code;
  } else {
    const result = await execa('git', [...SAFE_CONFIG, ...args], {
      cwd: options.cwd,
      env,
      extendEnv: false,
      input: options.input ?? '',
      encoding: 'buffer',
      reject: false,
      stripFinalNewline: false,
      maxBuffer,
    });
    stdout = Buffer.from(result.stdout as Uint8Array);
    stderr = Buffer.from(result.stderr as Uint8Array).toString('utf8').trim();
    code = result.exitCode ?? -1;
    short = result.shortMessage ?? '';
  }
  if (code !== 0 && !options.allowFail) {
    const where = options.cwd ? ` in ${options.cwd}` : '';
    const why = stderr || short || 'no message';
    throw new NightshiftError('GIT_FAILED', `git ${args[0]} failed${where}: ${why}`, { details: { args, code } });
  }
  return { code, stdout, stderr };
}

/** Runs git and returns stdout as text without the final newline. */
export async function gitText(args: readonly string[], options: GitOptions = {}): Promise<string> {
  const { stdout } = await git(args, options);
  return stdout.toString('utf8').replace(/\n$/, '');
}
