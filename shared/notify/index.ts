/**
 * Notifications when a spec completes or fails: webhooks (generic JSON and
 * Slack-compatible), a console line and `<id>.events.log`. See docs/NOTIFY.md.
 */
export { appendEventsLog, eventsLogPath } from './events-log.ts';
export { buildNotification, humanLine, NOTIFY_EVENTS, type Notification, type NotifyEvent } from './message.ts';
export { NOTIFY_DURABLE, notifySubjects, startNotifier, type Notifier, type NotifierOptions, type NotifyConfig } from './notifier.ts';
export { slackBody, type SlackBody } from './slack.ts';
export { postWebhook, redactUrl, type WebhookOptions, type WebhookResult } from './webhook.ts';
