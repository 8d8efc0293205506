import type { AlertMessage, AlertPost } from '../message.ts';
import { escapeHtml, oneLine, safeLink } from './text.ts';

/** Inline styles only: mail clients drop <style> blocks and external sheets. */
const S = {
  headline: 'margin:0 0 8px;font-size:18px;line-height:1.3;color:#111827',
  summary: 'margin:0 0 16px;font-size:14px;line-height:1.5;color:#374151',
  table: 'border-collapse:collapse;margin:0 0 16px;font-size:14px',
  label: 'padding:4px 12px 4px 0;color:#6b7280;vertical-align:top;white-space:nowrap',
  value: 'padding:4px 0;color:#111827;vertical-align:top',
  detail: 'color:#6b7280;font-size:12px',
  posts: 'margin:0 0 16px;padding:0 0 0 18px;font-size:14px;line-height:1.5',
  meta: 'color:#6b7280;font-size:12px',
  excerpt: 'color:#374151',
  button: 'display:inline-block;padding:8px 14px;background:#111827;color:#ffffff;text-decoration:none;border-radius:4px;font-size:14px',
  footer: 'margin:16px 0 0;color:#9ca3af;font-size:12px',
} as const;

function postItem(post: AlertPost): string {
  const title = escapeHtml(oneLine(post.title) || '(untitled)');
  const link = safeLink(post.url);
  const head = link ? `<a href="${escapeHtml(link)}">${title}</a>` : title;
  const meta = escapeHtml([post.source, post.createdAt.slice(0, 10), post.label].filter(Boolean).join(' · '));
  const excerpt = oneLine(post.excerpt);
  return `<li><strong>${head}</strong> <span style="${S.meta}">${meta}</span>${
    excerpt ? `<br><span style="${S.excerpt}">${escapeHtml(excerpt)}</span>` : ''
  }</li>`;
}

/**
 * The alert as an HTML fragment, for the e-mail body and the Atom entry content. Every string from
 * the message is escaped (post text is untrusted), and only http(s) URLs become links.
 */
export function renderAlertHtml(message: AlertMessage): string {
  const parts = [`<h2 style="${S.headline}">${escapeHtml(oneLine(message.headline))}</h2>`];
  if (message.summary.trim()) parts.push(`<p style="${S.summary}">${escapeHtml(message.summary.trim()).replace(/\n/g, '<br>')}</p>`);
  if (message.figures.length) {
    const rows = message.figures.map(
      (figure) =>
        `<tr><td style="${S.label}">${escapeHtml(figure.label)}</td><td style="${S.value}">${escapeHtml(figure.value)}${
          figure.detail ? `<br><span style="${S.detail}">${escapeHtml(figure.detail)}</span>` : ''
        }</td></tr>`,
    );
    parts.push(`<table role="presentation" style="${S.table}">${rows.join('')}</table>`);
  }
  if (message.posts.length) parts.push(`<ul style="${S.posts}">${message.posts.map(postItem).join('')}</ul>`);
  const dashboard = safeLink(message.dashboardUrl);
  if (dashboard) parts.push(`<p><a href="${escapeHtml(dashboard)}" style="${S.button}">Open in VibeCheck</a></p>`);
  parts.push(
    `<p style="${S.footer}">${message.test ? 'Test of rule' : 'Rule'} #${message.rule.id} ${escapeHtml(message.rule.name)} (${
      message.rule.kind
    }), fired ${escapeHtml(message.firedAt)}</p>`,
  );
  return parts.join('\n');
}

/** The same content as plain text, for the e-mail's text part. */
export function renderAlertText(message: AlertMessage): string {
  const lines = [oneLine(message.headline), ''];
  if (message.summary.trim()) lines.push(message.summary.trim(), '');
  for (const figure of message.figures) {
    lines.push(`${figure.label}: ${figure.value}`);
    if (figure.detail) lines.push(`  ${figure.detail}`);
  }
  if (message.figures.length) lines.push('');
  if (message.posts.length) lines.push('Top posts:');
  for (const post of message.posts) {
    const meta = [post.source, post.createdAt.slice(0, 10), post.label].filter(Boolean).join(' · ');
    lines.push(`- ${oneLine(post.title) || '(untitled)'} (${meta})`);
    const link = safeLink(post.url);
    if (link) lines.push(`  ${link}`);
    if (oneLine(post.excerpt)) lines.push(`  ${oneLine(post.excerpt)}`);
  }
  if (message.posts.length) lines.push('');
  lines.push(`Open in VibeCheck: ${message.dashboardUrl}`);
  lines.push(
    `${message.test ? 'Test of rule' : 'Rule'} #${message.rule.id} ${message.rule.name} (${message.rule.kind}), fired ${message.firedAt}`,
  );
  return `${lines.join('\n')}\n`;
}
