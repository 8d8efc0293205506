import type { AlertKind, AlertMessage, AlertPost } from '../message.ts';
import { postJson } from './http.ts';
import type { DeliverOptions, DeliveryOutcome } from './outcome.ts';
import { fit, oneLine, safeLink } from './text.ts';

/** Discord's embed limits; a body over any of them is refused with a 400, so we truncate first. */
export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
} as const;

/**
 * A backslash before every markdown character, so post text cannot bold, hide a link behind
 * `[text](url)`, open a code block or form a mention (`<@123>`, `@everyone`) even as plain text.
 */
export function escapeDiscord(text: string): string {
  return text.replace(/[\\*_~`|>#\-[\]()<@:]/g, '\\$&');
}

export interface DiscordEmbed {
  title: string;
  description?: string;
  url?: string;
  color: number;
  fields: Array<{ name: string; value: string; inline: boolean }>;
  footer: { text: string };
  timestamp?: string;
}

export interface DiscordPayload {
  username: string;
  embeds: DiscordEmbed[];
  allowed_mentions: { parse: never[] };
}

const COLORS: Record<AlertKind, number> = {
  shift: 0x3b82f6,
  spike: 0xf97316,
  aspect: 0x8b5cf6,
  mention: 0x10b981,
  regression: 0xdc2626,
  digest: 0x64748b,
};
const TEST_COLOR = 0x6b7280;

/** A masked link whose URL cannot end it early: parentheses and spaces percent-encoded. */
function discordLink(url: string, label: string): string {
  return `[${label}](${url.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20')})`;
}

function postLines(post: AlertPost): string {
  const title = fit(oneLine(post.title) || '(untitled)', 200, escapeDiscord);
  const link = safeLink(post.url);
  const head = link && link.length <= 500 ? `**${discordLink(link, title)}**` : `**${title}**`;
  const meta = escapeDiscord([post.source, post.createdAt.slice(0, 10), post.label].filter(Boolean).join(' · '));
  const excerpt = oneLine(post.excerpt);
  return `${head} ${meta}${excerpt ? `\n${fit(excerpt, 280, escapeDiscord)}` : ''}`;
}

/** An execute-webhook body: one embed, and no mention may ping anyone whatever the text says. */
export function buildDiscordPayload(message: AlertMessage): DiscordPayload {
  const title = fit(oneLine(message.headline) || 'VibeCheck alert', DISCORD_LIMITS.title);
  const footer = fit(
    `${message.test ? 'Test of rule' : 'Rule'} #${message.rule.id} ${oneLine(message.rule.name)} (${message.rule.kind}) · VibeCheck`,
    DISCORD_LIMITS.footer,
  );
  // Figures share at most half of the 6000 characters, so many of them cannot crowd out the posts.
  const figures = message.figures.slice(0, DISCORD_LIMITS.fields);
  const perField = Math.floor(DISCORD_LIMITS.total / 2 / Math.max(1, figures.length));
  const fields = figures.map((figure) => {
    const name = fit(oneLine(figure.label) || '—', Math.min(DISCORD_LIMITS.fieldName, Math.max(16, Math.floor(perField / 4))));
    const valueRoom = Math.min(DISCORD_LIMITS.fieldValue, Math.max(16, perField - name.length));
    const value = fit(oneLine(figure.value) || '—', Math.min(300, valueRoom), escapeDiscord);
    const detailRoom = valueRoom - value.length - 1;
    const detail = figure.detail && detailRoom >= 8 ? `\n${fit(oneLine(figure.detail), detailRoom, escapeDiscord)}` : '';
    return { name, value: `${value}${detail}`, inline: true };
  });
  const used = title.length + footer.length + fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
  const room = Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.total - used);

  // The summary first (up to half the room), then whole posts while they fit.
  let description = message.summary.trim() ? fit(message.summary.trim(), Math.floor(room / 2), escapeDiscord) : '';
  let shown = 0;
  for (const post of message.posts) {
    const lines = postLines(post);
    const next = description ? `${description}\n\n${lines}` : lines;
    if (next.length > room - 40) break;
    description = next;
    shown++;
  }
  if (shown < message.posts.length) {
    const more = `\n\n…and ${message.posts.length - shown} more posts in the dashboard`;
    if (description.length + more.length <= room) description += more;
  }

  const dashboard = safeLink(message.dashboardUrl);
  const fired = Date.parse(message.firedAt);
  const embed: DiscordEmbed = {
    title,
    ...(description ? { description } : {}),
    ...(dashboard && dashboard.length <= 2048 ? { url: dashboard } : {}),
    color: message.test ? TEST_COLOR : COLORS[message.rule.kind],
    fields,
    footer: { text: footer },
    ...(Number.isNaN(fired) ? {} : { timestamp: new Date(fired).toISOString() }),
  };
  return { username: 'VibeCheck', embeds: [embed], allowed_mentions: { parse: [] } };
}

export function deliverDiscord(url: string, message: AlertMessage, options: DeliverOptions): Promise<DeliveryOutcome> {
  return postJson(url, JSON.stringify(buildDiscordPayload(message)), { timeoutMs: options.timeoutMs, signal: options.signal });
}
