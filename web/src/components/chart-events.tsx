import { useEffect, useState } from 'react';
import { api, ApiError } from '../api/client.ts';
import { AttributionPanel } from './attribution.tsx';
import type { EntityEvent, Explanation } from '../api/types.ts';
import { formatDate, formatScore, formatSource } from '../lib/format.ts';
import { buildHref } from '../lib/url-state.ts';
import { leadingKind, readTopPostIds, type MarkerGroup } from './chart-model.ts';
import { Link } from './link.tsx';
import { safeHref } from './post-card.tsx';

/** A shape per kind as well as a colour, so the kinds read apart without colour vision. */
export const EVENT_SYMBOLS: Record<EntityEvent['kind'], string> = { release: '◆', incident: '!', spike: '▲', note: '●', regression: '▼' };
export const EVENT_NAMES: Record<EntityEvent['kind'], string> = {
  release: 'Release',
  incident: 'Incident',
  spike: 'Spike',
  note: 'Note',
  regression: 'Regression',
};

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
  width,
  selected,
  onSelect,
  names,
}: {
  groups: MarkerGroup[];
  top: number;
  left: number;
  /** The plot's width: a tooltip near either end opens inwards instead of past the screen's edge. */
  width: number;
  selected: number | null;
  onSelect: (index: number | null) => void;
  names?: ReadonlyMap<string, string>;
}) {
  const edge = Math.min(100, width / 3);
  return (
    <div className="event-markers" style={{ top: `${top}px`, left: `${left}px` }}>
      {groups.map((group, i) => {
        const kind = leadingKind(group);
        const label = group.events.map((e) => describeEvent(e, names)).join('; ');
        return (
          <button
            key={group.events.map((e) => e.id).join('-')}
            type="button"
            className={`event-marker event-marker-${kind}${group.x < edge ? ' tip-start' : group.x > width - edge ? ' tip-end' : ''}`}
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

/** How many of the explanation's posts the panel lists. */
export const EXPLAINED_POSTS = 5;

const DAY_MS = 86_400_000;

/** The event's day as a custom window on its entity's page: the posts of that day, newest first. */
export function eventDayHref(event: EntityEvent): string | null {
  if (!event.entity) return null;
  const day = new Date(event.occurredAt);
  if (Number.isNaN(day.getTime())) return null;
  const from = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()));
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  return buildHref(`/entity/${event.entity}`, {
    range: 'custom',
    from: iso(from),
    to: iso(new Date(from.getTime() + DAY_MS)),
    bucket: 'hour',
  });
}

type ExplainState = { status: 'loading' } | { status: 'ready'; explanation: Explanation } | { status: 'failed'; message: string };

/** The posts that moved an explanation's measure most, each with its opinion and where it was said. */
export function ExplainedPosts({ explanation }: { explanation: Explanation }) {
  const posts = explanation.posts.slice(0, EXPLAINED_POSTS);
  if (posts.length === 0) return null;
  return (
    <ol className="top-posts small">
      {posts.map((post) => {
        const href = safeHref(post.url);
        const title = post.title ?? post.excerpt;
        return (
          <li key={post.postId} data-post-id={post.postId}>
            {href ? (
              <a href={href} target="_blank" rel="noopener noreferrer nofollow">
                {title}
              </a>
            ) : (
              <span>{title}</span>
            )}
            <span className="muted">
              {' '}
              · {post.label} {formatScore(post.score)} · {formatSource(post.source)} · {formatDate(post.createdAt)}
            </span>
            {post.title && <span className="top-post-excerpt">{post.excerpt}</span>}
          </li>
        );
      })}
    </ol>
  );
}

/**
 * An event's explanation from GET /api/v1/events/{id}/explain, loaded when its marker is opened: the
 * headline and the posts that drove it (for a spike, the posts of its bucket; for a release, incident
 * or note, the week after against the week before). Without it, a link to that day's posts.
 */
function EventExplanation({ event }: { event: EntityEvent }) {
  const [state, setState] = useState<ExplainState>({ status: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    api.explainEvent(event.id, { signal: controller.signal }).then(
      (explanation) => setState({ status: 'ready', explanation }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'failed', message: error instanceof ApiError ? error.message : String(error) });
      },
    );
    return () => controller.abort();
  }, [event.id]);

  const dayHref = eventDayHref(event);
  const topPosts = readTopPostIds(event).length;
  const dayLink = dayHref && (
    <Link href={dayHref}>
      See the posts of {formatDate(event.occurredAt)}
      {topPosts > 0 ? ` (${topPosts} drove this spike)` : ''}
    </Link>
  );
  if (state.status === 'loading') return <p className="muted small">Loading the explanation…</p>;
  if (state.status === 'failed') {
    return (
      <p className="small">
        <span className="muted">No explanation ({state.message}).</span> {dayLink}
      </p>
    );
  }
  const { explanation } = state;
  return (
    <div className="event-explanation">
      <p className="small">{explanation.headline}</p>
      {explanation.summary && (
        <p className="small explanation-summary">
          <span className="muted">In short ({explanation.summary.model}, from the posts below):</span> {explanation.summary.text}
        </p>
      )}
      {explanation.attribution && <AttributionPanel attribution={explanation.attribution} />}
      <ExplainedPosts explanation={explanation} />
      {explanation.posts.length === 0 && <p className="small">{dayLink}</p>}
    </div>
  );
}

/** An explanation shown at once, or behind a button (a merged marker's other events would repeat much the same week). */
function ExplainOnDemand({ event, open }: { event: EntityEvent; open: boolean }) {
  const [shown, setShown] = useState(open);
  if (shown) return <EventExplanation event={event} />;
  return (
    <button type="button" className="link-button small" onClick={() => setShown(true)}>
      Explain this event
    </button>
  );
}

/**
 * The events of a clicked marker: kind, date, title (linked when it has a link) and, for an entity's
 * event, its explanation; in a merged marker only the most telling event's is loaded at once.
 */
export function EventPanel({ group, onClose, names }: { group: MarkerGroup; onClose: () => void; names?: ReadonlyMap<string, string> }) {
  const kind = leadingKind(group);
  const first = group.events.find((e) => e.kind === kind && e.entity !== null) ?? group.events.find((e) => e.entity !== null);
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
              {event.entity && <ExplainOnDemand event={event} open={event.id === first?.id} />}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
