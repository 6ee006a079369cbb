/**
 * Test repositories with a long history made fast: one `git fast-import`
 * stream per repository. Every repository of a given file count ends at the
 * same tree whatever its number of commits, so only history length differs.
 */
import { execa } from 'execa';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { cleanGitEnv } from '../../shared/git/run.ts';

export interface HistoryShape {
  /** Files in the tree, spread over 40 folders, ~0.8 KB each. */
  files: number;
  /** Commits on `main`, at least 1. */
  commits: number;
}

export interface TestRepo {
  /** Absolute path of the (non-bare) repository, `main` checked out. */
  dir: string;
  /** The tip commit. */
  sha: string;
  /** The tip's tree: the same for every history length of one file count. */
  tree: string;
  /** Size of the object store, from `git count-objects -v` (KiB). */
  objectsKiB: number;
}

const env = cleanGitEnv();

/** Runs plain git (not nightshift's allowlisted runner: benchmarks clone and import). */
export async function gitCli(cwd: string, args: readonly string[], input = ''): Promise<string> {
  return (await execa('git', args, { cwd, env, extendEnv: false, input })).stdout;
}

const data = (s: string): string => `data ${Buffer.byteLength(s)}\n${s}`;
const filePath = (f: number): string => `src/d${f % 40}/file${f}.txt`;
const baseContent = (f: number): string => `file ${f}\n${'x'.repeat(800)}\n`;

/**
 * The fast-import stream: commit 1 adds every file, each middle commit
 * rewrites one file, and the last commit (`deleteall` + every file) puts the
 * base tree back, so the tip tree depends on `files` alone.
 */
export function fastImportStream({ files, commits }: HistoryShape): string {
  const out: string[] = [];
  const commit = (c: number): void => {
    out.push('commit refs/heads/main', `mark :${c}`, `committer bench <bench@localhost> ${1_700_000_000 + c} +0000`, data(`commit ${c}\n`));
    if (c > 1) out.push(`from :${c - 1}`);
  };
  const allFiles = (): void => {
    for (let f = 0; f < files; f++) out.push(`M 100644 inline ${filePath(f)}`, data(baseContent(f)));
  };
  for (let c = 1; c <= commits; c++) {
    commit(c);
    if (c === 1) allFiles();
    else if (c === commits) {
      out.push('deleteall');
      allFiles();
    } else {
      const f = c % files;
      out.push(`M 100644 inline ${filePath(f)}`, data(`file ${f} v${c}\n${'y'.repeat(800)}\n`));
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/** Creates `<base>/<name>` with the given history and checks out `main`. */
export async function makeRepo(base: string, name: string, shape: HistoryShape): Promise<TestRepo> {
  const dir = path.join(base, name);
  await mkdir(dir, { recursive: true });
  await gitCli(dir, ['init', '-q', '-b', 'main']);
  await gitCli(dir, ['fast-import', '--quiet'], fastImportStream(shape));
  await gitCli(dir, ['checkout', '-q', 'main']);
  const sha = (await gitCli(dir, ['rev-parse', 'HEAD'])).trim();
  const tree = (await gitCli(dir, ['rev-parse', 'HEAD^{tree}'])).trim();
  const counts = await gitCli(dir, ['count-objects', '-v']);
  const kib = (key: string): number => Number(new RegExp(`^${key}: (\\d+)`, 'm').exec(counts)?.[1] ?? 0);
  return { dir, sha, tree, objectsKiB: kib('size') + kib('size-pack') };
}
