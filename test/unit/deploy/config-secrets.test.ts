/**
 * shared/config-secrets.ts on real files laid out as Kubernetes lays out a
 * Secret volume: one file per key (or per kebab-case name, as `faas-cli
 * secret create` names them), hidden `..data` entries, a trailing newline.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { MAX_SECRET_BYTES, envWithSecrets, variableForFile } from '../../../shared/config-secrets.ts';
import { loadConfig } from '../../../shared/config.ts';
import { NightshiftError } from '../../../shared/errors.ts';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function secretsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nightshift-secrets-'));
  dirs.push(dir);
  for (const [name, value] of Object.entries(files)) await writeFile(join(dir, name), value);
  return dir;
}

describe('variableForFile', () => {
  test('takes the variable name or its kebab form, and nothing else', () => {
    expect(variableForFile('DATABASE_URL')).toBe('DATABASE_URL');
    expect(variableForFile('database-url')).toBe('DATABASE_URL');
    expect(variableForFile('nightshift-token')).toBe('NIGHTSHIFT_TOKEN');
    expect(variableForFile('POSTGRES_PASSWORD')).toBeUndefined();
    expect(variableForFile('..data')).toBeUndefined();
  });
});

describe('envWithSecrets', () => {
  test('without SECRETS_DIR the environment is unchanged', () => {
    expect(envWithSecrets({ PORT: '1' })).toEqual({ env: { PORT: '1' }, fromFiles: [] });
    expect(envWithSecrets({ SECRETS_DIR: '  ' }).fromFiles).toEqual([]);
  });

  test('fills configuration variables from files, drops one trailing newline, ignores other files', async () => {
    const dir = await secretsDir({
      DATABASE_URL: 'postgres://u:pw@db:5432/x\n',
      'nats-url': 'nats://nats:4222',
      NIGHTSHIFT_TOKEN: 'tok en \n\n',
      POSTGRES_PASSWORD: 'not-ours',
    });
    const { env, fromFiles } = envWithSecrets({ SECRETS_DIR: dir, LOG_LEVEL: 'warn' });
    expect(fromFiles.sort()).toEqual(['DATABASE_URL', 'NATS_URL', 'NIGHTSHIFT_TOKEN']);
    expect(env).toMatchObject({ DATABASE_URL: 'postgres://u:pw@db:5432/x', NATS_URL: 'nats://nats:4222', NIGHTSHIFT_TOKEN: 'tok en \n', LOG_LEVEL: 'warn' });
    expect(env.POSTGRES_PASSWORD).toBeUndefined();
    expect(loadConfig(env)).toMatchObject({ DATABASE_URL: 'postgres://u:pw@db:5432/x', NATS_URL: 'nats://nats:4222', LOG_LEVEL: 'warn' });
  });

  test('a variable set in the environment wins over its file; an empty one does not', async () => {
    const dir = await secretsDir({ NATS_URL: 'nats://file:4222', DATABASE_URL: 'postgres://file/x' });
    const { env, fromFiles } = envWithSecrets({ SECRETS_DIR: dir, NATS_URL: 'nats://env:4222', DATABASE_URL: '' });
    expect(env.NATS_URL).toBe('nats://env:4222');
    expect(env.DATABASE_URL).toBe('postgres://file/x');
    expect(fromFiles).toEqual(['DATABASE_URL']);
  });

  test('reads a Kubernetes Secret volume: symlinked files, hidden ..data folder skipped', async () => {
    const dir = await secretsDir({});
    const data = join(dir, '..2024_01_01_00_00_00.000000000');
    await mkdir(data);
    await writeFile(join(data, 'NIGHTSHIFT_TOKEN'), 's3cret');
    await symlink(data, join(dir, '..data'));
    await symlink(join('..data', 'NIGHTSHIFT_TOKEN'), join(dir, 'NIGHTSHIFT_TOKEN'));
    expect(envWithSecrets({ SECRETS_DIR: dir })).toMatchObject({ env: { NIGHTSHIFT_TOKEN: 's3cret' }, fromFiles: ['NIGHTSHIFT_TOKEN'] });
  });

  test('fails with CONFIG_INVALID naming the folder or the file', async () => {
    const missing = join(tmpdir(), 'nightshift-no-such-secrets-dir');
    expect(() => envWithSecrets({ SECRETS_DIR: missing })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(missing) }));

    const clash = await secretsDir({ NATS_URL: 'nats://a:4222', 'nats-url': 'nats://b:4222' });
    expect(() => envWithSecrets({ SECRETS_DIR: clash })).toThrow(/both set NATS_URL/);
    const same = await secretsDir({ NATS_URL: 'nats://a:4222', 'nats-url': 'nats://a:4222\n' });
    expect(envWithSecrets({ SECRETS_DIR: same }).env.NATS_URL).toBe('nats://a:4222');

    const big = await secretsDir({ NIGHTSHIFT_TOKEN: 'x'.repeat(MAX_SECRET_BYTES + 1) });
    let err: unknown;
    try {
      envWithSecrets({ SECRETS_DIR: big });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NightshiftError);
    expect((err as NightshiftError).message).toContain(join(big, 'NIGHTSHIFT_TOKEN'));
  });
});
