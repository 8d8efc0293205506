import { attributeLayer, CUES, countCues, type Attribution, type Cue, type CountPair } from '../core/attribution.ts';
import { formatScore } from '../core/explain.ts';
import { DEFAULT_REGRESSION_OPTIONS, detectRegressions, type Regression, type RegressionOptions } from '../core/regression.ts';
import { bucketStart } from '../core/time-buckets.ts';
import { listEntities, type EntityRecord, type Executor } from '../db/queries/entities.ts';
import { listEvents, upsertEvent, type EventRecord } from '../db/queries/events.ts';
import { listTopPostIds } from '../db/queries/posts.ts';
import { getAttributionCounts, getDailySourceCells } from '../db/queries/regressions.ts';

/** Regression events carry the detector's source, like spikes; their external id names entity, kind and first day. */
export const REGRESSION_EVENT_SOURCE = 'vibecheck';
const DAY_MS = 86_400_000;
const TOP_POSTS = 5;
/** Days of history read: enough for several past releases and a baseline before the first. */
export const REGRESSION_HISTORY_DAYS = 365;

export interface DetectRegressionsOptions {
  /** Regressions whose judged days reach into the last `days` complete UTC days are stored. */
  days?: number;
  now?: Date;
  historyDays?: number;
  regression?: Partial<RegressionOptions>;
}

