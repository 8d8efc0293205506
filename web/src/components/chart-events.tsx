import { useEffect, useState } from 'react';
import { api, ApiError } from '../api/client.ts';
import type { EntityEvent } from '../api/types.ts';
import { formatDate, formatSource } from '../lib/format.ts';
import { buildHref } from '../lib/url-state.ts';
import { leadingKind, readTopPostIds, type MarkerGroup } from './chart-model.ts';
import { Link } from './link.tsx';
import { safeHref } from './post-card.tsx';

/** A shape per kind as well as a colour, so the kinds read apart without colour vision. */
export const EVENT_SYMBOLS: Record<EntityEvent['kind'], string> = { release: '◆', incident: '!', spike: '▲', note: '●' };
export const EVENT_NAMES: Record<EntityEvent['kind'], string> = { release: 'Release', incident: 'Incident', spike: 'Spike', note: 'Note' };

const describeEvent = (event: EntityEvent, names?: ReadonlyMap<string, string>) =>
  `${EVENT_NAMES[event.kind]} ${formatDate(event.occurredAt)}${event.entity && names?.get(event.entity) ? ` (${names.get(event.entity)})` : ''}: ${event.title}`;

/**
 * The marker row along the top of a plot: one button per group of nearby events (merged groups show
 * their count), with a tooltip naming every event in it. Positions come from layoutMarkers, so no two overlap.
 */
export function EventMarkers({
  groups,
  top,
  left,
  selected,
  onSelect,
  names,
}: {
  groups: MarkerGroup[];
  top: number;
  left: number;
  selected: number | null;
  onSelect: (index: number | null) => void;
  names?: ReadonlyMap<string, string>;
}) {
  return (
    <div className="event-markers" style={{ top: `${top}px`, left: `${left}px` }}>
      {groups.map((group, i) => {
        const kind = leadingKind(group);
        const label = group.events.map((e) => describeEvent(e, names)).join('; ');
        return (
          <button
            key={group.events.map((e) => e.id).join('-')}
            type="button"
            className={`event-marker event-marker-${kind}`}
            style={{ left: `${group.x}px` }}
            aria-label={`${group.events.length > 1 ? `${group.events.length} events: ` : ''}${label}`}
            aria-expanded={selected === i}
            data-event-ids={group.events.map((e) => e.id).join(',')}
            onClick={() => onSelect(selected === i ? null : i)}
          >
            <span aria-hidden="true">{group.events.length > 1 ? group.events.length : EVENT_SYMBOLS[kind]}</span>
            <span className="marker-tip" role="tooltip">
              {group.events.map((e) => (
                <span key={e.id} className="marker-tip-line">
                  {describeEvent(e, names)}
                </span>
              ))}
            </span>
          </button>
        );
      })}
    </div>
  );
}

/** What an event explanation says that the panel shows; the rest of the answer is ignored. */
export interface ExplanationView {
  headline: string | null;
  summary: string | null;
  posts: Array<{ key: string; title: string; url: string | null; source: string; createdAt: string | null; excerpt: string }>;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);
const record = (value: unknown): Record<string, unknown> | null => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null);

/**
 * Reads GET /api/v1/events/{id}/explain defensively (headline, summary and posts, wherever the answer
 * nests them): a field missing or of another shape is left out, never shown as "undefined".
 */
export function readExplanation(body: unknown): ExplanationView {
  const root = record(body) ?? {};
  const inner = record(root.explanation) ?? root;
  const rawPosts = Array.isArray(inner.posts) ? inner.posts : Array.isArray(inner.topPosts) ? inner.topPosts : Array.isArray(root.posts) ? root.posts : [];
  const posts = rawPosts.flatMap((raw, i) => {
    const post = record(raw);
    if (!post) return [];
    const inPost = record(post.post) ?? post;
    const body = text(inPost.body) ?? text(inPost.excerpt) ?? '';
    const title = text(inPost.title) ?? (body.length > 120 ? `${body.slice(0, 117)}…` : body);
    if (!title) return [];
    return [
      {
        key: `${text(inPost.source) ?? ''}:${text(inPost.externalId) ?? String(inPost.id ?? i)}`,
        title,
        url: safeHref(text(inPost.url)),
        source: text(inPost.source) ?? '',
        createdAt: text(inPost.createdAt),
        excerpt: text(inPost.title) && body ? (body.length > 200 ? `${body.slice(0, 197)}…` : body) : '',
      },
    ];
  });
  return { headline: text(inner.headline) ?? text(inner.title), summary: text(inner.summary), posts };
}

