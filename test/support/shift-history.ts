import type { MentionSeed } from './mentions.ts';
import { createSeededRandom } from '../../src/core/seeded-random.ts';

const DAY = 86_400_000;

/**
 * A constructed history for explanation, alert and digest tests: days of ordinary talk ending at
 * `end`, and a planted burst of complaints about one aspect on one day.
 */
export const at = (day: Date, hour: number, minute = 0) => new Date(day.getTime() + hour * 3_600_000 + minute * 60_000).toISOString();

/**
 * Six mentions a day for `days` days before `end`, scores in [-0.3, 0.8] (about one in eleven
 * negative), on hn and reddit, some naming speed or pricing; the same mix every day.
 */
export function noiseHistory(seed: number, days: number, end: Date): MentionSeed[] {
  const random = createSeededRandom(seed);
  const seeds: MentionSeed[] = [];
  for (let d = days; d >= 1; d--) {
    const day = new Date(end.getTime() - d * DAY);
    for (let i = 0; i < 6; i++) {
      const score = Math.round((random() * 1.1 - 0.3) * 100) / 100;
      const label = score > 0.2 ? 'positive' : score < -0.2 ? 'negative' : 'neutral';
      const aspect = random() < 0.3 ? (random() < 0.5 ? 'speed' : 'pricing') : undefined;
      seeds.push({
        at: at(day, 2 + i * 3, Math.floor(random() * 60)),
        score,
        label,
        source: random() < 0.6 ? 'hn' : 'reddit',
        engagement: Math.floor(random() * 10),
        body: `ordinary comment ${d}-${i} about the tool`,
        ...(aspect ? { aspects: [{ aspect, polarity: label, score }] } : {}),
      });
    }
  }
  return seeds;
}

/** Twelve angry hn posts about rate limits on `day`, the later ones more engaged; the body names "Cursor" late. */
export function plantedComplaints(day: Date): MentionSeed[] {
  return Array.from({ length: 12 }, (_, i) => ({
    at: at(day, 8 + (i % 10), i),
    score: -0.9,
    label: 'negative' as const,
    source: 'hn',
    engagement: 40 + i,
    title: `Hit the rate limits again (${i})`,
    body: `${'Some context first. '.repeat(30)}Cursor cut me off after twenty requests; the new limits make it useless for real work.`,
    aspects: [{ aspect: 'rate_limits', polarity: 'negative' as const, score: -0.8 }],
  }));
}
