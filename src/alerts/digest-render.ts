import { formatScore } from '../core/explain.ts';
import type { Digest, DigestMover } from './digest.ts';

/**
 * A digest as Markdown or as one HTML page. Post titles and excerpts, event titles and entity names
 * are untrusted text: Markdown gets every character that could start markup backslash-escaped, HTML
 * gets every character escaped, and links are written only for http(s) URLs.
 */

export type DigestFormat = 'md' | 'html' | 'json';

const day = (iso: string) => iso.slice(0, 10);

function formatP(p: number | null): string {
  if (p === null) return 'p n/a';
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/** "+0.12 -> -0.08, change -0.20 (95% interval -0.31 to -0.09, p < 0.001, significant), 412 mentions (380 before)" */
export function describeMover(mover: DigestMover): string {
  const score = (value: number | null) => (value === null ? 'n/a' : formatScore(value));
  const interval =
    mover.changeLow !== null && mover.changeHigh !== null ? `95% interval ${score(mover.changeLow)} to ${score(mover.changeHigh)}, ` : '';
  const verdict = mover.significant ? 'significant' : 'within noise';
  return `${score(mover.previousScore)} -> ${score(mover.score)}, change ${score(mover.change)} (${interval}${formatP(mover.pValue)}, ${verdict}), ${mover.n} ${mover.n === 1 ? 'mention' : 'mentions'} (${mover.previousN} before)`;
}

/** An http(s) URL with the characters that could end a Markdown link or an HTML attribute percent-encoded; null otherwise. */
export function safeUrl(url: string | null): string | null {
  if (url === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  return parsed.href.replace(/[()<>"'\s`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * One line of inline Markdown text: line breaks become spaces; characters that open emphasis, code,
 * links, HTML or tables are backslash-escaped anywhere, and a leading #, +, - or "1." that would start
 * a heading or a list is escaped too. Brackets being escaped, "(...)" never becomes a link target.
 */
export function escapeMarkdown(text: string): string {
  const inline = text.replace(/\s+/g, ' ').replace(/[\\`*_[\]<>|~&]/g, '\\$&');
  return inline.replace(/^([#+-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

function markdownLink(text: string, url: string | null): string {
  const href = safeUrl(url);
  return href === null ? escapeMarkdown(text) : `[${escapeMarkdown(text)}](${href})`;
}

const titleOf = (post: { title: string | null; excerpt: string }) =>
  post.title?.trim() ? post.title : post.excerpt.slice(0, 80) || '(untitled)';

/** The excerpt worth printing under a post's title: none when it is empty or is what the title already says (a story with no text). */
const excerptOf = (post: { title: string | null; excerpt: string }): string | null => {
  const excerpt = post.excerpt.trim();
  return excerpt === '' || excerpt === titleOf(post).trim() ? null : excerpt;
};

export function renderDigestMarkdown(digest: Digest): string {
  const lines: string[] = [`# VibeCheck digest: ${day(digest.from)} to ${day(digest.to)}`, ''];
  if (digest.entities) lines.push(`Entities: ${digest.entities.map(escapeMarkdown).join(', ')}`, '');

  lines.push('## Movers', '');
  if (digest.movers.length === 0) lines.push('No entity had enough mentions to compare.');
  for (const mover of digest.movers) {
    lines.push(`- **${escapeMarkdown(mover.entity.name)}**: ${describeMover(mover)}`, `  ${escapeMarkdown(mover.headline)}`);
  }

  lines.push('', '## Spikes', '');
  if (digest.spikes.length === 0) lines.push('No spikes.');
  for (const spike of digest.spikes) {
    lines.push(`- ${day(spike.event.occurredAt)}: ${escapeMarkdown(spike.headline)}`);
    for (const post of spike.posts) {
      const excerpt = excerptOf(post);
      lines.push(
        `  - ${markdownLink(titleOf(post), post.url)} (${escapeMarkdown(post.source)})${excerpt === null ? '' : `: ${escapeMarkdown(excerpt)}`}`,
      );
    }
  }

  lines.push('', '## Releases and incidents', '');
  if (digest.events.length === 0) lines.push('None.');
  for (const event of digest.events) {
    const entity = event.entity === null ? '' : ` (${escapeMarkdown(event.entity)})`;
    lines.push(`- ${day(event.occurredAt)} ${event.kind}: ${markdownLink(event.title, event.url)}${entity}`);
  }

  lines.push('', '## Most discussed', '');
  if (digest.posts.length === 0) lines.push('No posts.');
  digest.posts.forEach((post, i) => {
    const comments = post.comments === null ? '' : `, ${post.comments} comments`;
    lines.push(
      `${i + 1}. ${markdownLink(titleOf(post), post.url)} (${escapeMarkdown(post.source)}${comments}; ${post.entities.map(escapeMarkdown).join(', ')})`,
    );
    const excerpt = excerptOf(post);
    if (excerpt !== null) lines.push(`   ${escapeMarkdown(excerpt)}`);
  });
  return `${lines.join('\n')}\n`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function htmlLink(text: string, url: string | null): string {
  const href = safeUrl(url);
  return href === null ? escapeHtml(text) : `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}

export function renderDigestHtml(digest: Digest): string {
  const title = `VibeCheck digest: ${day(digest.from)} to ${day(digest.to)}`;
  const section = (heading: string, items: string[], empty: string, list: 'ul' | 'ol' = 'ul') =>
    `<h2>${heading}</h2>\n${items.length === 0 ? `<p>${empty}</p>` : `<${list}>\n${items.join('\n')}\n</${list}>`}`;
  const movers = digest.movers.map(
    (m) => `<li><strong>${escapeHtml(m.entity.name)}</strong>: ${escapeHtml(describeMover(m))}<br>${escapeHtml(m.headline)}</li>`,
  );
  const spikes = digest.spikes.map((s) => {
    const posts = s.posts.map((p) => {
      const excerpt = excerptOf(p);
      return `<li>${htmlLink(titleOf(p), p.url)} (${escapeHtml(p.source)})${excerpt === null ? '' : `: ${escapeHtml(excerpt)}`}</li>`;
    });
    return `<li>${day(s.event.occurredAt)}: ${escapeHtml(s.headline)}${posts.length ? `\n<ul>\n${posts.join('\n')}\n</ul>` : ''}</li>`;
  });
  const events = digest.events.map(
    (e) => `<li>${day(e.occurredAt)} ${e.kind}: ${htmlLink(e.title, e.url)}${e.entity === null ? '' : ` (${escapeHtml(e.entity)})`}</li>`,
  );
  const posts = digest.posts.map((p) => {
    const comments = p.comments === null ? '' : `, ${p.comments} comments`;
    const excerpt = excerptOf(p);
    return `<li>${htmlLink(titleOf(p), p.url)} (${escapeHtml(p.source)}${comments}; ${p.entities.map(escapeHtml).join(', ')})${excerpt === null ? '' : `<br><small>${escapeHtml(excerpt)}</small>`}</li>`;
  });
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font:15px/1.5 system-ui,sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem}li{margin:.4rem 0}small{color:#555}</style>',
    '</head><body>',
    `<h1>${escapeHtml(title)}</h1>`,
    digest.entities ? `<p>Entities: ${digest.entities.map(escapeHtml).join(', ')}</p>` : '',
    section('Movers', movers, 'No entity had enough mentions to compare.'),
    section('Spikes', spikes, 'No spikes.'),
    section('Releases and incidents', events, 'None.'),
    section('Most discussed', posts, 'No posts.', 'ol'),
    '</body></html>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

export function renderDigest(digest: Digest, format: DigestFormat): string {
  if (format === 'json') return `${JSON.stringify(digest)}\n`;
  return format === 'html' ? `${renderDigestHtml(digest)}\n` : renderDigestMarkdown(digest);
}
