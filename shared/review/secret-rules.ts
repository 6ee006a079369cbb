/**
 * The secret rules: one regular expression per kind of credential, in the
 * spirit of gitleaks's default rule set (written here, not copied). Every
 * pattern is linear: no nested quantifiers, bounded repeats where a value
 * could run long, so a minified line cannot make the gate hang.
 *
 * A rule's `judge` looks at a match and says how bad it is (or that it is a
 * placeholder and not a finding).
 */
import { looksRandom, shannonEntropy } from './entropy.ts';
import type { RuleId, Severity } from './types.ts';

export interface SecretRule {
  id: RuleId;
  /** What was added, for the message: "an AWS access key id". */
  what: string;
  /** Global regular expression run over each added line. */
  pattern: RegExp;
  /** Severity of a match, or undefined to drop it. @default always 'block' */
  judge?: (m: RegExpExecArray, path: string) => Severity | undefined;
}

// A value made of one repeated character or a run like XXXX is a placeholder, not a key.
const notPlaceholder = (value: string): Severity | undefined =>
  shannonEntropy(value) >= 3 && !/x{6,}|\*{4,}|0{8,}/i.test(value) ? 'block' : undefined;

const PLACEHOLDER_VALUE = /^(?:\$\{.*\}|\$\(.*\)|\$[A-Za-z_]\w*|<[^>]*>|%\(.*\)s|\{\{.*\}\}|%[A-Z_]+%)$|x{4,}|\*{3,}|example|changeme|placeholder|dummy|redacted|your[_-]/i;
// Unquoted values only count in env and config files; in code an unquoted value is an expression.
const CONFIG_FILE = /(^|\/)\.env[^/]*$|\.(?:env|ini|cfg|conf|properties|ya?ml|toml)$/i;
const LOCAL_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[?::1\]?|0\.0\.0\.0|[A-Za-z0-9_-]+)(?::\d+)?$/;
const DEV_PASSWORDS = new Set(['password', 'pass', 'secret', 'postgres', 'root', 'admin', 'test', 'guest', 'changeme', 'example']);

const SECRET_NAME =
  '(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|auth[_-]?token|credentials?)';

/** The named rules, most specific first. */
export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: 'aws-access-key-id',
    what: 'an AWS access key id',
    pattern: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g,
    judge: (m) => notPlaceholder(m[0].slice(4)),
  },
  {
    id: 'aws-secret-access-key',
    what: 'an AWS secret access key',
    pattern: /aws[_.-]?secret(?:[_.-]?access)?(?:[_.-]?key)?[^=:\n]{0,20}[=:]+>?\s*["'`]?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    judge: (m) => (shannonEntropy(m[1]!) >= 3.5 ? 'block' : undefined),
  },
  {
    id: 'github-token',
    what: 'a GitHub token',
    pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})(?![A-Za-z0-9_])/g,
    judge: (m) => notPlaceholder(m[0].slice(4)),
  },
  {
    id: 'gitlab-token',
    what: 'a GitLab personal access token',
    pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,255}/g,
    judge: (m) => notPlaceholder(m[0].slice(6)),
  },
  {
    id: 'slack-token',
    what: 'a Slack token',
    pattern: /(?<![A-Za-z0-9])xox[baprs]-[A-Za-z0-9-]{10,255}/g,
    judge: (m) => notPlaceholder(m[0].slice(5)),
  },
  {
    id: 'slack-webhook',
    what: 'a Slack webhook URL',
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/+-]{20,255}/g,
  },
  {
    id: 'stripe-secret-key',
    what: 'a Stripe live secret key',
    pattern: /(?<![A-Za-z0-9])[sr]k_live_[A-Za-z0-9]{16,255}/g,
    judge: (m) => notPlaceholder(m[0].slice(8)),
  },
  {
    id: 'google-api-key',
    what: 'a Google API key',
    pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
    judge: (m) => notPlaceholder(m[0].slice(4)),
  },
  {
    id: 'anthropic-api-key',
    what: 'an Anthropic API key',
    pattern: /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{32,255}/g,
    judge: (m) => notPlaceholder(m[0].slice(7)),
  },
  {
    id: 'openai-api-key',
    what: 'an OpenAI-style API key',
    pattern: /(?<![A-Za-z0-9_-])sk-(?!ant-)(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{32,255}/g,
    // Real keys mix cases and digits; kebab-case names such as sk-skeleton-loader-... do not.
    judge: (m) => (/[A-Z]/.test(m[0]) && /[a-z]/.test(m[0]) && /[0-9]/.test(m[0]) ? notPlaceholder(m[0]) : undefined),
  },
  {
    id: 'jwt',
    what: 'a signed JSON Web Token',
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{16,4096}/g,
  },
  {
    id: 'url-credentials',
    what: 'a URL with a user name and password',
    pattern: /\b[a-z][a-z0-9+.-]{1,20}:\/\/([^\s:/?#@'"`]{1,100}):([^\s/?#@'"`]{1,200})@([^\s/?#'"`]{1,255})/gi,
    judge: (m) => {
      const [, user, password, host] = m as unknown as [string, string, string, string];
      if (PLACEHOLDER_VALUE.test(password)) return undefined;
      // A throwaway password for a local or compose-network service is worth a look, not a block.
      if (LOCAL_HOST.test(host) || DEV_PASSWORDS.has(password.toLowerCase()) || password === user) return 'warn';
      return 'block';
    },
  },
  {
    id: 'generic-secret',
    what: 'a secret-looking value assigned to a secret-named variable',
    pattern: new RegExp(
      `${SECRET_NAME}(?:[_-]?key)?s?(?:[_.-][A-Za-z0-9_.-]{0,64})?["']?\\s*(?::=|=>|==|=|:)\\s*(["'\`]?)([^\\s"'\`]{8,500})\\1`,
      'gi',
    ),
    judge: (m, path) => {
      const [, quote, value] = m as unknown as [string, string, string];
      if (quote === '' && (!CONFIG_FILE.test(path) || /[().$[\]{}<>,;]/.test(value))) return undefined;
      if (PLACEHOLDER_VALUE.test(value)) return undefined;
      return looksRandom(value) ? 'block' : undefined;
    },
  },
];

/** The BEGIN line of a PEM private key (RSA, OPENSSH, EC, DSA, ENCRYPTED, none) or a PGP private key block. */
export const PRIVATE_KEY_MARKER = /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/;
/** Key material after a marker: a long run of base64 (on the next lines, or after a `\n` in a string). */
export const KEY_BODY = /[A-Za-z0-9+/=]{40,}/;

/** Comments that silence other scanners. They never silence this gate; adding one is worth a look. */
export const SUPPRESSION_COMMENT = /gitleaks:allow|\bnosec\b|pragma: allowlist secret|trufflehog:ignore|detect-secrets: ?ignore/i;

/** Lockfiles: full of integrity hashes, so the bare-entropy rule skips them (the named rules still run). */
export const LOCKFILES = new Set([
  'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'deno.lock',
  'Cargo.lock', 'poetry.lock', 'Pipfile.lock', 'uv.lock', 'pdm.lock', 'Gemfile.lock', 'composer.lock',
  'go.sum', 'flake.lock', 'packages.lock.json', 'gradle.lockfile', 'mix.lock', 'pubspec.lock', 'Podfile.lock',
]);
