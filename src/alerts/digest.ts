import { NotFoundError, ValidationError } from '../core/errors.ts';
import { makeExcerpt, type ContributingPost, type NearbyEvent } from '../core/explain.ts';
import { compareWindows, summarize } from '../core/stats.ts';
import { listEntities, type EntityRecord, type Executor } from '../db/queries/entities.ts';
import { listEvents } from '../db/queries/events.ts';
import { explainEntityWindow, explainEvent, getEntityWindowSums, listMostDiscussedPosts, toNearbyEvent } from '../db/queries/explain.ts';

/**
 * The digest of a period: what moved, what spiked and why, what was released or broke, and what people
 * discussed most. Plain JSON; src/alerts/digest-render.ts writes it as Markdown or HTML.
 */

/** An entity needs this many mentions over both windows before its move is listed. */
export const MIN_MOVER_MENTIONS = 10;
export const MAX_MOVERS = 10;
export const MAX_SPIKES = 10;
export const MAX_POSTS = 10;
const SPIKE_POSTS = 3;

export interface DigestMover {
  entity: { slug: string; name: string; kind: EntityRecord['kind'] };
  n: number;
  previousN: number;
  score: number | null;
  scoreLow: number | null;
  scoreHigh: number | null;
  previousScore: number | null;
  change: number | null;
  changeLow: number | null;
  changeHigh: number | null;
  pValue: number | null;
  significant: boolean;
  /** mentions in the period over mentions in the period before */
  volumeRatio: number | null;
  /** the explanation's headline (src/core/explain.ts) */
  headline: string;
}

export interface DigestSpike {
  event: NearbyEvent & { details: Record<string, unknown> };
  headline: string;
  posts: ContributingPost[];
}

export interface DigestPost {
  postId: number;
  entities: string[];
  source: string;
  url: string | null;
  title: string | null;
  /** plain text, untrusted: escape it when rendering */
  excerpt: string;
  createdAt: string;
  comments: number | null;
  engagement: number;
}

export interface Digest {
  from: string;
  to: string;
  /** start of the period of the same length before, which the movers are compared with */
  previousFrom: string;
  /** the entities asked for; null for every entity */
  entities: string[] | null;
  /** entities whose mean score moved, significant moves first, then the largest */
  movers: DigestMover[];
  /** detected spikes in the period, newest first, each with its explanation's headline and top posts */
  spikes: DigestSpike[];
  /** releases and incidents in the period, oldest first */
  events: NearbyEvent[];
  /** the most replied-to posts of the period */
  posts: DigestPost[];
}

export interface DigestInput {
  from: Date;
  to: Date;
  /** Entity slugs; empty or left out: every entity. */
  entities?: readonly string[] | undefined;
}

async function pickEntities(db: Executor, slugs: readonly string[] | undefined): Promise<EntityRecord[]> {
  const all = await listEntities(db);
  if (!slugs || slugs.length === 0) return all;
  const bySlug = new Map(all.map((entity) => [entity.slug, entity]));
  const missing = slugs.filter((slug) => !bySlug.has(slug));
  if (missing.length > 0) throw new NotFoundError(`no entity with slug ${missing.map((slug) => `"${slug}"`).join(', ')}`);
  return [...new Set(slugs)].map((slug) => bySlug.get(slug)!);
}

export async function buildDigest(db: Executor, input: DigestInput): Promise<Digest> {
  if (!(input.from.getTime() < input.to.getTime())) throw new ValidationError('since: the period must end after it starts');
  const { from, to } = input;
  const previousFrom = new Date(2 * from.getTime() - to.getTime());
  const entities = await pickEntities(db, input.entities);
  const ids = entities.map((entity) => entity.id);
  const sums = await getEntityWindowSums(db, { entityIds: ids, from, to, previousFrom });

  const ranked = entities
    .map((entity) => {
      const { current, previous } = sums.get(entity.id)!;
      return { entity, current, previous, comparison: compareWindows(current, previous) };
    })
    .filter((m) => m.current.n + m.previous.n >= MIN_MOVER_MENTIONS && m.comparison.change !== null)
    .sort(
      (a, b) =>
        Number(b.comparison.significant) - Number(a.comparison.significant) ||
        Math.abs(b.comparison.change ?? 0) - Math.abs(a.comparison.change ?? 0) ||
        a.entity.slug.localeCompare(b.entity.slug),
    )
    .slice(0, MAX_MOVERS);
  const movers: DigestMover[] = [];
  for (const { entity, current, previous, comparison } of ranked) {
    const explanation = await explainEntityWindow(db, { entityId: entity.id, from, to, limit: 1 });
    const point = summarize(current);
    movers.push({
      entity: { slug: entity.slug, name: entity.name, kind: entity.kind },
      n: current.n,
      previousN: previous.n,
      score: point.score,
      scoreLow: point.scoreLow,
      scoreHigh: point.scoreHigh,
      previousScore: comparison.previousScore,
      change: comparison.change,
      changeLow: comparison.changeLow,
      changeHigh: comparison.changeHigh,
      pValue: comparison.pValue,
      significant: comparison.significant,
      volumeRatio: previous.n > 0 ? current.n / previous.n : null,
      headline: explanation.headline,
    });
  }

  const filter = input.entities && input.entities.length > 0 ? ids : undefined;
  const spikeEvents = (await listEvents(db, { entityIds: filter, from, to, kind: 'spike' }))
    .filter((event) => event.entity !== null)
    .reverse()
    .slice(0, MAX_SPIKES);
  const spikes: DigestSpike[] = [];
  for (const event of spikeEvents) {
    const explanation = await explainEvent(db, event.id, { now: to, limit: SPIKE_POSTS });
    spikes.push({ event: explanation.event!, headline: explanation.headline, posts: explanation.posts });
  }

  const events = (await listEvents(db, { entityIds: filter, from, to }))
    .filter((event) => event.kind === 'release' || event.kind === 'incident')
    .map(toNearbyEvent);

  const posts = (await listMostDiscussedPosts(db, { entityIds: ids, from, to, limit: MAX_POSTS })).map((post) => ({
    postId: post.postId,
    entities: post.entities,
    source: post.source,
    url: post.url,
    title: post.title,
    excerpt: makeExcerpt({ body: post.body, mentionAt: 0, clipped: false }),
    createdAt: post.createdAt.toISOString(),
    comments: post.comments,
    engagement: post.engagement,
  }));

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    previousFrom: previousFrom.toISOString(),
    entities: input.entities && input.entities.length > 0 ? [...new Set(input.entities)] : null,
    movers,
    spikes,
    events,
    posts,
  };
}
