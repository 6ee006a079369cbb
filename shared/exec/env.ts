/**
 * The environment an agent or a check sees, built from scratch. Nothing is
 * inherited: a small base (PATH, HOME, LANG, TERM, TMPDIR, ...) plus the
 * names a person allowed. A denylist of nightshift's own infrastructure and
 * of anything that could push, publish or reach the cluster wins over the
 * allowlist, so `DATABASE_URL` never reaches an agent even if it is asked for.
 */

/**
 * Names (a trailing `*` matches any suffix; case-insensitive) never copied
 * into a run's environment, whatever the allowlist says.
 */
export const DENIED_ENV: readonly string[] = [
  // nightshift's own infrastructure
  'DATABASE_URL', 'NATS_*', 'NIGHTSHIFT_*', 'PG*', 'REDIS_*', 'OPENFAAS_*', 'FAAS_*',
  // cloud and cluster credentials
  'AWS_*', 'AZURE_*', 'ARM_*', 'GOOGLE_APPLICATION_CREDENTIALS', 'GOOGLE_CLOUD_*', 'GCP_*', 'CLOUDSDK_*',
  'KUBECONFIG', 'KUBERNETES_*', 'DOCKER_*', 'VAULT_*',
  // anything that lets an agent push or publish (agents never push)
  'SSH_AUTH_SOCK', 'GH_TOKEN', 'GITHUB_TOKEN', 'GH_ENTERPRISE_TOKEN', 'GITLAB_TOKEN', 'CI_JOB_TOKEN',
  'NPM_TOKEN', 'NODE_AUTH_TOKEN', 'TWINE_*', 'CARGO_REGISTRY_TOKEN',
  // git variables can point git at another repository than the workspace
  'GIT_*',
  // loader injection into every program the agent starts
  'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT',
];

const deniedPatterns = DENIED_ENV.map(toPattern);

function toPattern(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

/** True when `name` is on the denylist. */
export function isDeniedEnvName(name: string): boolean {
  return deniedPatterns.some((p) => p.test(name));
}

/** The env var that names the task JSON file. */
export const TASK_FILE_ENV = 'NIGHTSHIFT_TASK_FILE';

/** PATH when the host has none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface AgentEnvOptions {
  /** HOME of the run: a per-run directory, never the real home. */
  home: string;
  /** TMPDIR of the run. */
  tmpDir: string;
  /** Path of the task JSON file, exported as NIGHTSHIFT_TASK_FILE. */
  taskFile?: string;
  /** Names copied from `hostEnv` when set there (denied names are dropped). @default [] */
  allowEnv?: readonly string[];
  /** Where allowed names and PATH/LANG are read from. @default process.env */
  hostEnv?: Readonly<Record<string, string | undefined>>;
}

export interface AgentEnv {
  env: Record<string, string>;
  /** Allowed names that the denylist removed, for the caller to log. */
  denied: string[];
}

/** Builds a run's environment from scratch (see the module comment). */
export function buildAgentEnv(options: AgentEnvOptions): AgentEnv {
  const host = options.hostEnv ?? process.env;
  // Set by nightshift itself, so these pass even where a name matches the denylist.
  const env: Record<string, string> = {
    PATH: host.PATH || DEFAULT_PATH,
    HOME: options.home,
    LANG: host.LANG || 'C.UTF-8',
    TERM: 'dumb',
    TMPDIR: options.tmpDir,
    NO_COLOR: '1',
    // git must fail rather than wait for a password nobody will type.
    GIT_TERMINAL_PROMPT: '0',
  };
  if (options.taskFile !== undefined) env[TASK_FILE_ENV] = options.taskFile;
  const denied: string[] = [];
  for (const name of options.allowEnv ?? []) {
    if (isDeniedEnvName(name)) {
      denied.push(name);
      continue;
    }
    const value = host[name];
    if (value !== undefined) env[name] = value;
  }
  return { env, denied };
}

/**
 * Drops denied names from an environment someone else built, except the
 * ones nightshift sets itself. Defence in depth for callers that pass a
 * ready-made env (checks).
 */
export function filterDeniedEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name === TASK_FILE_ENV || name === 'GIT_TERMINAL_PROMPT' || !isDeniedEnvName(name)) out[name] = value;
  }
  return out;
}
