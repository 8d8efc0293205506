import { useState } from 'react';
import type { PostItem } from '../api/types.ts';
import { formatAspect, formatCount, formatDate, formatScore, formatSource, scoreTone } from '../lib/format.ts';
import { HighlightedText, type TextSpan } from './highlighted-text.tsx';

const BODY_PREVIEW = 600;

/**
 * Where the mention sits in the title and the body. The API's offsets count in the text the
 * linker read: "title\n\nbody" for a titled top-level post, the body alone otherwise; the
 * matched text tells which. When neither fits, the first occurrence of the matched text is used.
 */
export function locateMention(post: Pick<PostItem, 'title' | 'body' | 'start' | 'end' | 'matchedText'>): {
  title: TextSpan[];
  body: TextSpan[];
} {
  const { title, body, start, end, matchedText } = post;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (title) {
    const prefix = title.length + 2;
    const joined = `${title}\n\n${body}`;
    if (same(joined.slice(start, end), matchedText)) {
      return start < title.length
        ? { title: [{ start, end: Math.min(end, title.length) }], body: [] }
        : { title: [], body: [{ start: start - prefix, end: end - prefix }] };
    }
  }
  if (same(body.slice(start, end), matchedText)) return { title: [], body: [{ start, end }] };
  if (!matchedText) return { title: [], body: [] };
  const at = body.toLowerCase().indexOf(matchedText.toLowerCase());
  if (at >= 0) return { title: [], body: [{ start: at, end: at + matchedText.length }] };
  const inTitle = title?.toLowerCase().indexOf(matchedText.toLowerCase()) ?? -1;
  return inTitle >= 0 ? { title: [{ start: inTitle, end: inTitle + matchedText.length }], body: [] } : { title: [], body: [] };
}

/** Only http(s) links are followed; anything else (javascript:, data:) is shown as plain text. */
export function safeHref(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Which reader stored the mention's label, and how sure it was, in words (the label's tooltip). */
export function readBy(post: Pick<PostItem, 'sentimentTier' | 'confidence'>): string {
  const reader = post.sentimentTier === 'llm' ? 'the LLM tier' : 'the local model';
  return `read by ${reader}, confidence ${post.confidence.toFixed(2)}`;
}

export function PostCard({ post, onAspect }: { post: PostItem; onAspect: (aspect: string) => void }) {
  const spans = locateMention(post);
  const href = safeHref(post.url);
  const long = post.body.length > BODY_PREVIEW;
  const [expanded, setExpanded] = useState(false);
  const firstMark = spans.body[0]?.start ?? 0;
  // A long body is cut around the mention so the highlight is always in view.
  const cutStart = long && !expanded ? Math.max(0, Math.min(firstMark - 120, post.body.length - BODY_PREVIEW)) : 0;
  const shown = long && !expanded ? post.body.slice(cutStart, cutStart + BODY_PREVIEW) : post.body;
  const shownSpans = spans.body.map((s) => ({ start: s.start - cutStart, end: s.end - cutStart }));
  const tone = scoreTone(post.score);

  return (
    <article className="post card" data-external-id={post.externalId}>
      <header className="post-meta">
        <span className="source-badge">{formatSource(post.source)}</span>
        <time dateTime={post.createdAt}>{formatDate(post.createdAt)}</time>
        {post.author && <span className="muted">by {post.author}</span>}
        <span className="muted" title="engagement (points, likes, replies)">
          {formatCount(post.engagement)} engagement
        </span>
        <span className={`label-chip tone-${tone}`} title={readBy(post)}>
          {post.label} {formatScore(post.score)}
          {post.sentimentTier === 'llm' && ' · LLM'}
        </span>
      </header>
      {post.title && (
        <h3 className="post-title">
          {href ? (
            <a href={href} target="_blank" rel="noopener noreferrer nofollow">
              <HighlightedText text={post.title} spans={spans.title} />
            </a>
          ) : (
            <HighlightedText text={post.title} spans={spans.title} />
          )}
        </h3>
      )}
      <p className="post-body">
        {cutStart > 0 && '… '}
        <HighlightedText text={shown} spans={shownSpans} />
        {long && !expanded && cutStart + BODY_PREVIEW < post.body.length && ' …'}
      </p>
      <footer className="post-foot">
        {post.aspects.map((a) => (
          <button
            key={a.aspect}
            type="button"
            className={`aspect-chip tone-${scoreTone(a.score)}`}
            onClick={() => onAspect(a.aspect)}
            title={`Show posts about ${formatAspect(a.aspect).toLowerCase()}`}
          >
            {formatAspect(a.aspect)} {formatScore(a.score, 1)}
          </button>
        ))}
        {long && (
          <button type="button" className="link-button" onClick={() => setExpanded((v) => !v)} aria-expanded={expanded}>
            {expanded ? 'Show less' : 'Show all'}
          </button>
        )}
        {href && !post.title && (
          <a href={href} target="_blank" rel="noopener noreferrer nofollow" className="small">
            Open on {formatSource(post.source)}
          </a>
        )}
      </footer>
    </article>
  );
}
