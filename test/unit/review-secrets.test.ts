/**
 * The secret rules on added lines. Every fake secret is assembled here at run
 * time from pieces, so this file never holds a whole one and never trips a
 * secret scanner run over the repository.
 */
import { describe, expect, test } from 'vitest';
import { ENTROPY, scanFile, shannonEntropy } from '../../shared/review/index.ts';
import type { Finding } from '../../shared/review/index.ts';

/** A deterministic pseudo-random token (a fixed LCG), so failures reproduce. */
function token(length: number, seed = 7, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
  let s = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out += alphabet[Math.floor((s / 2 ** 31) * alphabet.length)]; // high bits: an LCG's low bits repeat quickly
  }
  return out;
}
const b64url = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

const scan = (path: string, ...texts: string[]): Finding[] => scanFile(path, texts.map((text, i) => ({ line: i + 1, text })));
const blocking = (fs: Finding[]) => fs.filter((f) => f.severity === 'block').map((f) => f.rule);

const awsKeyId = 'AKIA' + 'IOSFODNN7' + 'EXAMPLE';
const awsSecret = 'wJalrXUtn' + 'FEMI/K7MDENG/' + 'bPxRfiCY' + token(10);
const keyHeader = '-----BEGIN ' + 'RSA PRIVATE KEY-----';

