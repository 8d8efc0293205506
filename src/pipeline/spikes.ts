import { DEFAULT_SPIKE_OPTIONS, detectSpikes, type Spike, type SpikeOptions } from '../core/spikes.ts';
import { bucketStart, enumerateBuckets, nextBucketStart } from '../core/time-buckets.ts';
import { listEntities } from '../db/queries/entities.ts';
import { upsertEvent } from '../db/queries/events.ts';
import { listTopPostIds } from '../db/queries/posts.ts';
import { getBucketSums } from '../db/queries/series.ts';
import type { Executor } from '../db/queries/entities.ts';
import { attributeWindow, detectAndStoreRegressions, listEntityEvents } from './regressions.ts';

/** Events written by the detector carry this source; their external id names entity, kind and day. */
export const SPIKE_EVENT_SOURCE = 'vibecheck';
const DAY_MS = 86_400_000;
const TOP_POSTS = 5;

export interface DetectSpikesOptions {
  /** Days judged, ending with the last complete UTC day before `now`. */
  days?: number;
  now?: Date;
  spike?: Partial<SpikeOptions>;
}

export interface DetectSpikesResult {
  entities: number;
  spikes: number;
  /** regression events stored by the same run (pipeline/regressions.ts) */
  regressions: number;
}

export function spikeExternalId(slug: string, spike: Pick<Spike, 'kind' | 'bucketStart'>): string {
  return `spike:${slug}:${spike.kind}:${spike.bucketStart.toISOString().slice(0, 10)}`;
}

/** "Cursor: mentions rose to 30 (median 2 a day over the 28 days before)": the baseline is the detector's, a median, so it is named as one. */
function describeSpike(name: string, spike: Spike, window: number): string {
  const volume = spike.kind === 'volume';
  const shown = (value: number) => (volume ? String(Math.round(value * 100) / 100) : `${Math.round(value * 100)}%`);
  return `${name}: ${volume ? 'mentions' : 'negative share'} ${spike.direction === 'up' ? 'rose' : 'fell'} to ${shown(spike.value)} (median ${shown(spike.baseline)}${volume ? ' a day' : ''} over the ${window} days before)`;
}

/**
 * Runs detectSpikes over daily volume and negative share of every entity (complete UTC days only,
 * with enough history before them for the warm-up) and stores each spike as an event holding the
 * posts that drive it (a negativity rise also with its likely layer), then stores regressions the same
 * way. Re-running refreshes the same events: the identity is (source, external id, kind).
 */
export async function detectAndStoreSpikes(db: Executor, options: DetectSpikesOptions = {}): Promise<DetectSpikesResult> {
  const now = options.now ?? new Date();
  const days = options.days ?? 14;
  const settings = { ...DEFAULT_SPIKE_OPTIONS, ...options.spike };
  const end = bucketStart(now, 'day');
  const first = new Date(end.getTime() - (days + settings.window) * DAY_MS);
  const starts = enumerateBuckets(first, end, 'day');
  const judgedFrom = end.getTime() - days * DAY_MS;
  const entities = await listEntities(db);
  const sums = await getBucketSums(db, { entityIds: entities.map((e) => e.id), starts, end });
  // Incidents and releases near a negativity spike weigh in its attribution.
  const nearby = await listEntityEvents(db, first, new Date(end.getTime() + DAY_MS));
  let stored = 0;
  for (const entity of entities) {
    const series = (sums.get(entity.id) ?? []).map((s, i) => ({ bucketStart: starts[i] ?? end, n: s.n, negative: s.negative }));
    const spikes = detectSpikes(series, settings).filter((spike) => spike.bucketStart.getTime() >= judgedFrom);
    for (const spike of spikes) {
      const dayEnd = nextBucketStart(spike.bucketStart, 'day');
      // A rise is driven by its most engaged posts; a negativity rise by the most engaged negative ones.
      const label = spike.kind === 'negativity' ? (spike.direction === 'up' ? 'negative' : 'positive') : undefined;
      const topPostIds = await listTopPostIds(db, entity.id, spike.bucketStart, dayEnd, label, TOP_POSTS);
      const own = nearby.filter((event) => event.entity === entity.slug || (entity.parent !== null && event.entity === entity.parent));
      const attribution =
        spike.kind === 'negativity' && spike.direction === 'up'
          ? await attributeWindow(
              db,
              entity,
              { from: spike.bucketStart, to: dayEnd, previousFrom: new Date(spike.bucketStart.getTime() - settings.window * DAY_MS) },
              own,
            )
          : undefined;
      await upsertEvent(db, {
        entityId: entity.id,
        kind: 'spike',
        source: SPIKE_EVENT_SOURCE,
        externalId: spikeExternalId(entity.slug, spike),
        title: describeSpike(entity.name, spike, settings.window),
        url: null,
        body: null,
        occurredAt: spike.bucketStart,
        details: {
          spikeKind: spike.kind,
          direction: spike.direction,
          value: spike.value,
          baseline: spike.baseline,
          zScore: spike.zScore,
          bucket: 'day',
          topPostIds,
          ...(attribution === undefined ? {} : { attribution }),
        },
      });
      stored += 1;
    }
  }
  // Regressions are judged on the same schedule, over the same complete days.
  const regressions = await detectAndStoreRegressions(db, { now, days });
  return { entities: entities.length, spikes: stored, regressions: regressions.regressions };
}
