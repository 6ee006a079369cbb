/**
 * Facts about the machine a result was measured on. The load average is
 * recorded at start and end because the machine is shared with other work
 * and a busy neighbour can slow a run several times over.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Machine } from './result.ts';

type Load = Machine['loadStart'];

export function loadAverage(): Load {
  const [a = 0, b = 0, c = 0] = os.loadavg();
  return [Number(a.toFixed(2)), Number(b.toFixed(2)), Number(c.toFixed(2))];
}

function gitVersion(): string {
  try {
    return execFileSync('git', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'git not found';
  }
}

/** Everything but the end load, which the runner fills in when the benchmark is done. */
export function machineFacts(loadStart: Load = loadAverage()): Omit<Machine, 'loadEnd'> {
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryMiB: Math.round(os.totalmem() / 1024 / 1024),
    git: gitVersion(),
    loadStart,
  };
}