export interface DetectRegressionsResult {
  entities: number;
  regressions: number;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

export function regressionExternalId(slug: string, regression: Pick<Regression, 'kind' | 'start'>): string {
  return `regression:${slug}:${regression.kind === 'post-release' ? 'release' : 'drop'}:${isoDay(regression.start)}`;
}

const LAYER_WORDS: Record<Attribution['layer'], string> = {
  model: 'likely the model',
  tool: 'likely the tool',
  quota: 'likely quota or pricing',
  outage: 'likely an outage',
  unclear: 'cause unclear',
};

function describeRegression(name: string, regression: Regression, attribution: Attribution): string {
  const cause = LAYER_WORDS[attribution.layer];
  if (regression.kind === 'post-release') {
    return `${name}: sentiment after the ${isoDay(regression.start)} release ${formatScore(regression.observed)} against a usual ${formatScore(regression.expected)} (${cause})`;
  }
  return `${name}: sentiment ${formatScore(regression.size)} below its usual level since ${isoDay(regression.start)} (${cause})`;
}

/**
 * The stored regression the new one continues, if any: same entity and kind, overlapping days. A
 * drop's first day can move by a day as the baselines learn from new days; the event should not.
 */
function findContinued(stored: readonly EventRecord[], slug: string, regression: Regression): EventRecord | undefined {
  return stored.find((event) => {
    if (event.entity !== slug || event.details.regressionKind !== regression.kind) return false;
    const from = Date.parse(String(event.details.windowFrom));
    const to = Date.parse(String(event.details.windowTo));
    return from < regression.end.getTime() && regression.start.getTime() < to;
  });
}

/** The entity's own events and its parent's (a vendor's incident is its products' outage). */
function eventsOf(events: readonly EventRecord[], entity: EntityRecord): EventRecord[] {
  return events.filter((event) => event.entity === entity.slug || (entity.parent !== null && event.entity === entity.parent));
}

/**
 * The layer likely behind a fall in [from, to) against [previousFrom, from): reads the mention counts,
 * negative aspects and the text around negative mentions, and the entity's (and its parent's)
 * incidents and releases near, and the versions the negative mentions name (a tool's are client
 * versions, a model's model versions).
 */
export async function attributeWindow(
  db: Executor,
  entity: EntityRecord,
  window: { from: Date; to: Date; previousFrom: Date },
  events: readonly EventRecord[],
): Promise<Attribution> {
  const counts = await getAttributionCounts(db, { entityId: entity.id, ...window });
  // Cue counts from a sample are scaled up to all the window's negative mentions.
  const scaled = (texts: string[], total: number): Record<Cue, number> => {
    const found = countCues(texts.map((text) => ({ text, label: 'negative' })));
    const factor = texts.length > 0 ? total / texts.length : 0;
    return Object.fromEntries(CUES.map((cue) => [cue, Math.round(found[cue] * factor)])) as Record<Cue, number>;
  };
  const current = scaled(counts.texts.current, counts.negatives.current);
  const previous = scaled(counts.texts.previous, counts.negatives.previous);
  const cues = Object.fromEntries(CUES.map((cue) => [cue, { current: current[cue], previous: previous[cue] }])) as Record<Cue, CountPair>;
  return attributeLayer({
    entityKind: entity.kind,
    window: { from: window.from, to: window.to },
    n: counts.n,
    previousN: counts.previousN,
    aspects: counts.aspects,
    cues,
    versions: counts.versions.map((v) => ({
      ...v,
      ...(entity.kind === 'vendor' ? {} : { kind: entity.kind === 'tool' ? ('client' as const) : ('model' as const) }),
    })),
    events: events
      .filter((event) => event.kind === 'incident' || event.kind === 'release')
      .map((event) => ({ id: event.id, kind: event.kind, title: event.title, occurredAt: event.occurredAt })),
  });
}

/** Releases, incidents and the rest of every entity over [from, to), in one read. */
export async function listEntityEvents(db: Executor, from: Date, to: Date): Promise<EventRecord[]> {
  const [releases, incidents] = await Promise.all([
    listEvents(db, { from, to, kind: 'release', limit: 100_000 }),
    listEvents(db, { from, to, kind: 'incident', limit: 100_000 }),
  ]);
  return [...releases, ...incidents];
}

/**
 * Runs detectRegressions over each entity's daily per-source sums (complete UTC days, a year of
 * history, its own and its parent's releases) and stores each regression whose days reach into the
 * last `days` as a 'regression' event with its figures and attribution. A re-run refreshes the same
 * events: the identity is (source, external id, kind), and the id names the release day or the drop's
 * first day (a regression overlapping a stored one of the same kind keeps the stored one's id).
 */
export async function detectAndStoreRegressions(db: Executor, options: DetectRegressionsOptions = {}): Promise<DetectRegressionsResult> {
  const now = options.now ?? new Date();
  const end = bucketStart(now, 'day');
  const from = new Date(end.getTime() - (options.historyDays ?? REGRESSION_HISTORY_DAYS) * DAY_MS);
  const judgedFrom = end.getTime() - (options.days ?? 14) * DAY_MS;
  const settings = { ...DEFAULT_REGRESSION_OPTIONS, ...options.regression };
  const entities = await listEntities(db);
  const cells = await getDailySourceCells(db, { entityIds: entities.map((e) => e.id), from, to: end });
  const events = await listEntityEvents(db, from, new Date(end.getTime() + DAY_MS));
  const previous = (await listEvents(db, { from, to: new Date(end.getTime() + DAY_MS), kind: 'regression', limit: 100_000 })).filter(
    (event) => event.source === REGRESSION_EVENT_SOURCE,
  );
  let stored = 0;
  for (const entity of entities) {
    const own = eventsOf(events, entity);
    const releases = own.filter((event) => event.kind === 'release').map((event) => event.occurredAt);
    const found = detectRegressions({ cells: cells.get(entity.id) ?? [], releases, from, to: end }, settings).filter(
      (regression) => regression.end.getTime() > judgedFrom,
    );
    for (const regression of found) {
      const attribution = await attributeWindow(
        db,
        entity,
        { from: regression.start, to: regression.end, previousFrom: regression.baselineFrom },
        own,
      );
      const topPostIds = await listTopPostIds(db, entity.id, regression.start, regression.end, 'negative', TOP_POSTS);
      await upsertEvent(db, {
        entityId: entity.id,
        kind: 'regression',
        source: REGRESSION_EVENT_SOURCE,
        externalId: findContinued(previous, entity.slug, regression)?.externalId ?? regressionExternalId(entity.slug, regression),
        title: describeRegression(entity.name, regression, attribution),
        url: null,
        body: null,
        occurredAt: regression.start,
        details: {
          regressionKind: regression.kind,
          size: regression.size,
          confidence: regression.confidence,
          expected: regression.expected,
          observed: regression.observed,
          uncertainty: regression.uncertainty,
          basis: regression.basis,
          pastReleases: regression.pastReleases,
          n: regression.n,
          baselineN: regression.baselineN,
          windowFrom: regression.start.toISOString(),
          windowTo: regression.end.toISOString(),
          baselineFrom: regression.baselineFrom.toISOString(),
          releaseAt: regression.releaseAt?.toISOString() ?? null,
          course: regression.course,
          attribution,
          topPostIds,
        },
      });
      stored += 1;
    }
  }
  return { entities: entities.length, regressions: stored };
}
