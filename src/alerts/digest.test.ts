import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertTestEntity, insertTestMention } from '../../test/support/mentions.ts';
import { noiseHistory, plantedComplaints } from '../../test/support/shift-history.ts';
import { describeOnBothTargets } from '../../test/support/targets.ts';
import { upsertEvent } from '../db/queries/events.ts';
import { rebuildRollups } from '../db/queries/ingest.ts';
import { migrate } from '../db/migrate.ts';
import { detectAndStoreSpikes } from '../pipeline/spikes.ts';
import { buildDigest, type Digest } from './digest.ts';
import { escapeMarkdown, renderDigest, renderDigestHtml, renderDigestMarkdown, safeUrl } from './digest-render.ts';

const DAY = 86_400_000;
const END = new Date('2026-03-15T00:00:00Z');
const WEEK_START = new Date(END.getTime() - 7 * DAY);
const PLANTED_DAY = new Date(END.getTime() - 3 * DAY);

describeOnBothTargets('buildDigest', (get) => {
  const planted: number[] = [];
  let hostile = 0;

  beforeAll(async () => {
    const { db } = get();
    await migrate(db);
    const cursor = await insertTestEntity(db, 'cursor');
    const control = await insertTestEntity(db, 'control');
    await insertTestEntity(db, 'silent');
    await sql`UPDATE entities SET name = 'Cursor' WHERE id = ${cursor}`.execute(db);
    for (const seed of noiseHistory(7, 35, END)) await insertTestMention(db, cursor, seed);
    for (const seed of noiseHistory(11, 35, END)) await insertTestMention(db, control, seed);
    for (const seed of plantedComplaints(PLANTED_DAY)) planted.push(await insertTestMention(db, cursor, seed));
    hostile = await insertTestMention(db, control, {
      at: new Date(END.getTime() - DAY).toISOString(),
      score: 0.1,
      label: 'neutral',
      title: '<img src=x onerror=alert(1)> [click](javascript:alert(1))',
      body: 'a long thread',
    });
    await sql`UPDATE posts SET comments = 500, url = 'javascript:alert(1)' WHERE id = ${hostile}`.execute(db);
    await rebuildRollups(db, new Date(END.getTime() - 60 * DAY), END);
    await detectAndStoreSpikes(db, { now: END, days: 7 });
    const event = (entityId: number | null, externalId: string, kind: 'release' | 'incident' | 'note', occurredAt: Date) =>
      upsertEvent(db, {
        entityId,
        kind,
        source: 'manual',
        externalId,
        title: externalId,
        url: 'https://example.test/changelog',
        body: null,
        occurredAt,
        details: {},
      });
    await event(cursor, 'Cursor 2.1', 'release', new Date(PLANTED_DAY.getTime() - DAY));
    await event(null, 'Upstream API outage', 'incident', PLANTED_DAY);
    await event(cursor, 'a note', 'note', PLANTED_DAY);
    await event(cursor, 'last month', 'release', new Date(WEEK_START.getTime() - 10 * DAY));
  });

  let digest: Digest;
  it('lists the planted drop as the significant mover with its explanation, and the control as noise', async () => {
    digest = await buildDigest(get().db, { from: WEEK_START, to: END });
    expect(digest).toMatchObject({
      from: WEEK_START.toISOString(),
      to: END.toISOString(),
      previousFrom: new Date(WEEK_START.getTime() - 7 * DAY).toISOString(),
      entities: null,
    });
    // 'silent' has no mentions and is no mover.
    expect(digest.movers.map((m) => [m.entity.slug, m.significant])).toEqual([
      ['cursor', true],
      ['control', false],
    ]);
    const [cursor] = digest.movers;
    expect(cursor).toMatchObject({ n: 54, previousN: 42 });
    expect(cursor!.change).toBeLessThan(0);
    expect(cursor!.pValue).toBeLessThan(0.05);
    expect(cursor!.headline).toMatch(/^Cursor: sentiment fell .*\(significant\), driven by hn; rate limits complaints up$/);
  });

  it('lists the spike with its explanation, releases and incidents of the period, and the most discussed posts', () => {
    const negativity = digest.spikes.find((s) => s.event.details.spikeKind === 'negativity');
    expect(negativity?.event.entity).toBe('cursor');
    expect(negativity!.headline).toMatch(/^Cursor: negative share rose/);
    expect(negativity!.posts.map((p) => p.postId)).toEqual(planted.slice(-3).reverse());
    expect(digest.spikes.every((s) => s.event.entity !== 'control')).toBe(true);
    expect(digest.events.map((e) => [e.kind, e.title])).toEqual([
      ['release', 'Cursor 2.1'],
      ['incident', 'Upstream API outage'],
    ]);
    expect(digest.posts[0]).toMatchObject({ postId: hostile, comments: 500, entities: ['control'] });
    expect(digest.posts).toHaveLength(10);
  });

  it('keeps to the entities asked for, and refuses an unknown one', async () => {
    const only = await buildDigest(get().db, { from: WEEK_START, to: END, entities: ['control'] });
    expect(only.entities).toEqual(['control']);
    expect(only.movers.map((m) => m.entity.slug)).toEqual(['control']);
    expect(only.spikes).toEqual([]);
    expect(only.events).toEqual([]);
    expect(only.posts.every((p) => p.entities.includes('control'))).toBe(true);
    await expect(buildDigest(get().db, { from: WEEK_START, to: END, entities: ['nobody'] })).rejects.toThrow(
      /^no entity with slug "nobody"/,
    );
  });

  it('renders Markdown and HTML with post text escaped and only http(s) links', () => {
    const html = renderDigestHtml(digest);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<img|href="javascript:/);
    expect(html).toContain('<a href="https://example.test/changelog">Cursor 2.1</a>');
    expect(html).toMatch(/<h2>Movers<\/h2>\n<ul>\n<li><strong>Cursor<\/strong>: \+0\.\d\d -&gt; /);
    const md = renderDigestMarkdown(digest);
    expect(md).toMatch(/^# VibeCheck digest: 2026-03-08 to 2026-03-15\n/);
    expect(md).toContain('\\<img src=x onerror=alert(1)\\> \\[click\\](javascript:alert(1))');
    expect(md).not.toMatch(/(?<!\\)\]\(javascript:/);
    expect(md).toContain('[Cursor 2.1](https://example.test/changelog) (cursor)');
    expect(JSON.parse(renderDigest(digest, 'json'))).toEqual(JSON.parse(JSON.stringify(digest)));
  });

  it('prints no empty excerpt line under a story with only a title, and counts one mention as one', () => {
    const [post] = digest.posts;
    const [mover] = digest.movers;
    const story = {
      ...digest,
      movers: [{ ...mover!, n: 1 }],
      posts: [
        { ...post!, title: 'Show HN: a title and no text', excerpt: '' },
        { ...post!, title: 'Said twice', excerpt: 'Said twice' },
      ],
    };
    const md = renderDigestMarkdown(story);
    expect(md).toContain(', 1 mention (');
    // (The most discussed post is the hostile one, whose javascript: URL is not linked.)
    expect(md).toMatch(/\n1\. Show HN: a title and no text \(hn[^)]*\)\n2\. Said twice \(hn[^)]*\)\n$/);
    expect(renderDigestHtml(story)).not.toContain('<small></small>');
  });
});

describe('digest rendering helpers', () => {
  it('links only http(s) URLs, with the characters that could end a link or attribute encoded', () => {
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('data:text/html,hi')).toBeNull();
    expect(safeUrl('not a url')).toBeNull();
    expect(safeUrl('https://example.test/a(b)"c\'d e')).toBe('https://example.test/a%28b%29%22c%27d%20e');
  });

  it('escapes every character that could start Markdown, on one line', () => {
    expect(escapeMarkdown('**bold** [x](y)\n# h <b> | `c` _i_ +1 & -2')).toBe(
      '\\*\\*bold\\*\\* \\[x\\](y) # h \\<b\\> \\| \\`c\\` \\_i\\_ +1 \\& -2',
    );
    expect(['# title', '- item', '+ item', '12. item', '3) item'].map(escapeMarkdown)).toEqual([
      '\\# title',
      '\\- item',
      '\\+ item',
      '12\\. item',
      '3\\) item',
    ]);
  });
});
