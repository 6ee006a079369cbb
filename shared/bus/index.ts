/**
 * The event bus: one port, two adapters with the same delivery semantics.
 * `JetStreamBus.connect({ servers })` on NATS, `new MemoryBus()` in process.
 */
export * from './types.ts';
export { nakDelay } from './backoff.ts';
export { subjectMatches, matchesAny } from './subject.ts';
export { MemoryDeadLetters, MemoryProcessedEvents } from './memory-sinks.ts';
export { MemoryBroker, type MemoryBrokerOptions } from './memory-broker.ts';
export { MemoryBus, type MemoryBusOptions } from './memory-bus.ts';
export { JetStreamBus, type JetStreamBusOptions } from './jetstream-bus.ts';
