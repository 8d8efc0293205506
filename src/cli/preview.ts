import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { ValidationError } from '../core/errors.ts';
import { COLLECTOR_SOURCES, type CollectorSource } from '../core/post.ts';
import { escapeControls } from '../core/storable.ts';
import { loadEntityRegistry } from '../pipeline/entities.ts';
import { previewSource, type PreviewItem, type PreviewResult } from '../pipeline/preview.ts';
import { buildSearchTerms, buildSources } from '../pipeline/sources.ts';
import { createLinker, toLinkableEntities } from '../understand/linking/index.ts';
import { loadSettings, printJson } from './context.ts';
import { EXIT } from './errors.ts';
import { collect } from './options.ts';
import { COMMAND_SUMMARIES } from './summaries.ts';

interface PreviewOptions {
  query?: string;
  feed?: string[];
  forum?: string[];
  instance?: string[];
  limit?: number;
  json?: boolean;
}

function parseSource(value: string): CollectorSource {
  if (!(COLLECTOR_SOURCES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`unknown source; expected one of ${COLLECTOR_SOURCES.join(', ')}`);
  }
  return value as CollectorSource;
}

/** Feeds, forums and instances are fetched over HTTP(S), as the schedule fetches them. */
function collectHttpUrl(value: string, previous: string[] = []): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('expected an http:// or https:// URL');
  return collect(value, previous);
}

function parseLimit(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('expected a whole number of items, 1 or more');
  }
  return Number(value);
}

/** Which source each target flag belongs to. */
const TARGET_FLAGS = [
  { flag: '--feed', key: 'feed', source: 'rss' },
  { flag: '--forum', key: 'forum', source: 'discourse' },
  { flag: '--instance', key: 'instance', source: 'mastodon' },
] as const;

export function registerPreview(program: Command): void {
  program
    .command('preview')
    .description(COMMAND_SUMMARIES.preview)
    .argument('<source>', `one of ${COLLECTOR_SOURCES.join(', ')}`, parseSource)
    .option('--query <text>', 'look for this text instead of the tracked entities')
    .option('--feed <url>', 'rss: read this feed instead of the configured ones (repeatable)', collectHttpUrl)
    .option('--forum <url>', 'discourse: read this forum instead of the configured ones (repeatable)', collectHttpUrl)
    .option('--instance <url>', 'mastodon: read this instance instead of the configured ones (repeatable)', collectHttpUrl)
    .option('--limit <n>', 'print at most N items, and stop fetching once they are in hand', parseLimit)
    .option('--json', 'print one JSON object: {"items":[...],"errors":[...]}')
    .action(async (name: CollectorSource, options: PreviewOptions) => {
      for (const { flag, key, source } of TARGET_FLAGS) {
        if (options[key] && name !== source) throw new ValidationError(`${flag} applies to ${source} only, not ${name}`);
      }
      const query = options.query?.trim();
      if (options.query !== undefined && !query) throw new ValidationError('--query: empty');
      const { settings, log } = loadSettings();
      const overridden = {
        ...settings,
        sources: {
          ...settings.sources,
          rssFeeds: options.feed ?? settings.sources.rssFeeds,
          discourseForums: options.forum ?? settings.sources.discourseForums,
          mastodonInstances: options.instance ?? settings.sources.mastodonInstances,
        },
      };
      const source = buildSources(overridden).find((entry) => entry.source.name === name)?.source;
      if (!source) throw new ValidationError(`unknown source ${name}`);
      const skip = source.skipReason();
      if (skip) {
        const hint = TARGET_FLAGS.find((t) => t.source === name);
        throw new ValidationError(`cannot preview ${name}: ${skip}${hint ? ` (pass ${hint.flag} URL)` : ''}`);
      }
      const registry = loadEntityRegistry();
      const terms = query ? [{ slug: 'query', phrases: [query] }] : buildSearchTerms(registry.entities);
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop).once('SIGTERM', stop);
      const result = await previewSource({
        source,
        terms,
        linker: createLinker(toLinkableEntities(registry)),
        log: log.child({ source: name, command: 'preview' }),
        signal: controller.signal,
        query,
        limit: options.limit,
      });
      process.off('SIGINT', stop).off('SIGTERM', stop);
      if (options.json) printJson(result);
      else process.stdout.write(formatPreview(result));
      if (controller.signal.aborted) process.exitCode = EXIT.interrupted;
      else if (result.errors.length > 0) process.exitCode = EXIT.failed;
    });
}

const oneLine = (text: string): string => escapeControls(text.replace(/\s+/g, ' ').trim());
const excerpt = (text: string, length: number): string => {
  const line = oneLine(text);
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
};

function formatItem(item: PreviewItem): string {
  const kind = `[${item.kind === 'event' || (item.kind === 'post' && item.event) ? `${item.kind}: ${item.event}` : item.kind}]`;
  const when = item.createdAt.slice(0, 16).replace('T', ' ');
  const lines = [`${kind} ${when}  ${excerpt(item.title ?? item.body, 120) || '(no title or text)'}`];
  const facts = [item.url, item.author, item.entities.length > 0 ? `entities: ${item.entities.join(', ')}` : 'no entities'];
  lines.push(
    `    ${facts
      .filter((f): f is string => f !== null)
      .map(oneLine)
      .join(' · ')}`,
  );
  if (item.title && item.body) lines.push(`    ${excerpt(item.body, 200)}`);
  return lines.join('\n');
}

/** The human form: items grouped by feed, then rejections, errors and a one-line count. */
export function formatPreview(result: PreviewResult): string {
  const out: string[] = [];
  let feed: string | null = null;
  for (const item of result.items) {
    if (item.feed !== null && item.feed !== feed) {
      feed = item.feed;
      out.push(`${out.length > 0 ? '\n' : ''}feed ${oneLine(feed)}`);
    }
    out.push(formatItem(item));
  }
  for (const r of result.rejected)
    out.push(`rejected: ${oneLine(r.where)}: ${r.externalId === null ? '' : `${oneLine(r.externalId)}: `}${oneLine(r.reason)}`);
  for (const e of result.errors) out.push(`error: ${oneLine(e.where)}: ${oneLine(e.message)}`);
  const count = (kind: PreviewItem['kind']): number => result.items.filter((i) => i.kind === kind).length;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  out.push(
    `${plural(result.items.length, 'item')} (${count('post')} would be stored as posts, ${plural(count('event'), 'event')} only, ${count('ignored')} ignored)` +
      `, ${result.rejected.length} rejected, ${plural(result.errors.length, 'error')}; nothing was stored`,
  );
  return `${out.join('\n')}\n`;
}
