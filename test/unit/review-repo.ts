/**
 * A real git repository in a temp folder for the review-gate tests: write,
 * move and delete files, then take `git diff --binary` of the staged changes
 * (so new files are in it, as develop-task captures them). Git runs with a
 * private HOME and no system config, so the caller's settings (diff.noprefix,
 * a diff driver) cannot change the output.
 */
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

export interface TempRepo {
  dir: string;
  write(path: string, content: string | Buffer): Promise<void>;
  git(...args: string[]): Promise<string>;
  /** Stages everything and returns `git diff --cached --binary -M` against HEAD. */
  diff(...extra: string[]): Promise<string>;
  /** Commits everything staged or not, so the next diff starts from here. */
  commit(message?: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  remove(path: string): Promise<void>;
}

/** Runs `fn` with a fresh repository holding `initial` as its first commit; removes it afterwards, also on failure. */
export async function withRepo<T>(initial: Record<string, string | Buffer>, fn: (repo: TempRepo) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'nightshift-review-'));
  const home = join(dir, '.home');
  const work = join(dir, 'repo');
  await mkdir(home);
  await mkdir(work);
  const env = { HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z' };
  const git = async (...args: string[]): Promise<string> => {
    const r = await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'core.quotePath=true', ...args], {
      cwd: work,
      env,
      stripFinalNewline: false,
    });
    return r.stdout;
  };
  const repo: TempRepo = {
    dir: work,
    git,
    async write(path, content) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
    },
    async diff(...extra) {
      await git('add', '-A');
      return git('diff', '--cached', '--binary', '-M', '--no-ext-diff', '--no-color', ...extra);
    },
    async commit(message = 'commit') {
      await git('add', '-A');
      await git('commit', '-q', '--allow-empty', '-m', message);
    },
    chmod: (path, mode) => chmod(join(work, path), mode),
    symlink: (target, path) => symlink(target, join(work, path)),
    remove: (path) => rm(join(work, path), { recursive: true, force: true }),
  };
  try {
    await git('init', '-q', '-b', 'main');
    for (const [path, content] of Object.entries(initial)) await repo.write(path, content);
    await repo.commit('initial');
    return await fn(repo);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
