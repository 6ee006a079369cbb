/**
 * Runs async jobs one at a time, in the order they were queued. PGlite is a
 * single connection: without this, two callers' transactions would interleave
 * their statements on the same session.
 */
export class SerialQueue {
  #tail: Promise<void> = Promise.resolve();

  /** Queues `job`; resolves or rejects with its result once it has run. */
  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(job);
    // Keep the chain alive whatever the job did; its caller sees the rejection.
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
