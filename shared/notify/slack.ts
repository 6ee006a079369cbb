/**
 * The Slack-compatible body of a notification: `text` (what the push
 * notification and older clients show) plus `blocks` (a header line and the
 * first errors). Slack, Mattermost and Discord's `/slack` endpoint take it.
 */
import type { Notification } from './message.ts';

/** Longest error quoted in a block (Slack's section limit is 3000). @default 500 characters */
const MAX_ERROR_CHARS = 500;
/** Errors quoted at most. @default 3 */
const MAX_ERRORS = 3;

export interface SlackBody {
  text: string;
  blocks?: unknown[];
}

/** Slack's mrkdwn needs &, < and > escaped. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function headline(n: Notification): string {
  const p = n.progress ? ` (${n.progress.completed}/${n.progress.total} tasks done)` : '';
  if (n.event === 'spec.completed') return `:white_check_mark: Spec *${esc(n.title)}* (\`${n.specId}\`) completed${p}. Review branch \`${n.branch}\`.`;
  if (n.event === 'task.failed' && n.task) {
    return `:warning: Task \`${n.task.id}\` of spec *${esc(n.title)}* (\`${n.specId}\`) failed on attempt ${n.task.attempt} (${n.task.reason}).`;
  }
  return `:x: Spec *${esc(n.title)}* (\`${n.specId}\`) ${n.status}${p}. File: \`${n.path}\`.`;
}

export function slackBody(n: Notification): SlackBody {
  const text = headline(n);
  const quoted = [...(n.errors ?? []), ...(n.task?.error ? [n.task.error] : [])].slice(0, MAX_ERRORS);
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  for (const e of quoted) {
    const clipped = e.length > MAX_ERROR_CHARS ? `${e.slice(0, MAX_ERROR_CHARS - 1)}…` : e;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${esc(clipped)}\`\`\`` } });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${n.event} · ${n.at} · \`${n.branch}\`` }] });
  return { text, blocks };
}
