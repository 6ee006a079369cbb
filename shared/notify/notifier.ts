/**
 * The notifier: its own durable consumer (`notify`) on the bus, beside the
 * five functions' consumers, in the dev runner and in the bridge. For each
 * `specs.completed` / `specs.failed` (and, with NOTIFY_TASK_FAILURES, each
 * `specs.task-failed`) it logs one line, prints a plain one for a person,
 * appends the notification to `<id>.events.log`, and POSTs it to every
 * webhook at once.
 *
 * Once per fact: the bus skips an event id this durable already processed
 * (the processed-events table, marked when the handler returns) and the
 * publishers give these facts deterministic ids, so a reconcile that
 * re-sends `spec.failed`, a restart, or a redelivery notifies nothing new.
 * The handler never throws: a webhook that stays down is logged, and a
 * redelivery would repeat the webhooks that did answer.
 */
import type { Logger } from 'pino';
import type { Bus, Subscription } from '../bus/types.ts';
import type { Config } from '../config.ts';
import { attempts, processedEvents, type Db } from '../db/index.ts';
import { EVENTS } from '../events/catalog.ts';
import type { NsEvent } from '../runtime/types.ts';
import { appendEventsLog } from './events-log.ts';
import { buildNotification, humanLine, type Notification } from './message.ts';
import { slackBody } from './slack.ts';
import { postWebhook, type WebhookResult } from './webhook.ts';

/** The durable consumer's name. */
export const NOTIFY_DURABLE = 'notify';

/** Longest attempt error put in a task-failure notification. @default 1000 characters */
const MAX_TASK_ERROR = 1000;

export type NotifyConfig = Pick<
  Config,
  | 'SPECS_DIR'
  | 'NOTIFY_WEBHOOKS'
  | 'NOTIFY_SLACK_WEBHOOKS'
  | 'NOTIFY_TASK_FAILURES'
  | 'NOTIFY_TIMEOUT_MS'
  | 'NOTIFY_RETRIES'
  | 'NOTIFY_RETRY_BASE_MS'
  | 'NOTIFY_MAX_AGE_MS'
  | 'MAX_DELIVER'
  | 'ACK_WAIT_MS'
  | 'CONCURRENCY'
>;

export interface NotifierOptions {
  bus: Bus;
  config: NotifyConfig;
  log: Logger;
  /** The state store: the failed attempt's error for task failures, and one notification per attempt across repairs. @default none */
  db?: Db;
  /** Where the plain line for a person goes (the dev runner: stderr). @default nowhere */
  human?: (line: string) => void;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface Notifier {
  /** Stops taking events; running notifications get up to `graceMs` (their webhook retries are cut short halfway). */
  stop(graceMs?: number): Promise<void>;
}

/** The subjects the notifier listens on. */
export function notifySubjects(taskFailures: boolean): string[] {
  return [EVENTS['spec.completed'].subject, EVENTS['spec.failed'].subject, ...(taskFailures ? [EVENTS['task.failed'].subject] : [])];
}

export async function startNotifier(options: NotifierOptions): Promise<Notifier> {
  const { config, log } = options;
  const now = options.now ?? (() => new Date());
  const stopping = new AbortController();
  const processed = options.db ? processedEvents(options.db) : undefined;

  async function notify(event: NsEvent): Promise<void> {
    const elog = log.child({ eventId: event.id, specId: event.subject, consumer: NOTIFY_DURABLE });
    const age = now().getTime() - Date.parse(event.time ?? '');
    if (config.NOTIFY_MAX_AGE_MS > 0 && age > config.NOTIFY_MAX_AGE_MS) {
      elog.info({ ageMs: age }, 'not notified: the event is older than NOTIFY_MAX_AGE_MS');
      return;
    }
    // A repaired task.failed has a new id (`.../failed/repair-<n>`); the attempt's failure is one fact.
    const canonical = event.id.replace(/\/repair-\d+$/, '');
    if (canonical !== event.id && (await processed?.has(NOTIFY_DURABLE, canonical))) return;
    const n = await buildNotification(event, config.SPECS_DIR, await taskError(event, options.db));
    if (!n) return;
    const line = humanLine(n);
    elog.info({ notification: { event: n.event, status: n.status, path: n.path, task: n.task?.id } }, line);
    options.human?.(line);
    try {
      const file = await appendEventsLog(config.SPECS_DIR, n);
      elog.debug({ file }, 'events log appended');
    } catch (err) {
      elog.warn({ err }, 'could not append to the events log');
    }
    report(elog, n, await send(n));
    if (canonical !== event.id) await processed?.mark(NOTIFY_DURABLE, canonical);
  }

  function send(n: Notification): Promise<WebhookResult[]> {
    const opts = { timeoutMs: config.NOTIFY_TIMEOUT_MS, retries: config.NOTIFY_RETRIES, baseMs: config.NOTIFY_RETRY_BASE_MS, signal: stopping.signal };
    return Promise.all([
      ...config.NOTIFY_WEBHOOKS.map((url) => postWebhook(url, n, opts)),
      ...config.NOTIFY_SLACK_WEBHOOKS.map((url) => postWebhook(url, slackBody(n), opts)),
    ]);
  }

  const sub: Subscription = await options.bus.subscribe({
    durable: NOTIFY_DURABLE,
    subjects: notifySubjects(config.NOTIFY_TASK_FAILURES),
    maxDeliver: config.MAX_DELIVER,
    ackWaitMs: config.ACK_WAIT_MS,
    // Several at once, so one spec's dead webhook does not hold up another spec's notification.
    concurrency: config.CONCURRENCY,
    handler: async (delivery) => notify(delivery.event),
  });
  log.debug({ subjects: notifySubjects(config.NOTIFY_TASK_FAILURES), webhooks: config.NOTIFY_WEBHOOKS.length, slack: config.NOTIFY_SLACK_WEBHOOKS.length }, 'notifier started');

  return {
    async stop(graceMs = 10_000) {
      const cut = setTimeout(() => stopping.abort(), Math.floor(graceMs / 2));
      try {
        await sub.stop({ graceMs });
      } finally {
        clearTimeout(cut);
        stopping.abort();
      }
    },
  };
}

/** The failed attempt's error (its tail), for a task failure; undefined without a database or row. */
async function taskError(event: NsEvent, db: Db | undefined): Promise<string | undefined> {
  const d = event.data as { specId?: string; taskId?: string; attempt?: number };
  if (!db || d.taskId === undefined || d.attempt === undefined || d.specId === undefined) return undefined;
  const row = await attempts(db).get({ specId: d.specId, taskId: d.taskId, attempt: d.attempt }).catch(() => null);
  const error = row?.error ?? undefined;
  return error && error.length > MAX_TASK_ERROR ? `[...] ${error.slice(-MAX_TASK_ERROR)}` : error;
}

function report(log: Logger, n: Notification, results: WebhookResult[]): void {
  for (const r of results) {
    if (r.ok) log.debug({ target: r.target, tries: r.tries, status: r.status }, 'webhook notified');
    else log.warn({ target: r.target, tries: r.tries, status: r.status, error: r.error, event: n.event }, `webhook ${r.target} not notified of ${n.event} for spec ${n.specId}: ${r.error ?? 'failed'}`);
  }
}
