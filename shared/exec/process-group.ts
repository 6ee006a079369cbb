/**
 * Process-group signalling. Every run leads its own group (spawned detached),
 * so `kill(-pgid)` reaches the leader and everything it started that did not
 * leave the group.
 */

const live = new Set<number>();
let exitHookInstalled = false;

/** Sends `signal` to the whole group; a group that is already gone is not an error. */
export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ESRCH: nothing left in the group. EPERM: a member changed user (setuid
    // binary); we cannot signal it and must not crash the host over it.
    if (code !== 'ESRCH' && code !== 'EPERM') throw err;
  }
}

/**
 * Remembers a live group so that it is killed if the host process exits
 * first (a detached group would otherwise outlive a worker that is shutting
 * down). Returns the function that forgets it.
 */
export function trackGroup(pgid: number): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const g of live) killGroup(g, 'SIGKILL');
    });
  }
  live.add(pgid);
  return () => live.delete(pgid);
}
