import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createSeededRandom } from '../../src/core/seeded-random.ts';

/** One line of the import format (interface.md). */
export interface ImportLine {
  source: string;
  externalId: string;
  url: string;
  author: string;
  title?: string;
  body: string;
  createdAt: string;
  score: number;
}

const PRAISE = [
  'is honestly fantastic for refactoring, fast and accurate.',
  'saved me hours today, the autocomplete quality is excellent.',
  'just works. Great docs and the speed is impressive.',
  'feels really polished now, I love the new agent mode.',
];
const COMPLAINTS = [
  'keeps hallucinating APIs that do not exist, really frustrating.',
  'got so slow this week, latency is terrible and it times out.',
  'pricing is way too expensive for what it does, cancelling.',
  'crashed twice and lost my context. Buggy and unreliable.',
];
const NEUTRAL = ['— has anyone compared it with the alternatives?', 'is what our team uses at work.', 'released a new version today.'];
const CONTEXT = [
  'Tried it on our monorepo.',
  'Using it for a side project.',
  'My team switched last month.',
  'Compared on a Rust codebase.',
  'Mostly for Python scripts.',
];
const SOURCES = ['hn', 'reddit', 'devto', 'lobsters'];

export interface SeedOptions {
  /** Display names as the linker knows them, e.g. "Cursor", "Claude Code". */
  names: string[];
  days: number;
  postsPerDayPerEntity: number;
  now?: Date;
  seed?: number;
  /** Per name, a mood in [-1, 1] that tilts its posts positive or negative. */
  moods?: Record<string, number>;
}

/** Posts spread over the last `days` days, each mentioning one entity, with mixed sentiment and sources. */
export function* generatePosts(options: SeedOptions): Generator<ImportLine> {
  const random = createSeededRandom(options.seed ?? 42);
  const now = (options.now ?? new Date()).getTime();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  let id = 0;
  for (let day = options.days - 1; day >= 0; day--) {
    for (const name of options.names) {
      const mood = options.moods?.[name] ?? 0;
      for (let i = 0; i < options.postsPerDayPerEntity; i++) {
        const roll = random() * 2 - 1 + mood;
        const source = pick(SOURCES);
        id++;
        // The id keeps every text distinct: identical texts are stored once as duplicates.
        const body = `${name} ${roll > 0.25 ? pick(PRAISE) : roll < -0.25 ? pick(COMPLAINTS) : pick(NEUTRAL)} ${pick(CONTEXT)} (ticket ${id})`;
        yield {
          source,
          externalId: `seed-${id}`,
          url: `https://example.com/${source}/${id}`,
          author: `user${Math.floor(random() * 500)}`,
          ...(random() < 0.3 ? { title: `Thoughts on ${name}` } : {}),
          body,
          createdAt: new Date(now - day * 86_400_000 - Math.floor(random() * 86_000_000) - 3_600_000).toISOString(),
          score: Math.floor(random() * 200),
        };
      }
    }
  }
}

/** The untrusted post: markup written the way a forum API escapes it, so the stored text holds it literally. */
export const HOSTILE_POST: ImportLine = {
  source: 'hn',
  externalId: 'hostile-1',
  url: 'https://news.ycombinator.com/item?id=1',
  author: 'mallory',
  body: 'Cursor rendered this in my preview: &lt;script&gt;window.__xss=1&lt;/script&gt; and &lt;img src=x onerror="window.__xss=2"&gt; great tool though.',
  createdAt: new Date(Date.now() - 10 * 60_000).toISOString(),
  score: 5,
};

/** Writes lines as JSON Lines to `path`. */
export async function writeJsonLines(path: string, lines: Iterable<ImportLine>): Promise<number> {
  const out = createWriteStream(path);
  let count = 0;
  for (const line of lines) {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
    count++;
  }
  out.end();
  await once(out, 'finish');
  return count;
}
