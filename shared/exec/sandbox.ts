/**
 * Optional bubblewrap sandbox around an agent or a check: a fresh mount,
 * pid, ipc and uts namespace where only the system directories (read-only),
 * the workspace and the run's private directory (read-write) exist.
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { NightshiftError } from '../errors.ts';

export type SandboxMode = 'none' | 'bwrap';

/** Where bwrap is looked for. @default "/usr/bin/bwrap" */
export const BWRAP_PATH = '/usr/bin/bwrap';

export interface BwrapOptions {
  /** Bound read-write; the command runs here. */
  workspace: string;
  /** The run's private directory (HOME, TMPDIR, task file), bound read-write. */
  runDir: string;
  /** Keep the host network (agent CLIs call a model API). @default true */
  network?: boolean;
  /**
   * More paths to bind, for example the repository's git directory that a
   * worktree's `.git` file points to, or a tool installed outside /usr.
   */
  extraBinds?: readonly { path: string; writable?: boolean }[];
  /** @default BWRAP_PATH */
  bwrapPath?: string;
}

// Top-level system paths: on merged-/usr systems most are symlinks into
// /usr, which bwrap must recreate as symlinks rather than bind.
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/opt'];
// Only what programs need from /etc (name resolution, TLS roots, users,
// Debian alternatives), not all of it.
const ETC_FILES = [
  '/etc/alternatives', '/etc/ssl', '/etc/ca-certificates', '/etc/pki', '/etc/resolv.conf', '/etc/hosts',
  '/etc/nsswitch.conf', '/etc/passwd', '/etc/group', '/etc/localtime', '/etc/ld.so.cache', '/etc/gitconfig',
];

/** The argv that runs `argv` inside bwrap (see BwrapOptions). Pure apart from reading which system paths exist. */
export function bwrapArgv(argv: readonly string[], options: BwrapOptions): string[] {
  const out = [options.bwrapPath ?? BWRAP_PATH, '--die-with-parent', '--new-session', '--unshare-all'];
  if (options.network ?? true) out.push('--share-net');
  for (const dir of SYSTEM_DIRS) {
    const kind = pathKind(dir);
    if (kind === 'symlink') out.push('--symlink', readlinkSync(dir), dir);
    else if (kind === 'dir') out.push('--ro-bind', dir, dir);
  }
  for (const path of ETC_FILES) out.push('--ro-bind-try', path, path);
  out.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  out.push('--bind', options.runDir, options.runDir);
  for (const b of options.extraBinds ?? []) out.push(b.writable ? '--bind' : '--ro-bind', b.path, b.path);
  // The workspace last, so that no other bind can shadow it.
  out.push('--bind', options.workspace, options.workspace, '--chdir', options.workspace);
  out.push('--', ...argv);
  return out;
}

/** Throws SANDBOX_UNAVAILABLE when `mode` is bwrap and bwrap is not installed. */
export function assertSandboxAvailable(mode: SandboxMode, bwrapPath: string = BWRAP_PATH): void {
  if (mode === 'bwrap' && !existsSync(bwrapPath)) {
    throw new NightshiftError(
      'SANDBOX_UNAVAILABLE',
      `sandbox 'bwrap' was requested but ${bwrapPath} does not exist; install the Debian package 'bubblewrap' (apt-get install bubblewrap) or use sandbox 'none'`,
    );
  }
}

/** True when bwrap is installed at `bwrapPath`. */
export function bwrapAvailable(bwrapPath: string = BWRAP_PATH): boolean {
  return existsSync(bwrapPath);
}

function pathKind(path: string): 'dir' | 'symlink' | 'none' {
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return 'symlink';
    return st.isDirectory() ? 'dir' : 'none';
  } catch {
    return 'none';
  }
}
