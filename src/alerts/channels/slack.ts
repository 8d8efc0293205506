import type { AlertMessage, AlertPost } from '../message.ts';
import { postJson } from './http.ts';
import type { DeliverOptions, DeliveryOutcome } from './outcome.ts';
import { fit, oneLine, safeLink } from './text.ts';

/** Block Kit limits (Slack's reference): we truncate to them rather than have the message refused. */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  buttonText: 75,
  url: 3000,
  blocks: 50,
  /** Ours, not Slack's (40,000): the fallback is a notification line. */
  fallbackText: 1000,
  posts: 10,
} as const;

/**
 * Slack's escaping for mrkdwn and `text`: only &, < and > are control characters, and escaping them
 * means post text can never form a link, a user mention (<@U123>) or a special one (<!channel>).
 * A zero-width space after @ in @here/@channel/@everyone keeps plain words from being linked too.
 */
export function escapeSlack(text: string): string {
  return escapeControl(text).replace(/@(here|channel|everyone)\b/gi, '@\u200b$1');
}

function escapeControl(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

type TextObject = { type: 'plain_text'; text: string; emoji?: boolean } | { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'divider' }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'actions'; elements: Array<{ type: 'button'; text: TextObject; url: string; action_id: string }> };

export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
  unfurl_links: boolean;
  unfurl_media: boolean;
}

const mrkdwn = (text: string): TextObject => ({ type: 'mrkdwn', text });

/** A link Slack cannot misread: & < > escaped, and `|` (the link-text separator) percent-encoded. */
function slackLink(url: string, label: string): string {
  return `<${escapeControl(url).replace(/\|/g, '%7C')}|${label}>`;
}

function postSection(post: AlertPost): SlackBlock {
  const link = safeLink(post.url);
  const title = fit(oneLine(post.title) || '(untitled)', 300, escapeSlack);
  const head = link && link.length <= SLACK_LIMITS.url ? `*${slackLink(link, title)}*` : `*${title}*`;
  const meta = escapeSlack([post.source, post.createdAt.slice(0, 10), post.label].filter(Boolean).join(' · '));
  const lead = `${head}\n${meta}`;
  const excerpt = oneLine(post.excerpt);
  const room = SLACK_LIMITS.sectionText - lead.length - 2;
  return { type: 'section', text: mrkdwn(excerpt && room > 10 ? `${lead}\n>${fit(excerpt, room, escapeSlack)}` : lead) };
}

/** An incoming-webhook body: Block Kit with a plain `text` fallback for notifications and old clients. */
export function buildSlackPayload(message: AlertMessage): SlackPayload {
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: fit(oneLine(message.headline) || 'VibeCheck alert', SLACK_LIMITS.headerText), emoji: false },
    },
  ];
  if (message.summary.trim())
    blocks.push({ type: 'section', text: mrkdwn(fit(message.summary.trim(), SLACK_LIMITS.sectionText, escapeSlack)) });

  const fields = message.figures.slice(0, SLACK_LIMITS.fields).map((figure) => {
    const label = fit(oneLine(figure.label) || '—', 200, escapeSlack);
    const value = fit(oneLine(figure.value) || '—', 500, escapeSlack);
    const detail = figure.detail
      ? `\n${fit(oneLine(figure.detail), SLACK_LIMITS.fieldText - label.length - value.length - 8, escapeSlack)}`
      : '';
    return mrkdwn(`*${label}*\n${value}${detail}`);
  });
  if (fields.length) blocks.push({ type: 'section', fields });

  const posts = message.posts.slice(0, SLACK_LIMITS.posts);
  if (posts.length) {
    blocks.push({ type: 'divider' });
    for (const post of posts) blocks.push(postSection(post));
    if (message.posts.length > posts.length) {
      blocks.push({ type: 'context', elements: [mrkdwn(`and ${message.posts.length - posts.length} more in the dashboard`)] });
    }
  }

  const dashboard = safeLink(message.dashboardUrl);
  if (dashboard && dashboard.length <= SLACK_LIMITS.url) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in VibeCheck' }, url: dashboard, action_id: 'open-dashboard' }],
    });
  }
  const ruleLine = `${message.test ? 'Test of rule' : 'Rule'} #${message.rule.id} ${oneLine(message.rule.name)} (${message.rule.kind}) · ${message.firedAt}`;
  blocks.push({ type: 'context', elements: [mrkdwn(fit(ruleLine, 300, escapeSlack))] });

  const headline = fit(oneLine(message.headline) || 'VibeCheck alert', SLACK_LIMITS.fallbackText, escapeSlack);
  const text = dashboard && dashboard.length <= SLACK_LIMITS.url ? `${headline} ${slackLink(dashboard, 'Open in VibeCheck')}` : headline;
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks), unfurl_links: false, unfurl_media: false };
}

export function deliverSlack(url: string, message: AlertMessage, options: DeliverOptions): Promise<DeliveryOutcome> {
  return postJson(url, JSON.stringify(buildSlackPayload(message)), { timeoutMs: options.timeoutMs, signal: options.signal });
}
