/**
 * Creates or updates the stream and the durable consumers, idempotently: the
 * same config twice changes nothing, a changed config is applied with an
 * update, and two processes racing to create the same thing both succeed.
 */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { NightshiftError } from '../errors.ts';

/** Stream settings nightshift owns. */
export interface StreamSettings {
  name: string;
  subjects: string[];
  duplicateWindowMs: number;
  storage: 'file' | 'memory';
  /** Messages older than this are removed; 0 keeps them forever. */
  maxAgeMs: number;
}

/** Consumer settings nightshift owns. */
export interface ConsumerSettings {
  durable: string;
  subjects: string[];
  ackWaitMs: number;
  /** JetStream's max_deliver: the adapter's maxDeliver plus one (see jetstream-bus.ts). */
  maxDeliveries: number;
  /** False on servers older than 2.10: several subjects then mean no filter and a client-side one. */
  multiFilter: boolean;
}

const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;
const CONSUMER_NOT_FOUND = 10014;

export async function ensureStream(jsm: JetStreamManager, s: StreamSettings): Promise<void> {
  const wanted = {
    subjects: s.subjects,
    duplicate_window: nanos(s.duplicateWindowMs),
    max_age: nanos(s.maxAgeMs),
  };
  const current = await streamConfig(jsm, s.name);
  if (!current) {
    try {
      await jsm.streams.add({
        name: s.name,
        ...wanted,
        storage: s.storage === 'file' ? StorageType.File : StorageType.Memory,
        retention: RetentionPolicy.Limits,
      });
      return;
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE)) throw setupError(`create stream ${s.name}`, err);
    }
  }
  const existing = current ?? (await streamConfig(jsm, s.name));
  if (!existing) throw new NightshiftError('BUS_UNAVAILABLE', `stream ${s.name} vanished while it was being created`);
  if (existing.storage !== (s.storage === 'file' ? StorageType.File : StorageType.Memory)) {
    throw new NightshiftError('CONFIG_INVALID', `stream ${s.name} exists with ${existing.storage} storage, not ${s.storage}; JetStream cannot change that: delete the stream or pick another name`);
  }
  const same =
    sameList(existing.subjects, wanted.subjects) &&
    existing.duplicate_window === wanted.duplicate_window &&
    existing.max_age === wanted.max_age;
  if (same) return;
  try {
    await jsm.streams.update(s.name, { ...existing, ...wanted });
  } catch (err) {
    throw setupError(`update stream ${s.name}`, err);
  }
}

export async function ensureConsumer(jsm: JetStreamManager, stream: string, c: ConsumerSettings): Promise<void> {
  const filter: Partial<ConsumerConfig> =
    c.subjects.length === 1 ? { filter_subject: c.subjects[0] } : c.multiFilter ? { filter_subjects: c.subjects } : {};
  const wanted: Partial<ConsumerConfig> = { ack_wait: nanos(c.ackWaitMs), max_deliver: c.maxDeliveries, ...filter };
  let existing: ConsumerConfig | undefined;
  try {
    existing = (await jsm.consumers.info(stream, c.durable)).config;
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === CONSUMER_NOT_FOUND)) throw setupError(`read consumer ${c.durable}`, err);
  }
  if (!existing) {
    try {
      await jsm.consumers.add(stream, {
        durable_name: c.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        replay_policy: ReplayPolicy.Instant,
        ...wanted,
      });
      return;
    } catch (err) {
      // Another process created it first, maybe with other settings: fall through to update.
      const raced = await jsm.consumers.info(stream, c.durable).catch(() => undefined);
      if (!raced) throw setupError(`create consumer ${c.durable} on stream ${stream}`, err);
      existing = raced.config;
    }
  }
  const same =
    existing.ack_wait === wanted.ack_wait &&
    existing.max_deliver === wanted.max_deliver &&
    (existing.filter_subject ?? '') === (wanted.filter_subject ?? '') &&
    sameList(existing.filter_subjects ?? [], wanted.filter_subjects ?? []);
  if (same) return;
  try {
    // Explicit undefined clears a filter the consumer had (the client merges into the current config).
    await jsm.consumers.update(stream, c.durable, { ...wanted, filter_subject: wanted.filter_subject, filter_subjects: wanted.filter_subjects });
  } catch (err) {
    throw setupError(`update consumer ${c.durable} on stream ${stream}`, err);
  }
}

async function streamConfig(jsm: JetStreamManager, name: string): Promise<StreamConfig | undefined> {
  try {
    return (await jsm.streams.info(name)).config;
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === STREAM_NOT_FOUND) return undefined;
    throw setupError(`read stream ${name}`, err);
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);
}

function setupError(what: string, err: unknown): NightshiftError {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof JetStreamApiError) {
    return new NightshiftError('CONFIG_INVALID', `JetStream refused to ${what}: ${message} (code ${err.code})`, { cause: err });
  }
  return new NightshiftError('BUS_UNAVAILABLE', `could not ${what}: ${message}`, { cause: err });
}
