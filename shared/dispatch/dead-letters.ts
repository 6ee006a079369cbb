/**
 * A dead-letter sink that also fails the task: when the bus gives up on a
 * task's event, the letter is recorded (nothing is lost) and a `task.failed`
 * with reason `dead-letter` is published so learn-from-failure decides what
 * happens to the task. A dead-lettered `task.failed` itself is only recorded:
 * the start-up reconcile repairs that task, and a loop cannot start.
 */
import type { Logger } from 'pino';
import type { Bus } from '../bus/types.ts';
import { TaskPing } from '../events/catalog.ts';
import { makeEvent } from '../events/cloudevent.ts';
import type { DeadLetter, DeadLetterSink } from '../ports.ts';

export class FailingDeadLetters implements DeadLetterSink {
  /** The bus is set after construction, since the bus itself takes this sink. */
  bus: Bus | undefined;

  constructor(
    private readonly inner: DeadLetterSink,
    private readonly log: Logger,
  ) {}

  async record(letter: DeadLetter): Promise<void> {
    await this.inner.record(letter);
    this.log.error({ consumer: letter.consumer, eventId: letter.eventId, deliveries: letter.deliveries, reason: letter.reason }, 'dead letter');
    if (letter.subject === 'specs.task-failed' || !this.bus) return;
    const ping = taskPingOf(letter.payload);
    if (!ping) return;
    await this.bus.publish(makeEvent('task.failed', { ...ping, reason: 'dead-letter' }, { source: '/nightshift/bus' }));
  }
}

function taskPingOf(payload: string): TaskPing | undefined {
  try {
    const data = (JSON.parse(payload) as { data?: Record<string, unknown> }).data ?? {};
    const parsed = TaskPing.safeParse({ specId: data.specId, path: data.path, taskId: data.taskId, attempt: data.attempt });
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

type TaskPing = import('zod').infer<typeof TaskPing>;