const DAY_MS = 86_400_000;

/** The event's day as a custom window on its entity's page: the posts that drove it, newest first. */
function eventDayHref(event: EntityEvent): string | null {
  if (!event.entity) return null;
  const day = new Date(event.occurredAt);
  if (Number.isNaN(day.getTime())) return null;
  const from = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()));
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  return buildHref(`/entity/${event.entity}`, { range: 'custom', from: iso(from), to: iso(new Date(from.getTime() + DAY_MS)), bucket: 'hour' });
}

type ExplainState = { status: 'loading' } | { status: 'ready'; view: ExplanationView } | { status: 'missing' } | { status: 'failed'; message: string };

/** A spike's explanation and top posts, from the explain endpoint; without it (404), a link to that day's posts. */
function SpikeExplanation({ event }: { event: EntityEvent }) {
  const [state, setState] = useState<ExplainState>({ status: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    api.explainEvent(event.id, { signal: controller.signal }).then(
      (body) => setState({ status: 'ready', view: readExplanation(body) }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 404) setState({ status: 'missing' });
        else setState({ status: 'failed', message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => controller.abort();
  }, [event.id]);

  const dayHref = eventDayHref(event);
  const dayLink = dayHref && (
    <Link href={dayHref}>
      See the posts of {formatDate(event.occurredAt)}
      {readTopPostIds(event).length > 0 ? ` (${readTopPostIds(event).length} drove this spike)` : ''}
    </Link>
  );
  if (state.status === 'loading') return <p className="muted small">Loading the explanation…</p>;
  if (state.status === 'missing') return <p className="small">{dayLink}</p>;
  if (state.status === 'failed') {
    return (
      <p className="small">
        <span className="muted">Could not load the explanation ({state.message}).</span> {dayLink}
      </p>
    );
  }
  const { view } = state;
  return (
    <div className="spike-explanation">
      {view.headline && <p className="small">{view.headline}</p>}
      {view.summary && <p className="small muted">{view.summary}</p>}
      {view.posts.length > 0 ? (
        <ol className="top-posts small">
          {view.posts.map((post) => (
            <li key={post.key}>
              {post.url ? (
                <a href={post.url} target="_blank" rel="noopener noreferrer nofollow">
                  {post.title}
                </a>
              ) : (
                <span>{post.title}</span>
              )}
              <span className="muted">
                {' '}
                · {formatSource(post.source)}
                {post.createdAt ? ` · ${formatDate(post.createdAt)}` : ''}
              </span>
              {post.excerpt && <span className="top-post-excerpt">{post.excerpt}</span>}
            </li>
          ))}
        </ol>
      ) : (
        <p className="small">{dayLink}</p>
      )}
    </div>
  );
}

/** The events of a clicked marker: kind, date, title (linked when it has a link) and, for spikes, the posts behind them. */
export function EventPanel({ group, onClose, names }: { group: MarkerGroup; onClose: () => void; names?: ReadonlyMap<string, string> }) {
  return (
    <div className="event-panel" role="region" aria-label="Selected events">
      <button type="button" className="event-panel-close" onClick={onClose} aria-label="Close the event details">
        ✕
      </button>
      <ul>
        {group.events.map((event) => {
          const href = safeHref(event.url);
          return (
            <li key={event.id} data-event-id={event.id}>
              <span className={`event-kind event-${event.kind}`}>
                <span aria-hidden="true">{EVENT_SYMBOLS[event.kind]} </span>
                {EVENT_NAMES[event.kind]}
              </span>{' '}
              <span className="muted small">
                {formatDate(event.occurredAt)}
                {event.entity && names?.get(event.entity) ? ` · ${names.get(event.entity)}` : ''}
              </span>{' '}
              {href ? (
                <a href={href} target="_blank" rel="noopener noreferrer nofollow">
                  {event.title}
                </a>
              ) : (
                <span>{event.title}</span>
              )}
              {event.kind === 'spike' && <SpikeExplanation event={event} />}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
