import { describe, expect, it } from 'vitest';
import { buildAgentEnv, filterDeniedEnv, isDeniedEnvName } from '../../shared/exec/env.ts';
import { OutputCapture } from '../../shared/exec/output-capture.ts';
import { buildPrompt } from '../../shared/exec/prompt.ts';
import { toExecTask } from '../../shared/exec/types.ts';

describe('OutputCapture', () => {
  it('keeps everything while under the budget', () => {
    const c = new OutputCapture(100);
    c.push(Buffer.from('hello '));
    c.push(Buffer.from('world'));
    expect(c.text()).toBe('hello world');
    expect(c.truncated).toBe(false);
  });

  it('keeps a quarter for the head and the rest for the tail, with a marker of what was dropped', () => {
    const c = new OutputCapture(100);
    for (let i = 0; i < 100; i++) c.push(Buffer.from(`${String(i).padStart(3, '0')}\n`));
    const text = c.text();
    expect(c.totalBytes).toBe(400);
    expect(c.truncated).toBe(true);
    expect(text.startsWith('000\n001\n')).toBe(true);
    expect(text.endsWith('098\n099\n')).toBe(true);
    expect(text).toContain('[... nightshift dropped 300 bytes of output here ...]');
  });

  it('does not split a multi-byte character at either seam', () => {
    const c = new OutputCapture(40);
    c.push(Buffer.from('é'.repeat(200)));
    const text = c.text();
    expect(text).not.toContain('\uFFFD');
    expect(text.startsWith('éé')).toBe(true);
    expect(text.endsWith('éé')).toBe(true);
  });
});

describe('buildAgentEnv', () => {
  const host = {
    PATH: '/opt/bin:/usr/bin',
    HOME: '/root',
    LANG: 'en_GB.UTF-8',
    ANTHROPIC_API_KEY: 'sk-ant-test',
    DATABASE_URL: 'postgres://secret',
    NATS_URL: 'nats://secret',
    NIGHTSHIFT_TOKEN: 'tok',
    PGPASSWORD: 'pw',
    AWS_SECRET_ACCESS_KEY: 'aws',
    GITHUB_TOKEN: 'gh',
    GIT_DIR: '/elsewhere/.git',
    UNRELATED: 'x',
  };

  it('starts from scratch: base names, a private HOME and TMPDIR, the task file', () => {
    const { env, denied } = buildAgentEnv({ home: '/run/h', tmpDir: '/run/t', taskFile: '/run/task.json', hostEnv: host });
    expect(env).toEqual({
      PATH: '/opt/bin:/usr/bin',
      HOME: '/run/h',
      LANG: 'en_GB.UTF-8',
      TERM: 'dumb',
      TMPDIR: '/run/t',
      NO_COLOR: '1',
      GIT_TERMINAL_PROMPT: '0',
      NIGHTSHIFT_TASK_FILE: '/run/task.json',
    });
    expect(denied).toEqual([]);
  });

  it('copies allowed names and drops denied ones even when they are asked for', () => {
    const allowEnv = ['ANTHROPIC_API_KEY', 'DATABASE_URL', 'NATS_URL', 'NIGHTSHIFT_TOKEN', 'PGPASSWORD', 'AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'GIT_DIR', 'NOT_SET'];
    const { env, denied } = buildAgentEnv({ home: '/h', tmpDir: '/t', allowEnv, hostEnv: host });
    expect(env.ANTHROPIC_API_KEY).toBe('sk-ant-test');
    expect(env).not.toHaveProperty('NOT_SET');
    expect(env).not.toHaveProperty('UNRELATED');
    for (const name of ['DATABASE_URL', 'NATS_URL', 'NIGHTSHIFT_TOKEN', 'PGPASSWORD', 'AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'GIT_DIR']) {
      expect(env).not.toHaveProperty(name);
    }
    expect(denied).toEqual(['DATABASE_URL', 'NATS_URL', 'NIGHTSHIFT_TOKEN', 'PGPASSWORD', 'AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'GIT_DIR']);
  });

  it('matches the denylist case-insensitively and by prefix', () => {
    expect(isDeniedEnvName('database_url')).toBe(true);
    expect(isDeniedEnvName('PGHOST')).toBe(true);
    expect(isDeniedEnvName('AWS_PROFILE')).toBe(true);
    expect(isDeniedEnvName('OPENAI_API_KEY')).toBe(false);
    expect(isDeniedEnvName('PATHX')).toBe(false);
  });

  it('filters a ready-made env but keeps what nightshift sets itself', () => {
    const out = filterDeniedEnv({ PATH: '/bin', DATABASE_URL: 'x', NIGHTSHIFT_TASK_FILE: '/t.json', GIT_TERMINAL_PROMPT: '0', GIT_DIR: '/x' });
    expect(out).toEqual({ PATH: '/bin', NIGHTSHIFT_TASK_FILE: '/t.json', GIT_TERMINAL_PROMPT: '0' });
  });
});

describe('buildPrompt', () => {
  const spec = { id: 'auth', title: 'Add login', description: 'A small web app.', checks: [{ name: 'test', run: ['npm', 'test'] }] };
  const task = { id: 'login-form', title: 'Login form', description: 'Build the form.', acceptance: ['shows an error\non bad password'], files: ['src/login.ts'], maxAttempts: 3 };

  it('names the task, what to do, acceptance, owned files, checks and the rules', () => {
    const p = buildPrompt(spec, task, { attempt: 1 });
    expect(p).toContain('# Task login-form: Login form');
    expect(p).toContain('Attempt 1 of 3');
    expect(p).toContain('## What to do\n\nBuild the form.');
    expect(p).toContain('- shows an error on bad password');
    expect(p).toContain('- src/login.ts');
    expect(p).toContain('- test: `npm test`');
    expect(p).toContain('Do not commit');
    expect(p).not.toContain('previous attempt');
    expect(p).not.toContain('Similar past failures');
  });

  it('adds the previous error (tail kept, safely fenced) and the hints on a retry', () => {
    const error = `${'noise '.repeat(2000)}\n\`\`\` TypeError: x is undefined`;
    const p = buildPrompt(spec, task, { attempt: 2, previousError: error, hints: ['import the type from ./types', ' '] });
    expect(p).toContain('## The previous attempt failed with');
    expect(p).toContain('TypeError: x is undefined');
    expect(p).toContain('````text\n...');
    expect(p).toContain('## Similar past failures were resolved by\n\n- import the type from ./types\n');
    expect(p.length).toBeLessThan(6000);
  });

  it('toExecTask copies what the agent needs', () => {
    const t = toExecTask(spec, task, { attempt: 2, hints: ['h'], previousError: 'e' });
    expect(t).toEqual({ specId: 'auth', id: 'login-form', title: 'Login form', description: 'Build the form.', acceptance: task.acceptance, files: ['src/login.ts'], attempt: 2, hints: ['h'], previousError: 'e' });
  });
});
