import { aspectWords } from '../core/aspect-words.ts';
import type { PostSummary } from '../db/queries/alerts.ts';
import type { Explanation } from '../db/queries/explain.ts';
import type { Change } from './decide.ts';
import type { AlertFigure, AlertPost } from './message.ts';

const EXCERPT_CHARS = 280;

/** Post bodies may be HTML: the excerpt is plain text (tags dropped, spaces collapsed), cut at a word. */
export function toExcerpt(text: string, max = EXCERPT_CHARS): string {
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain.length <= max) return plain;
  const cut = plain.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export function toAlertPost(post: PostSummary): AlertPost {
  const title = post.title?.trim() ? toExcerpt(post.title, 200) : toExcerpt(post.body, 80);
  return {
    title,
    url: post.url,
    source: post.source,
    createdAt: post.createdAt.toISOString(),
    excerpt: toExcerpt(post.body),
    ...(post.label ? { label: post.label } : {}),
  };
}

/** "7 days", "36 hours". */
export function describeWindow(hours: number): string {
  if (hours % 24 === 0) return hours === 24 ? '1 day' : `${hours / 24} days`;
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

export function formatScore(value: number | null): string {
  if (value === null) return 'n/a';
  const rounded = Math.round(value * 100) / 100;
  return `${rounded > 0 ? '+' : ''}${rounded.toFixed(2)}`;
}

export function formatShare(value: number | null): string {
  return value === null ? 'n/a' : `${Math.round(value * 1000) / 10}%`;
}

export function formatPValue(p: number | null): string {
  if (p === null) return 'p n/a';
  if (p < 0.001) return 'p < 0.001';
  return `p = ${p.toFixed(3)}`;
}

/** The figure of a change: the two values, then the change's interval, p-value and the sample sizes. */
export function changeFigure(label: string, change: Change, format: (value: number | null) => string, sizes: string): AlertFigure {
  const interval =
    change.low !== null && change.high !== null ? `95% interval of the change ${format(change.low)} to ${format(change.high)}, ` : '';
  return {
    label,
    value: `${format(change.previous)} -> ${format(change.current)}`,
    detail: `${interval}${formatPValue(change.pValue)}, ${sizes}`,
  };
}

/** Where a rule's alerts point in the dashboard. */
export function dashboardLink(publicUrl: string, slug: string, query: Record<string, string | null> = {}): string {
  const url = new URL(`entity/${encodeURIComponent(slug)}`, publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`);
  for (const [key, value] of Object.entries(query)) if (value !== null) url.searchParams.set(key, value);
  return url.toString();
}

/** An explanation's leading posts as a message carries them (already plain-text excerpts). */
export function explanationPosts(explanation: Explanation, limit = 5): AlertPost[] {
  return explanation.posts.slice(0, limit).map((post) => ({
    title: post.title?.trim() ? toExcerpt(post.title, 200) : toExcerpt(post.excerpt, 80),
    url: post.url,
    source: post.source,
    createdAt: post.createdAt,
    excerpt: post.excerpt,
    label: post.label,
  }));
}

/** The explanation in a few sentences: its headline, the aspects that moved and the events near the change. */
export function summarizeExplanation(explanation: Explanation): string {
  const parts = [`${explanation.headline}.`];
  const aspects = explanation.aspects
    .filter((a) => a.shareChange !== null && Math.abs(a.shareChange) >= 0.05)
    .slice(0, 3)
    .map((a) => `${aspectWords(a.aspect)} ${formatShare(a.previousShare)} -> ${formatShare(a.share)} of mentions`);
  if (aspects.length) parts.push(`Aspects that moved: ${aspects.join('; ')}.`);
  const events = explanation.events.slice(0, 2).map((e) => `${e.title} (${e.kind}, ${e.occurredAt.slice(0, 10)})`);
  if (events.length) parts.push(`Near it: ${events.join('; ')}.`);
  return parts.join(' ');
}
