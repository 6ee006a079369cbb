/**
 * Concurrency slots of one subscription, and its graceful stop: wait for the
 * running handlers up to a grace period, then abandon them so that their late
 * outcome is never acked (the broker redelivers, as if the process had died).
 */
import type { RawDelivery } from './delivery.ts';

export class WorkPool {
  private readonly running = new Set<Promise<void>>();
  private waiters: (() => void)[] = [];
  private closed = false;
  private abandonedFlag = false;

  /**
   * `concurrency`: handlers at once (@default 1); `onSlotFreed` runs each time
   * a task ends, so a broker can hand over the next message.
   */
  constructor(
    readonly concurrency = 1,
    private readonly onSlotFreed?: () => void,
  ) {}

  /** Free slots now. */
  get free(): number {
    return this.closed ? 0 : Math.max(0, this.concurrency - this.running.size);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** True once a stop gave up waiting: late outcomes are dropped. */
  get abandoned(): boolean {
    return this.abandonedFlag;
  }

  /** Resolves when a slot is free or the pool is closed. */
  async waitForSlot(): Promise<void> {
    while (!this.closed && this.free === 0) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Runs `task` in a slot (the caller checked `free`). */
  run(task: () => Promise<void>): void {
    const p: Promise<void> = task()
      .catch(() => undefined)
      .finally(() => {
        this.running.delete(p);
        this.wake();
        if (!this.closed) this.onSlotFreed?.();
      });
    this.running.add(p);
  }

  /** Closes the pool, waits up to `graceMs` for running tasks, then abandons the rest. */
  async stop(graceMs: number): Promise<void> {
    this.closed = true;
    this.wake();
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), Math.max(0, graceMs));
    });
    const outcome = await Promise.race([Promise.all([...this.running]).then(() => 'done' as const), expired]);
    clearTimeout(timer);
    if (outcome === 'expired') this.abandonedFlag = true;
  }

  /** Wraps a delivery so that its ack operations do nothing once the pool is abandoned. */
  guard(raw: RawDelivery): RawDelivery {
    const live = (op: () => void) => () => {
      if (!this.abandonedFlag) op();
    };
    return {
      subject: raw.subject,
      data: raw.data,
      deliveryCount: raw.deliveryCount,
      messageId: raw.messageId,
      ack: live(() => raw.ack()),
      nak: (delayMs) => live(() => raw.nak(delayMs))(),
      term: live(() => raw.term()),
      working: live(() => raw.working()),
    };
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
