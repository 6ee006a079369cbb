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
});
export type Config = z.infer<typeof ConfigSchema>;

/** Parses config from `env`; fails fast naming the variable that is wrong. */
export function loadConfig(env: Record<string, string | undefined> = {}): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new NightshiftError('CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, { details: problems });
}
