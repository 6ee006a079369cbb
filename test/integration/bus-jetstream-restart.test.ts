/**
 * Kill the NATS server (SIGKILL) in the middle of a publish loop and bring it
 * back on the same port and store: every publish the server acknowledged is
 * delivered, and the same bus reconnects by itself (the loop retries the
 * publishes that failed during the outage, and they then succeed).
 */
import { afterEach, expect, it } from 'vitest';
import { JetStreamBus } from '../../shared/bus/jetstream-bus.ts';
import { MemoryDeadLetters } from '../../shared/bus/memory-sinks.ts';
import { NightshiftError } from '../../shared/errors.ts';
import { sleep, taskAssigned, waitFor } from '../contract/bus-world.ts';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.ts';

const TOTAL = 200;
const KILL_AT = 60;
const LANES = 4;

let server: NatsServer | undefined;
let bus: JetStreamBus | undefined;

afterEach(async () => {
  await bus?.close({ graceMs: 0 });
  await server?.stop();
  bus = undefined;
  server = undefined;
});

it('delivers every acknowledged publish across a server kill and restart', async () => {
  server = await startNatsServer();
  const ns = server;
  const deadLetters = new MemoryDeadLetters();
  bus = await JetStreamBus.connect({ servers: ns.url, publishTimeoutMs: 1_000, reconnectWaitMs: 200, deadLetters });
  const delivered = new Set<string>();
  await bus.subscribe({ durable: 'develop-task', subjects: ['specs.task-assigned'], concurrency: 4, handler: async (d) => void delivered.add(d.event.id) });

  const acked = new Set<string>();
  let failures = 0;
  let outage: Promise<void> | undefined;
  let deliveredAtKill = -1;
  // Four publishers, so several publishes are in flight when the server dies.
  const lane = async (first: number): Promise<void> => {
    for (let i = first; i < TOTAL; i += LANES) {
      if (!outage && acked.size >= KILL_AT) {
        deliveredAtKill = delivered.size;
        // The server stays down longer than a publish may wait, so publishes fail and are retried.
        outage = ns.kill('SIGKILL').then(() => sleep(2_000)).then(() => ns.restart());
      }
      const event = taskAssigned(`t${i}`);
      for (;;) {
        try {
          await bus!.publish(event);
          acked.add(event.id);
          break;
        } catch (err) {
          expect(err).toBeInstanceOf(NightshiftError);
          expect((err as NightshiftError).code).toBe('BUS_UNAVAILABLE');
          failures += 1;
          await sleep(100);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));
  await outage;

  expect(acked.size).toBe(TOTAL);
  expect(failures).toBeGreaterThan(0); // the outage was seen by the publishers
  expect(deliveredAtKill).toBeLessThan(TOTAL); // so the subscription had to survive the restart
  await waitFor('every acknowledged event to be delivered', () => [...acked].every((id) => delivered.has(id)), 30_000);
  expect(delivered.size).toBe(TOTAL);
  expect(deadLetters.letters).toEqual([]);
}, 60_000);
