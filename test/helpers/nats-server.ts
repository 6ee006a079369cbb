/**
 * Starts a private nats-server with JetStream for one test: a free port, a
 * temp store dir and a temp config file. `restart()` brings it back on the
 * same port with the same store, so tests can kill it and check what survived.
 *
 *   const ns = await startNatsServer();
 *   try { ... connect to ns.url ... } finally { await ns.stop(); }
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The binary: NATS_SERVER_BIN, else /usr/sbin/nats-server, else `nats-server` on PATH. */
export function natsServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NATS_SERVER_BIN) return env.NATS_SERVER_BIN;
  if (existsSync('/usr/sbin/nats-server')) return '/usr/sbin/nats-server';
  return 'nats-server';
}

const INSTALL_HINT =
  'install it with `apt-get install nats-server` (Debian/Ubuntu), or put a release binary from ' +
  'https://github.com/nats-io/nats-server/releases on PATH, or set NATS_SERVER_BIN';

export interface NatsServer {
  url: string;
  port: number;
  storeDir: string;
  /** Server version, e.g. "2.9.10". */
  version: string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its temp dirs. */
  stop(): Promise<void>;
  /** Kills the server with `signal` and waits until it is gone; the store stays. @default "SIGKILL" */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port with the same store (kills it first if it still runs). */
  restart(): Promise<void>;
}

export async function startNatsServer(): Promise<NatsServer> {
  const bin = natsServerBinary();
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error(`nats-server not found at "${bin}": ${INSTALL_HINT}`);
  const version = /v?(\d+\.\d+\.\d+)/.exec(probe.stdout)?.[1] ?? '0.0.0';
  const dir = await mkdtemp(join(tmpdir(), 'nightshift-nats-'));
  const storeDir = join(dir, 'store');
  const configPath = join(dir, 'nats.conf');
  let child: ChildProcess | undefined;
  let port = -1;

  const launch = async (): Promise<void> => {
    // sync_interval exists from 2.10 on; older servers write through to the OS, which survives SIGKILL too.
    const sync = versionAtLeast(version, 2, 10) ? ', sync_interval: always' : '';
    await writeFile(configPath, `listen: "127.0.0.1:${port}"\njetstream { store_dir: ${JSON.stringify(storeDir)}${sync} }\n`);
    const portsDir = await mkdtemp(join(dir, 'ports-'));
    const proc = spawn(bin, ['-c', configPath, '-ports_file_dir', portsDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    port = await waitForPort(proc, portsDir, () => stderr);
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };

  try {
    await launch();
  } catch (err) {
    await kill();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    storeDir,
    version,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the server writes its ports file (it then accepts connections); returns the client port. */
async function waitForPort(proc: ChildProcess, portsDir: string, stderr: () => string): Promise<number> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`nats-server exited early (${proc.exitCode ?? proc.signalCode}): ${stderr().trim()}`);
    }
    const files = (await readdir(portsDir)).filter((f) => f.endsWith('.ports'));
    const file = files[0];
    if (file) {
      // The file may be half written: read it again on the next round.
      const url = await readFile(join(portsDir, file), 'utf8')
        .then((text) => (JSON.parse(text) as { nats?: string[] }).nats?.[0])
        .catch(() => undefined);
      if (url) return Number(new URL(url.replace(/^nats:/, 'http:')).port);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nats-server did not write its ports file within 10 s: ${stderr().trim()}`);
}

function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [ma = 0, mi = 0] = version.split('.').map(Number);
  return ma > major || (ma === major && mi >= minor);
}