describe('named secret rules', () => {
  test.each([
    ['aws-access-key-id', `const id = "${awsKeyId}";`],
    ['aws-secret-access-key', `aws_secret_access_key = ${awsSecret}`],
    ['github-token', `token: ${'gh' + 'p_' + token(36)}`],
    ['github-token', `GH=${'github' + '_pat_' + token(22, 3) + '_' + token(59, 5)}`],
    ['gitlab-token', `const t = '${'gl' + 'pat-' + token(20)}'`],
    ['slack-token', `SLACK=${'xo' + 'xb-' + '1234567890-' + token(24)}`],
    ['slack-webhook', `url = "${'https://hooks.slack' + '.com/services/T' + token(8) + '/B' + token(8) + '/' + token(24)}"`],
    ['stripe-secret-key', `stripe(${JSON.stringify('sk_' + 'live_' + token(24))})`],
    ['google-api-key', `key=${'AI' + 'za' + token(35, 11, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-')}`],
    ['openai-api-key', `OPENAI=${'sk-' + 'proj-' + token(48)}`],
    ['anthropic-api-key', `ANTHROPIC=${'sk-' + 'ant-' + 'api03-' + token(90)}`],
    ['jwt', `auth = "${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: '1234567890', name: 'x' })}.${token(43)}"`],
    ['generic-secret', `const dbPassword = "${token(16)}";`],
    ['generic-secret', `  "api_key": "${token(24)}",`],
    ['url-credentials', `DATABASE_URL: "postgres://app:${token(14)}@db.internal.example.com:5432/app"`],
  ])('%s blocks: file, line and rule are named, the secret is not quoted', (rule, line) => {
    const findings = scan('src/config.ts', 'const ok = 1;', line);
    const hit = findings.find((f) => f.rule === rule);
    expect(hit, JSON.stringify(findings)).toMatchObject({ file: 'src/config.ts', line: 2, rule, severity: 'block' });
    expect(hit!.message).toMatch(new RegExp(`^src/config\\.ts:2: ${rule}: .+ was added$`));
    const secret = /[A-Za-z0-9_/+-]{12,}/.exec(line.slice(line.search(/[=:(]/)))![0];
    for (const f of findings) expect(f.message).not.toContain(secret);
  });

  test('a private key block blocks; a bare header (a PEM parser constant) only warns', () => {
    const body = Buffer.from(token(48)).toString('base64');
    expect(scan('deploy/id_rsa', keyHeader, body, body, '-----END ' + 'RSA PRIVATE KEY-----')).toEqual([
      { file: 'deploy/id_rsa', line: 1, rule: 'private-key', severity: 'block', message: 'deploy/id_rsa:1: private-key: a private key was added' },
    ]);
    for (const kind of ['OPENSSH ', 'EC ', 'DSA ', 'ENCRYPTED ', '']) {
      const header = '-----BEGIN ' + kind + 'PRIVATE KEY-----';
      expect(blocking(scan('k.json', `{"key": "${header}\\n${body}\\n"}`))).toEqual(['private-key']);
    }
    expect(blocking(scan('k.asc', '-----BEGIN PGP ' + 'PRIVATE KEY BLOCK-----', '', body))).toEqual(['private-key']);
    const parser = scan('src/pem.ts', `if (pem.startsWith('${keyHeader}')) return 'rsa';`);
    expect(parser.map((f) => [f.rule, f.severity])).toEqual([['private-key', 'warn']]);
  });

  test('allow-comments added by the agent do not silence a finding', () => {
    for (const comment of ['// gitleaks:allow', '# nosec', '// pragma: allowlist secret', '# noqa', '/* trufflehog:ignore */']) {
      const findings = scan('src/a.py', `KEY = "${awsKeyId}"  ${comment}`);
      expect(blocking(findings), comment).toEqual(['aws-access-key-id']);
    }
    const suppress = scan('src/a.py', `x = 1  # gitleaks:allow`);
    expect(suppress.map((f) => [f.rule, f.severity])).toEqual([['scanner-suppression', 'warn']]);
  });
});

describe('no false blocks on ordinary text', () => {
  test('ordinary source code that talks about passwords and tokens', () => {
    const code = [
      "import { createHash } from 'node:crypto';",
      'const password = process.env.DB_PASSWORD;',
      'const apiKey = config.get("apiKey");',
      "const tokenizer = 'bert-base-uncased-v2';",
      "const secretName = 'nightshift-db-credentials';",
      'if (token === undefined) throw new Error("missing token");',
      'password: ${DB_PASSWORD}',
      'api_key = "<your-api-key>"',
      `const ghToken = '${'gh' + 'p_'}${'x'.repeat(36)}';`,
      "<div class='sk-skeleton-loader-container-wrapper-large'></div>",
      'const DB_URL = "postgres://user:${PASSWORD}@db.example.com/app";',
      'const sha = createHash("sha256").update(text).digest("hex");',
      'export const SECRET_HEADER = "x-nightshift-secret";',
    ];
    const findings = scan('src/db.ts', ...code);
    expect(findings).toEqual([]);
  });

  test('UUIDs and git SHAs never block (a quoted SHA may warn)', () => {
    const sha = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
    const findings = scan(
      'src/ids.ts',
      "const id = '123e4567-e89b-12d3-a456-426614174000';",
      `const commit = '${sha}';`,
      `// fixed in ${sha}`,
      `const sha256 = "${'9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'}";`,
    );
    expect(blocking(findings)).toEqual([]);
    expect(findings.every((f) => f.rule === 'high-entropy-string')).toBe(true);
  });

  test('a package-lock.json with integrity hashes gives no finding; the same hash outside a lockfile only warns', () => {
    const integrity = `sha512-${Buffer.from(token(64, 13)).toString('base64')}`;
    const lock = [
      '    "node_modules/zod": {',
      '      "version": "4.6.7",',
      '      "resolved": "https://registry.npmjs.org/zod/-/zod-4.6.7.tgz",',
      `      "integrity": "${integrity}",`,
      '      "license": "MIT"',
      '    },',
    ];
    expect(scan('package-lock.json', ...lock)).toEqual([]);
    const bare = Buffer.from(token(48, 17)).toString('base64');
    expect(scan('app/lock.ts', `const x = "${bare}";`).map((f) => [f.rule, f.severity])).toEqual([['high-entropy-string', 'warn']]);
    // SRI hashes in markup are not reported at all
    expect(scan('index.html', `<script src="a.js" integrity="${integrity}"></script>`)).toEqual([]);
  });

  test('a database URL with a throwaway password on a local host warns instead of blocking', () => {
    const findings = scan('docker-compose.yml', '      DATABASE_URL: postgres://postgres:postgres@localhost:5432/app');
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['url-credentials', 'warn']]);
    const local = scan('test/redis.test.ts', `const url = 'redis://app:${token(14)}@127.0.0.1:6379/0';`);
    expect(local.map((f) => [f.rule, f.severity])).toEqual([['url-credentials', 'warn']]);
  });
});

describe('entropy thresholds', () => {
  test('the numbers the documentation gives', () => {
    expect(shannonEntropy('')).toBe(0);
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    // random base64 is well above the bar, English prose and identifiers are below it
    expect(shannonEntropy(Buffer.from(token(60)).toString('base64'))).toBeGreaterThan(ENTROPY.base64MinBits);
    expect(shannonEntropy('thisIsAnOrdinaryCamelCaseIdentifierName')).toBeLessThan(ENTROPY.base64MinBits);
  });

  test('generic assignments: a random value blocks, a word with a digit does not', () => {
    expect(blocking(scan('.env', `API_TOKEN=${token(20)}`))).toEqual(['generic-secret']);
    expect(scan('.env', 'API_TOKEN=changeme1')).toEqual([]);
    expect(scan('src/a.ts', 'const password = "password";')).toEqual([]);
    // unquoted values count only in env and config files
    expect(scan('src/a.ts', `password = ${token(20)}`)).toEqual([]);
  });
});
