/**
 * A private Postgres cluster for one test, for tests that stop the server
 * (the shared test server must never be touched): `initdb` in a temp dir,
 * trust auth, a free port on 127.0.0.1, the unix socket in that dir.
 * `stop('immediate')` is a crash as far as the data is concerned (no
 * checkpoint; the next start replays the WAL); `start()` brings it back on
 * the same port and data.
 *
 * initdb and postgres refuse to run as root, so as root (the CI container)
 * every command runs as the `postgres` user (`runuser -u postgres --`) in a
 * dir it owns; as anyone else they run as that user.
 *
 *   const pg = await startPostgresCluster();
 *   try { ... pg.url ... await pg.stop('immediate'); await pg.start(); } finally { await pg.destroy(); }
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where initdb and pg_ctl are: PG_BIN_DIR, else Debian's PostgreSQL 15. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
}

export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  dir: string;
  /** Stops the server; `immediate` aborts every session and skips the checkpoint, like a crash. */
  stop(mode: 'immediate' | 'fast'): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it (immediate) if it runs and removes its dir. */
  destroy(): Promise<void>;
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!existsSync(join(bin, 'initdb')) || !existsSync(join(bin, 'pg_ctl'))) {
    throw new Error(`no initdb/pg_ctl in ${bin}: install PostgreSQL 15 (apt-get install postgresql-15) or set PG_BIN_DIR to its bin folder`);
  }
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'nightshift-pg-'));
  const data = join(dir, 'data');
  const pgUser = async (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    try {
      return await run(file, argv, { cwd: dir, timeout: 60_000 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`);
    }
  };
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']).catch(() => ({ stdout: '' }));
    const { stdout: gid } = await run('id', ['-g', 'postgres']).catch(() => ({ stdout: '' }));
    if (!stdout.trim()) throw new Error('running as root, and there is no `postgres` user to run initdb and postgres as (they refuse root)');
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const port = await freePort();
  const cluster: PostgresCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    async stop(mode) {
      await pgUser('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
    },
    async start() {
      const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
      await pgUser('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start']);
    },
    async destroy() {
      await pgUser('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await pgUser('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
    await cluster.start();
  } catch (err) {
    await cluster.destroy();
    throw err;
  }
  return cluster;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}
