/**
 * Configuration from secret files. OpenFaaS mounts a function's secrets as
 * files under /var/openfaas/secrets (one file per key of each Secret) and
 * says not to pass them as environment variables; Kubernetes volumes from a
 * Secret do the same. When `SECRETS_DIR` is set, each file there whose name
 * is a configuration variable (`DATABASE_URL`, or its kebab form
 * `database-url`) fills that variable, so `loadConfig` sees one environment
 * whatever the source.
 *
 * Precedence: a variable already set in the environment (non-empty) wins over
 * its file. Files that name no configuration variable are left alone (another
 * program's secrets may share the folder). Hidden entries (Kubernetes keeps
 * `..data` links there) and folders are skipped.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigSchema } from './config.ts';
import { NightshiftError } from './errors.ts';

/** A secret file holds one value; anything larger is not one. @default 64 KiB */
export const MAX_SECRET_BYTES = 64 * 1024;

export interface SecretsApplied {
  /** The environment with the variables the files filled. */
  env: Record<string, string | undefined>;
  /** Names of the variables that came from files (never their values). */
  fromFiles: string[];
}

/** The configuration variable a secret file's name stands for, if any. */
export function variableForFile(fileName: string): string | undefined {
  const name = fileName.replace(/[-.]/g, '_').toUpperCase();
  return Object.hasOwn(ConfigSchema.shape, name) ? name : undefined;
}

/**
 * Returns `env` with the variables found as files under `env.SECRETS_DIR`
 * (`SECRETS_DIR` unset or empty: `env` unchanged). A trailing newline in a
 * file is dropped. Throws CONFIG_INVALID naming the folder or file when the
 * folder cannot be read, a file is too large or unreadable, or two files fill
 * the same variable with different values.
 * @param env @default process.env
 */
export function envWithSecrets(env: Record<string, string | undefined> = process.env): SecretsApplied {
  const dir = env.SECRETS_DIR?.trim();
  if (!dir) return { env: { ...env }, fromFiles: [] };
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (cause) {
    throw new NightshiftError('CONFIG_INVALID', `SECRETS_DIR: cannot read the folder ${dir}: ${(cause as Error).message}`, { cause });
  }
  const found = new Map<string, { file: string; value: string }>();
  for (const name of names) {
    const key = name.startsWith('.') ? undefined : variableForFile(name);
    if (key === undefined) continue;
    const file = join(dir, name);
    const value = readSecretFile(file);
    if (value === undefined) continue;
    const earlier = found.get(key);
    if (earlier && earlier.value !== value) {
      throw new NightshiftError('CONFIG_INVALID', `SECRETS_DIR: ${earlier.file} and ${file} both set ${key}, to different values`);
    }
    found.set(key, { file, value });
  }
  const out = { ...env };
  const fromFiles: string[] = [];
  for (const [key, { value }] of found) {
    if (out[key] !== undefined && out[key].trim() !== '') continue;
    out[key] = value;
    fromFiles.push(key);
  }
  return { env: out, fromFiles: fromFiles.sort() };
}

/** The value in `file`, or undefined for a folder. */
function readSecretFile(file: string): string | undefined {
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) return undefined;
    if (stat.size > MAX_SECRET_BYTES) {
      throw new NightshiftError('CONFIG_INVALID', `SECRETS_DIR: ${file} is ${stat.size} bytes, more than a secret (${MAX_SECRET_BYTES})`);
    }
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (cause) {
    if (cause instanceof NightshiftError) throw cause;
    throw new NightshiftError('CONFIG_INVALID', `SECRETS_DIR: cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
}
