import { describe, expect, it } from 'vitest';
import { AgentSchema } from '../../shared/spec/schema.ts';
import { presetArgv } from '../../shared/exec/presets.ts';
import type { PresetAgent } from '../../shared/exec/presets.ts';
import { assertSandboxAvailable, bwrapArgv } from '../../shared/exec/sandbox.ts';
import { createExecutor } from '../../shared/exec/executor.ts';

const ctx = { promptFile: '/run/x/prompt.md', runDir: '/run/x', files: ['src/a.ts', 'src/**/*.test.ts', '-rf'] };
const preset = (input: unknown): PresetAgent => AgentSchema.parse(input) as PresetAgent;

describe('presetArgv', () => {
  it('claude: print mode, text output, edits accepted, prompt on stdin', () => {
    expect(presetArgv(preset({ kind: 'claude' }), ctx)).toEqual(['claude', '-p', '--output-format', 'text', '--permission-mode', 'acceptEdits']);
    expect(presetArgv(preset({ kind: 'claude', model: 'sonnet', args: ['--max-turns', '30'] }), ctx)).toEqual([
      'claude', '-p', '--output-format', 'text', '--permission-mode', 'acceptEdits', '--model', 'sonnet', '--max-turns', '30',
    ]);
  });

  it('codex: exec with a writable workspace sandbox, prompt read from stdin ("-")', () => {
    expect(presetArgv(preset({ kind: 'codex', model: 'o3' }), ctx)).toEqual(['codex', 'exec', '--sandbox', 'workspace-write', '--color', 'never', '--model', 'o3', '-']);
  });

  it('opencode: run with the prompt on stdin', () => {
    expect(presetArgv(preset({ kind: 'opencode', model: 'anthropic/claude-sonnet-4-5' }), ctx)).toEqual(['opencode', 'run', '--model', 'anthropic/claude-sonnet-4-5']);
  });

  it('aider: never commits, keeps its files out of the workspace, reads the prompt file, adds plain owned files', () => {
    const argv = presetArgv(preset({ kind: 'aider', model: 'gpt-4o' }), ctx);
    expect(argv).toEqual([
      'aider', '--yes-always', '--no-auto-commits', '--no-dirty-commits', '--no-gitignore', '--no-pretty', '--no-stream', '--no-check-update',
      '--chat-history-file', '/run/x/aider.chat.history.md', '--input-history-file', '/run/x/aider.input.history',
      '--model', 'gpt-4o', '--message-file', '/run/x/prompt.md', 'src/a.ts',
    ]);
    expect(argv).not.toContain('--auto-commits');
  });
});

describe('bwrap sandbox', () => {
  it('wraps argv: namespaces, read-only system, writable workspace and run dir, then the command', () => {
    const argv = bwrapArgv(['node', 'agent.mjs'], { workspace: '/ws/t1', runDir: '/tmp/run1', extraBinds: [{ path: '/repo/.git' }], bwrapPath: '/usr/bin/bwrap' });
    expect(argv.slice(0, 5)).toEqual(['/usr/bin/bwrap', '--die-with-parent', '--new-session', '--unshare-all', '--share-net']);
    const seq = argv.join(' ');
    expect(seq).toContain('--ro-bind /usr /usr');
    expect(seq).toContain('--bind /tmp/run1 /tmp/run1');
    expect(seq).toContain('--ro-bind /repo/.git /repo/.git');
    expect(seq).toContain('--bind /ws/t1 /ws/t1 --chdir /ws/t1 -- node agent.mjs');
    expect(seq).toContain('--proc /proc --dev /dev --tmpfs /tmp');
    expect(seq).not.toMatch(/--bind \/ \//);
  });

  it('can cut the network', () => {
    expect(bwrapArgv(['true'], { workspace: '/w', runDir: '/r', network: false })).not.toContain('--share-net');
  });

  it('fails with a clear error naming the package when bwrap is missing', () => {
    expect(() => assertSandboxAvailable('bwrap', '/nonexistent/bwrap')).toThrow(/bubblewrap/);
    expect(() => assertSandboxAvailable('none', '/nonexistent/bwrap')).not.toThrow();
    expect(() => createExecutor({ kind: 'command', command: ['true'] }, { sandbox: 'bwrap', bwrap: { bwrapPath: '/nonexistent/bwrap' } })).toThrow(
      expect.objectContaining({ code: 'SANDBOX_UNAVAILABLE' }),
    );
  });
});
