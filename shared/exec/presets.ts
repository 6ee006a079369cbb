/**
 * argv for the coding CLIs nightshift knows by name. Each runs one task
 * non-interactively in the workspace and must not commit (develop-task
 * captures the diff itself). The flags follow each CLI's documentation; they
 * are not run here (see docs/decisions/executor.md, "Presets").
 */
import type { Agent } from '../spec/schema.ts';

export type PresetAgent = Exclude<Agent, { kind: 'command' }>;
export type PresetName = PresetAgent['kind'];

export interface PresetContext {
  /** The prompt as a file (outside the workspace), for CLIs that take a file. */
  promptFile: string;
  /** The run's private directory (outside the workspace), for CLIs' own logs. */
  runDir: string;
  /** Files the task owns; plain paths only are handed to CLIs that want them. */
  files: readonly string[];
}

/** How each preset receives the prompt. */
export const PRESET_PROMPT_INPUT: Record<PresetName, 'stdin' | 'file'> = {
  claude: 'stdin',
  codex: 'stdin',
  opencode: 'stdin',
  aider: 'file',
};

/** The argv of a preset agent: its fixed flags, then `--model`, then the spec's `args`. */
export function presetArgv(agent: PresetAgent, ctx: PresetContext): string[] {
  const model = agent.model === undefined ? [] : ['--model', agent.model];
  const extra = agent.args ?? [];
  switch (agent.kind) {
    case 'claude':
      // -p: print mode, reads the prompt from stdin when no prompt argument is
      // given; acceptEdits lets it write files without asking.
      return ['claude', '-p', '--output-format', 'text', '--permission-mode', 'acceptEdits', ...model, ...extra];
    case 'codex':
      // exec: non-interactive; "-" reads the prompt from stdin; workspace-write
      // lets it edit the checkout (the default sandbox is read-only).
      return ['codex', 'exec', '--sandbox', 'workspace-write', '--color', 'never', ...model, ...extra, '-'];
    case 'opencode':
      // run: non-interactive; the prompt comes from stdin when piped.
      return ['opencode', 'run', ...model, ...extra];
    case 'aider':
      // Never commit (auto or dirty commits); never touch .gitignore; keep its
      // history files out of the workspace; answer yes to confirmations.
      return [
        'aider',
        '--yes-always',
        '--no-auto-commits',
        '--no-dirty-commits',
        '--no-gitignore',
        '--no-pretty',
        '--no-stream',
        '--no-check-update',
        '--chat-history-file', `${ctx.runDir}/aider.chat.history.md`,
        '--input-history-file', `${ctx.runDir}/aider.input.history`,
        ...model,
        ...extra,
        '--message-file', ctx.promptFile,
        // Owned files are added to aider's chat; globs cannot be.
        ...ctx.files.filter((f) => !/[*?[\]{}!]/.test(f) && !f.startsWith('-')),
      ];
  }
}
