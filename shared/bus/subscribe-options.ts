/**
 * Checks a subscription's options and fills in the defaults, the same way for
 * both adapters.
 */
import type { Logger } from 'pino';
import { NightshiftError } from '../errors.ts';
import type { DeadLetterSink, ProcessedEvents } from '../ports.ts';
import type { DeliveryContext } from './delivery.ts';
import { DEFAULT_ACK_WAIT_MS, DEFAULT_CONCURRENCY, DEFAULT_MAX_DELIVER, type SubscribeOptions } from './types.ts';

/** Durable names become JetStream consumer names: no dots, wildcards, spaces or slashes. */
const DURABLE = /^[A-Za-z0-9_-]{1,128}$/;
const SUBJECT = /^[^\s]+$/;

export interface ResolvedSubscription extends DeliveryContext {
  concurrency: number;
}

export function resolveSubscribe(
  options: SubscribeOptions,
  deps: { deadLetters: DeadLetterSink; processed: ProcessedEvents | undefined; log: Logger },
): ResolvedSubscription {
  const where = `subscription "${options.durable}"`;
  const fail = (what: string) => new NightshiftError('CONFIG_INVALID', `${where}: ${what}`);
  if (!DURABLE.test(options.durable)) throw fail('the durable name must be 1-128 letters, digits, "-" or "_"');
  if (options.subjects.length === 0) throw fail('give at least one subject');
  for (const s of options.subjects) {
    if (!SUBJECT.test(s) || s.split('.').some((t) => t === '')) throw fail(`"${s}" is not a valid NATS subject`);
  }
  const maxDeliver = options.maxDeliver ?? DEFAULT_MAX_DELIVER;
  const ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(maxDeliver) || maxDeliver < 1) throw fail(`maxDeliver must be a whole number >= 1, got ${maxDeliver}`);
  // JetStream cannot time acks finer than this, and heartbeats run every ackWait/3.
  if (!Number.isFinite(ackWaitMs) || ackWaitMs < 300) throw fail(`ackWaitMs must be >= 300, got ${ackWaitMs}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw fail(`concurrency must be a whole number >= 1, got ${concurrency}`);
  if (options.backoffMs?.some((ms) => !Number.isFinite(ms) || ms < 0)) throw fail('backoffMs entries must be numbers >= 0');
  return {
    durable: options.durable,
    subjects: [...options.subjects],
    handler: options.handler,
    maxDeliver,
    ackWaitMs,
    backoffMs: options.backoffMs,
    autoHeartbeat: options.autoHeartbeat ?? true,
    concurrency,
    deadLetters: deps.deadLetters,
    processed: deps.processed,
    log: deps.log,
  };
}
