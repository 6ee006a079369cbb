/**
 * Configuration, parsed once at start from an `env` parameter (never from
 * `process.env` inside library code). Every default is written here and only
 * here; docs/CONFIG.md lists the same variables.
 */
import { z } from 'zod';
import { NightshiftError } from './errors.ts';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** Comma-separated http(s) URLs; unset or empty means none. */
const urlList = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''))
  .refine((urls) => urls.every((u) => /^https?:\/\/[^\s]+$/i.test(u) && URL.canParse(u)), { message: 'expected comma-separated http(s) URLs' });

export const ConfigSchema = z.object({
  /** HTTP port of a function process or the dev gateway. @default 8080 */
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** Bearer token every HTTP request must carry when set. @default unset (no auth) */
  NIGHTSHIFT_TOKEN: optionalString,
  /** pino level. @default "info" */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest HTTP request body. @default 1 MiB */
  BODY_LIMIT: z.coerce.number().int().positive().default(1024 * 1024),
  /** Root of the project's specs folder (active/, archive/ ...). @default "specs" */
  SPECS_DIR: z.string().min(1).default('specs'),
  /** Where embedded state lives (PGlite data, workspaces). @default ".nightshift" */
  NIGHTSHIFT_HOME: z.string().min(1).default('.nightshift'),
  /** Grace period for in-flight work on SIGTERM, in milliseconds. @default 10000 */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().nonnegative().default(10_000),
  /** NATS server URL; unset means the in-process bus. @default unset */
  NATS_URL: optionalString,
  /** Postgres URL; unset means embedded PGlite under NIGHTSHIFT_HOME. @default unset */
  DATABASE_URL: optionalString,
  /** Dimension of failure embeddings; must match the embedder. @default 256 */
  VECTOR_DIM: z.coerce.number().int().min(1).max(2000).default(256),
  /** JetStream stream name. @default "NIGHTSHIFT" */
  NATS_STREAM: z.string().min(1).default('NIGHTSHIFT'),
  /** Deliveries of one event before it is dead-lettered. @default 5 */
  MAX_DELIVER: z.coerce.number().int().min(1).max(100).default(5),
  /** Time a delivery may go without ack or heartbeat before redelivery. @default 30000 ms */
  ACK_WAIT_MS: z.coerce.number().int().min(100).default(30_000),
  /** Deliveries handled at once per function by the dev runner and the bridge. @default 4 */
  CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  /** Period of the full rescan of specs/active (the reconcile). @default 30000 ms; 0 turns it off */
  RESCAN_MS: z.coerce.number().int().nonnegative().default(30_000),
  /** Quiet time after the last write to a spec before it is read. @default 150 ms */
  DEBOUNCE_MS: z.coerce.number().int().min(25).default(150),
  /**
   * Bridge: where functions are reached; `{name}` becomes the function name.
   * @default "http://127.0.0.1:8080/function/{name}" (a local gateway)
   */
  FUNCTION_URL_TEMPLATE: z.string().min(1).default('http://127.0.0.1:8080/function/{name}'),
  /** Bridge: time one function call may take. @default 1800000 ms (30 min) */
  INVOKE_TIMEOUT_MS: z.coerce.number().int().positive().default(1_800_000),
  /** `dev --isolated`: a function process with no request in flight for this long is stopped (scale to zero). @default 30000 ms */
  IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** Where develop-task and review-diff make workspaces; must be outside every target repository. @default "<os tmpdir>/nightshift-workspaces" */
  WORKSPACES_DIR: optionalString,
  /** Name of this worker in attempt leases and logs. @default "<hostname>-<pid>" */
  WORKER_ID: optionalString,
  /** Lease of an attempt; develop-task renews it every third of this while the agent runs. @default 60000 ms */
  LEASE_MS: z.coerce.number().int().min(100).default(60_000),
  /** First retry backoff ceiling (doubles per attempt, full jitter). @default 1000 ms */
  RETRY_BASE_MS: z.coerce.number().int().nonnegative().default(1000),
  /** Largest retry backoff. @default 60000 ms */
  RETRY_CAP_MS: z.coerce.number().int().nonnegative().default(60_000),
  /** The reconcile re-sends a task's next event when its state has not moved for this long. @default 120000 ms */
  STUCK_AFTER_MS: z.coerce.number().int().min(100).default(120_000),
  /** Host variables passed to agents (comma-separated names, e.g. an API key); the denylist still wins. @default none */
  AGENT_ALLOW_ENV: optionalString,
  /** Sandbox of the command executor: "none" or "bwrap" (bubblewrap must be installed). @default "none" */
  AGENT_SANDBOX: z.enum(['none', 'bwrap']).default('none'),
  /** Comma-separated paths bound read-only inside the sandbox (an agent CLI installed outside /usr). @default none */
  AGENT_SANDBOX_BINDS: optionalString,
  /** OpenAI-compatible embeddings endpoint; unset means the offline hashed n-gram embedder. @default unset */
  EMBEDDINGS_URL: optionalString,
  /** Model name sent to EMBEDDINGS_URL (required with it). @default unset */
  EMBEDDINGS_MODEL: optionalString,
  /** Bearer key for EMBEDDINGS_URL. @default unset (no Authorization header) */
  EMBEDDINGS_API_KEY: optionalString,
  /** Time one embeddings request may take. @default 30000 ms */
  EMBEDDINGS_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Send `dimensions: VECTOR_DIM` to the endpoint (models that can shorten vectors). @default false */
  EMBEDDINGS_SEND_DIMENSIONS: z.enum(['true', 'false', '1', '0']).default('false').transform((v) => v === 'true' || v === '1'),
  /** Webhooks told when a spec completes or fails: comma-separated http(s) URLs, generic JSON body (shared/notify). @default none */
  NOTIFY_WEBHOOKS: urlList,
  /** Slack-compatible incoming webhooks (`{ text, blocks }`), comma-separated. @default none */
  NOTIFY_SLACK_WEBHOOKS: urlList,
  /** Also notify every failed task attempt (`specs.task-failed`), not only finished specs. @default false */
  NOTIFY_TASK_FAILURES: z.enum(['true', 'false', '1', '0']).default('false').transform((v) => v === 'true' || v === '1'),
  /** Time one webhook request may take. @default 5000 ms */
  NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(10).default(5000),
  /** Retries of a webhook that failed (network error, timeout, 429 or 5xx). @default 3 */
  NOTIFY_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  /** First backoff between webhook retries; doubles each time. @default 500 ms */
  NOTIFY_RETRY_BASE_MS: z.coerce.number().int().nonnegative().default(500),
  /** Events older than this are not notified (a new durable replaying the stream); 0 means no limit. @default 86400000 ms (24 h) */
  NOTIFY_MAX_AGE_MS: z.coerce.number().int().nonnegative().default(86_400_000),
});
export type Config = z.infer<typeof ConfigSchema>;

/** Parses config from `env`; fails fast naming the variable that is wrong. */
export function loadConfig(env: Record<string, string | undefined> = {}): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new NightshiftError('CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, { details: problems });
}
