import type { Migration } from './types.ts';

/** Core tables: idempotency, attempts with leases, failures, retries, dead letters. */
export const core: Migration = {
  version: 1,
  name: 'core',
  sql: `
CREATE TABLE processed_events (
  consumer text NOT NULL,
  event_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);

CREATE TABLE attempts (
  id serial PRIMARY KEY,
  spec_id text NOT NULL,
  task_id text NOT NULL,
  attempt integer NOT NULL CHECK (attempt >= 1),
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
  worker text,
  lease_token text,
  lease_expires_at timestamptz,
  heartbeat_at timestamptz,
  base_sha text,
  diff bytea,
  log text,
  error text,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  timings jsonb,
  UNIQUE (spec_id, task_id, attempt)
);
CREATE INDEX attempts_claimable ON attempts (created_at, id) WHERE status IN ('pending', 'running');
CREATE INDEX attempts_lease_token ON attempts (lease_token);

CREATE TABLE failure_logs (
  id serial PRIMARY KEY,
  spec_id text NOT NULL,
  task_id text NOT NULL,
  attempt integer NOT NULL,
  reason text NOT NULL,
  error text NOT NULL,
  normalized text NOT NULL,
  agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolution text,
  UNIQUE (spec_id, task_id, attempt)
);

CREATE TABLE retry_history (
  id serial PRIMARY KEY,
  spec_id text NOT NULL,
  task_id text NOT NULL,
  attempt integer NOT NULL,
  decision text NOT NULL CHECK (decision IN ('retry', 'give-up')),
  delay_ms integer NOT NULL DEFAULT 0,
  hints jsonb NOT NULL DEFAULT '[]'::jsonb,
  at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (spec_id, task_id, attempt)
);

CREATE TABLE dead_letters (
  id serial PRIMARY KEY,
  consumer text NOT NULL,
  subject text NOT NULL,
  event_id text NOT NULL,
  deliveries integer NOT NULL,
  reason text NOT NULL,
  payload text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (consumer, event_id)
);
`,
};
