import { sql, type Kysely } from 'kysely';
import { createSeededRandom } from '../../src/core/seeded-random.ts';
import type { DB } from '../../src/db/schema.ts';

/**
 * Constructed histories for regression and attribution tests: an entity with past launches that dip
 * the same way, and a quiet entity hit by one day's wave of complaints. Stored in bulk, straight
 * into posts, mentions and mention_aspects (analysis is not what these tests are about).
 */

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const HISTORY_DAYS = 130;
/** Past releases three weeks apart, and the current one six complete days before the end. */
export const PAST_RELEASES = [100, 79, 58, 37];
export const CURRENT_RELEASE = 6;
/** The usual launch dip, day by day after a release. */
export const DIP = [-0.22, -0.18, -0.13, -0.09, -0.05, -0.02, 0];
const SOURCES = [
  { source: 'hn', level: -0.05, perDay: 16 },
  { source: 'reddit', level: 0.2, perDay: 16 },
] as const;

export interface Seed {
  at: number;
  source: string;
  score: number;
  body: string;
  /** the version the mention names (mentions.version) */
  version?: string;
  aspects?: Array<{ aspect: string; polarity: 'negative' | 'positive' }>;
}

export const labelOf = (score: number) => (score <= -0.25 ? 'negative' : score >= 0.25 ? 'positive' : 'neutral');

/** Stores posts, mentions and aspect findings in three statements (thousands of rows one by one would take minutes). */
export async function insertMany(db: Kysely<DB>, entityId: number, slug: string, seeds: readonly Seed[]): Promise<void> {
  const ext = seeds.map((_, i) => `${slug}-${i}`);
  const at = seeds.map((s) => new Date(s.at).toISOString());
  const posts = await sql<{ id: number; external_id: string }>`
    INSERT INTO posts (source, external_id, url, title, body, created_at, content_hash)
    SELECT source, external_id, 'https://example.test/' || external_id, NULL, body, created_at, external_id
    FROM unnest(${seeds.map((s) => s.source)}::text[], ${ext}::text[], ${seeds.map((s) => s.body)}::text[], ${at}::timestamptz[])
      AS t(source, external_id, body, created_at)
    RETURNING id, external_id`.execute(db);
  const idOf = new Map(posts.rows.map((r) => [r.external_id, Number(r.id)]));
  const postIds = ext.map((e) => idOf.get(e)!);
  await sql`
    INSERT INTO mentions (post_id, entity_id, created_at, source, matched_text, start_offset, end_offset, label, score, confidence, model_version, engagement, version)
    SELECT post_id, ${entityId}, created_at, source, ${slug}, 0, 5, label, score, 0.9, 'test', 0, version
    FROM unnest(${postIds}::bigint[], ${at}::timestamptz[], ${seeds.map((s) => s.source)}::text[],
                ${seeds.map((s) => labelOf(s.score))}::text[], ${seeds.map((s) => s.score)}::real[], ${seeds.map((s) => s.version ?? null)}::text[])
      AS t(post_id, created_at, source, label, score, version)`.execute(db);
  const aspects = seeds.flatMap((s, i) => (s.aspects ?? []).map((a) => ({ ...a, postId: postIds[i]!, at: s.at, source: s.source })));
  if (aspects.length === 0) return;
  await sql`
    INSERT INTO mention_aspects (post_id, entity_id, created_at, source, aspect, polarity, score, confidence, evidence, start_offset, end_offset)
    SELECT post_id, ${entityId}, created_at, source, aspect, polarity, CASE WHEN polarity = 'negative' THEN -0.7 ELSE 0.7 END, 0.8, 'evidence', 0, 8
    FROM unnest(${aspects.map((a) => a.postId)}::bigint[], ${aspects.map((a) => new Date(a.at).toISOString())}::timestamptz[],
                ${aspects.map((a) => a.source)}::text[], ${aspects.map((a) => a.aspect)}::text[], ${aspects.map((a) => a.polarity)}::text[])
      AS t(post_id, created_at, source, aspect, polarity)`.execute(db);
}

/** The start of the UTC day `daysBefore` days before `end` (a UTC midnight). */
export const dayStartOf = (end: number) => (daysBefore: number) => end - daysBefore * DAY;

/**
 * Every day of the HISTORY_DAYS before `end`: each source's mentions at its own level plus the day's
 * shift, with seeded noise. `text` gives a negative mention's body and aspects on a day.
 */
export function buildHistory(options: {
  end: number;
  seed: number;
  shift: (daysBefore: number) => number;
  text?: (daysBefore: number) => Partial<Seed> | undefined;
}): Seed[] {
  const random = createSeededRandom(options.seed);
  const dayStart = dayStartOf(options.end);
  const seeds: Seed[] = [];
  for (let d = HISTORY_DAYS; d >= 1; d--) {
    for (const { source, level, perDay } of SOURCES) {
      for (let k = 0; k < perDay; k++) {
        const score = Math.max(-1, Math.min(1, level + options.shift(d) + (random() - 0.5) * 1.2));
        const at = dayStart(d) + Math.floor(random() * 23 * HOUR);
        const extra = labelOf(score) === 'negative' ? options.text?.(d) : undefined;
        seeds.push({ at, source, score, body: 'not impressed with it today', ...extra });
      }
    }
  }
  return seeds;
}

/** The usual dip after each release, the current one `depth` times as deep. */
export function launchDips(depth: number) {
  return (daysBefore: number) => {
    for (const release of [...PAST_RELEASES, CURRENT_RELEASE]) {
      const t = release - daysBefore;
      if (t >= 0 && t < DIP.length) return (DIP[t] ?? 0) * (release === CURRENT_RELEASE ? depth : 1);
    }
    return 0;
  };
}

/** A quiet entity (40 days of mostly content mentions) whose day `daysBefore` brings a wave of negative mentions with this text and aspect. */
export function buildWave(
  end: number,
  seed: number,
  daysBefore: number,
  wave: { body: string; aspect: string; count: number; version?: string },
): Seed[] {
  const random = createSeededRandom(seed);
  const dayStart = dayStartOf(end);
  const seeds: Seed[] = [];
  for (let d = 40; d >= 1; d--) {
    for (let k = 0; k < 20; k++) {
      const negative = random() < 0.1;
      seeds.push({
        at: dayStart(d) + k * HOUR,
        source: 'reddit',
        score: negative ? -0.6 : 0.4,
        body: negative ? 'meh, not great' : 'works well for me',
      });
    }
  }
  for (let k = 0; k < wave.count; k++) {
    seeds.push({
      at: dayStart(daysBefore) + 9 * HOUR + k * 60_000,
      source: k % 2 === 0 ? 'hn' : 'reddit',
      score: -0.8,
      body: wave.body,
      ...(wave.version === undefined ? {} : { version: wave.version }),
      aspects: [{ aspect: wave.aspect, polarity: 'negative' }],
    });
  }
  return seeds;
}

/** A deeper-than-usual launch dip with "dumber" complaints after the current release. */
export function deepDipText(depth: number) {
  return (d: number) =>
    depth > 1 && d <= CURRENT_RELEASE
      ? {
          body: 'since the update it got so much dumber, lazy half answers',
          aspects: [{ aspect: 'code_quality', polarity: 'negative' as const }],
        }
      : undefined;
}
