import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { hugeAlert, sampleAlert } from '../../../test/support/alert-messages.ts';
import { getFreePort } from '../../../test/support/free-port.ts';
import { startFakeUpstream, type FakeRequest, type FakeResponse, type FakeUpstream } from '../../../test/support/fake-upstream.ts';
import { VIBECHECK_VERSION } from '../../core/version.ts';
import { describeChannel, parseChannel, type Channel } from './channel.ts';
import { deliver } from './deliver.ts';
import { DISCORD_LIMITS } from './discord.ts';
import type { DeliveryOutcome } from './outcome.ts';
import { SLACK_LIMITS } from './slack.ts';
import { verifySignature, WebhookBody } from './webhook.ts';

const SECRET = 'whsec-rule-7-Kq93vLz0';
const SLACK_TOKEN = 'slackTokenQ8w7e6r5t4a1B2';
const DISCORD_TOKEN = 'discordTokenZ1x2c3v4xY9z';

/** What Slack checks before accepting a body (the parts we rely on), with its limits. */
const SlackText = z.object({ type: z.enum(['plain_text', 'mrkdwn']), text: z.string().min(1) });
const SlackBody = z.object({
  text: z.string().min(1),
  blocks: z
    .array(
      z.discriminatedUnion('type', [
        z.object({
          type: z.literal('header'),
          text: SlackText.extend({ type: z.literal('plain_text'), text: z.string().min(1).max(SLACK_LIMITS.headerText) }),
        }),
        z.object({
          type: z.literal('section'),
          text: SlackText.extend({ text: z.string().min(1).max(SLACK_LIMITS.sectionText) }).optional(),
          fields: z
            .array(SlackText.extend({ text: z.string().min(1).max(SLACK_LIMITS.fieldText) }))
            .max(SLACK_LIMITS.fields)
            .optional(),
        }),
        z.object({ type: z.literal('divider') }),
        z.object({ type: z.literal('context'), elements: z.array(SlackText).min(1).max(10) }),
        z.object({
          type: z.literal('actions'),
          elements: z.array(z.object({ type: z.literal('button'), text: SlackText, url: z.url().max(3000), action_id: z.string() })),
        }),
      ]),
    )
    .min(1)
    .max(SLACK_LIMITS.blocks),
});

/** Discord's embed limits, checked the way Discord does (a 400 past any of them). */
const DiscordBody = z
  .object({
    allowed_mentions: z.object({ parse: z.array(z.string()).length(0) }),
    embeds: z
      .array(
        z.object({
          title: z.string().min(1).max(DISCORD_LIMITS.title),
          description: z.string().max(DISCORD_LIMITS.description).optional(),
          url: z.url().optional(),
          color: z.number().int(),
          fields: z
            .array(z.object({ name: z.string().min(1).max(256), value: z.string().min(1).max(1024), inline: z.boolean() }))
            .max(DISCORD_LIMITS.fields),
          footer: z.object({ text: z.string().max(2048) }),
          timestamp: z.iso.datetime().optional(),
        }),
      )
      .length(1),
  })
  .refine((body) =>
    body.embeds.every(
      (e) =>
        e.title.length +
          (e.description?.length ?? 0) +
          e.footer.text.length +
          e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0) <=
        DISCORD_LIMITS.total,
    ),
  );

/**
 * The receiver standing in for a generic webhook, Slack and Discord: it checks what it is sent the
 * way each would (signature, Block Kit shape, embed limits) and answers 4xx when it is wrong.
 */
function receive(request: FakeRequest): FakeResponse {
  if (request.method !== 'POST' || !String(request.headers['content-type']).startsWith('application/json'))
    return { status: 415, body: 'json only' };
  if (request.path === '/hook' || request.path === '/basic/hook') {
    const signature = request.headers['x-vibecheck-signature'];
    if (typeof signature !== 'string' || !verifySignature(SECRET, signature, request.body, 60))
      return { status: 401, body: 'bad signature' };
    const parsed = WebhookBody.strict().safeParse(JSON.parse(request.body));
    return parsed.success ? { status: 204 } : { status: 422, body: parsed.error.message };
  }
  if (request.path.startsWith('/services/'))
    return SlackBody.safeParse(JSON.parse(request.body)).success ? { status: 200, body: 'ok' } : { status: 400, body: 'invalid_blocks' };
  if (request.path.startsWith('/api/webhooks/')) {
    return DiscordBody.safeParse(JSON.parse(request.body)).success
      ? { status: 204 }
      : { status: 400, body: { message: 'Invalid Form Body', code: 50035 } };
  }
  // An error page that echoes the path it was called on, token and all.
  return { status: 404, body: `no route for ${request.path}` };
}

let upstream: FakeUpstream;
/** Slack and Discord are recognised by host, so tests point their channels at the receiver directly. */
let slack: Channel;
let discord: Channel;
let webhook: Channel;

beforeAll(async () => {
  upstream = await startFakeUpstream(receive);
  slack = { kind: 'slack', url: `${upstream.url}/services/T0001/B0002/${SLACK_TOKEN}` };
  discord = { kind: 'discord', url: `${upstream.url}/api/webhooks/123456789/${DISCORD_TOKEN}` };
  webhook = parseChannel(`${upstream.url}/hook`);
});
afterAll(() => upstream.close());
afterEach(() => {
  upstream.requests.length = 0;
});

const last = (): FakeRequest => {
  const request = upstream.requests.at(-1);
  if (!request) throw new Error('the receiver got no request');
  return request;
};

/** Asserts an outcome and narrows it. */
function failed(outcome: DeliveryOutcome): Extract<DeliveryOutcome, { ok: false }> {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('generic webhook', () => {
  it('posts the documented body with the delivery id, a verifiable signature, JSON and a VibeCheck User-Agent', async () => {
    const message = sampleAlert();
    const outcome = await deliver(webhook, message, { secret: SECRET });
    expect(outcome).toEqual({ ok: true, status: 204 });
    const request = last();
    expect(request.headers['x-vibecheck-delivery']).toBe(message.id);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(request.headers['user-agent']).toBe(`VibeCheck/${VIBECHECK_VERSION} (alert delivery)`);
    const signature = String(request.headers['x-vibecheck-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, signature, request.body, 60)).toBe(true);

    const body = WebhookBody.strict().parse(JSON.parse(request.body));
    expect(body).toMatchObject({
      version: 1,
      id: message.id,
      test: false,
      headline: message.headline,
      rule: message.rule,
      entity: message.entity,
    });
    expect(body.posts.map((p) => p.title)).toEqual(message.posts.map((p) => p.title));
  });

  it('signs "<t>.<raw body>" with the rule secret, so another secret, a changed body or an old timestamp fail', async () => {
    const now = new Date('2026-03-01T18:30:00Z');
    await deliver(webhook, sampleAlert(), { secret: SECRET, now: () => now });
    // The receiver refuses anything older than 60 s, so a delivery stamped in March is refused...
    expect(last().headers['x-vibecheck-signature']).toMatch(/^t=1772389800,/);
    const { headers, body } = last();
    const header = String(headers['x-vibecheck-signature']);
    const t = 1772389800;
    expect(verifySignature(SECRET, header, body, 300, t + 10)).toBe(true);
    expect(verifySignature('another-secret', header, body, 300, t + 10)).toBe(false);
    expect(verifySignature(SECRET, header, body.replace('Claude', 'Claudf'), 300, t + 10)).toBe(false);
    expect(verifySignature(SECRET, header, body, 300, t + 301)).toBe(false);
    expect(verifySignature(SECRET, 'v1=abc', body, 300, t)).toBe(false);
    expect(verifySignature(SECRET, undefined, body, 300, t)).toBe(false);
    // ...which the receiver reports as a permanent 401.
    const stale = failed(await deliver(webhook, sampleAlert(), { secret: SECRET, now: () => now }));
    expect(stale).toMatchObject({ retryable: false, status: 401, cause: 'HTTP 401: bad signature' });
  });

  it('sends the same delivery id on every retry of one alert', async () => {
    await deliver(webhook, sampleAlert(), { secret: SECRET });
    await deliver(webhook, sampleAlert(), { secret: SECRET });
    expect(upstream.requests.map((r) => r.headers['x-vibecheck-delivery'])).toEqual(['alert-7-spike-1042', 'alert-7-spike-1042']);
  });

  it('refuses to send unsigned when the rule has no secret', async () => {
    const outcome = failed(await deliver(webhook, sampleAlert(), {}));
    expect(outcome).toMatchObject({ retryable: false, cause: expect.stringMatching(/no signing secret/) });
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses an alert id that cannot be a header value, permanently', async () => {
    const outcome = failed(await deliver(webhook, sampleAlert({ id: 'alert 7\nX-Injected: 1' }), { secret: SECRET }));
    expect(outcome).toMatchObject({ retryable: false, cause: expect.stringMatching(/not a valid X-VibeCheck-Delivery/) });
    expect(upstream.requests).toHaveLength(0);
  });

  it('turns user:password@ into Basic authorization and never shows the password', async () => {
    const url = `${upstream.url.replace('http://', 'http://alice:pw-S3cretBasic@')}/basic/hook`;
    expect(await deliver(parseChannel(url), sampleAlert(), { secret: SECRET })).toEqual({ ok: true, status: 204 });
    expect(last().headers.authorization).toBe(`Basic ${Buffer.from('alice:pw-S3cretBasic').toString('base64')}`);
    expect(describeChannel(url)).not.toMatch(/S3cret|alice/);
  });
});

describe('Slack', () => {
  it('posts Block Kit (header, figures as fields, posts as links, a dashboard button) with a text fallback', async () => {
    const message = sampleAlert();
    expect(await deliver(slack, message, {})).toEqual({ ok: true, status: 200 });
    const body = SlackBody.parse(JSON.parse(last().body));
    expect(body.text).toContain('Claude Code: negative share rose');
    expect(JSON.parse(last().body).blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: message.headline, emoji: false },
    });
    const fields = body.blocks.find((b) => b.type === 'section' && 'fields' in b && b.fields);
    expect(fields).toMatchObject({
      fields: [{ text: expect.stringContaining('*Negative share*\n18% -&gt; 41%') }, { text: '*Mentions*\n412 (3.1x usual)' }],
    });
    const text = last().body;
    expect(text).toContain('<https://news.ycombinator.com/item?id=41234567&amp;p=2|Claude Code keeps hitting the usage limit>');
    expect(body.blocks.at(-2)).toMatchObject({ type: 'actions', elements: [{ type: 'button', url: message.dashboardUrl }] });
  });

  it('escapes post text so it can form no link, mention or special mention', async () => {
    await deliver(slack, sampleAlert(), {});
    const body = SlackBody.parse(JSON.parse(last().body));
    const all = JSON.stringify(body.blocks.filter((b) => b.type !== 'header'));
    expect(all).not.toMatch(/<@U123>|<!channel>|<https:\/\/evil|<script/);
    expect(all).toContain('&lt;@U123&gt;');
    expect(all).toContain('&lt;https://evil.example|totally safe&gt;');
    expect(all).toContain('@\u200beveryone');
    expect(all).not.toContain('javascript:');
  });

  it('truncates to Block Kit limits, so an oversized alert is still accepted', async () => {
    expect(await deliver(slack, hugeAlert(), {})).toEqual({ ok: true, status: 200 });
    const blocks = JSON.parse(last().body).blocks as Array<{
      type: string;
      text?: { text: string };
      fields?: unknown[];
      elements?: Array<{ text: string }>;
    }>;
    expect(blocks[0]!.text!.text.length).toBeGreaterThan(SLACK_LIMITS.headerText - 5);
    expect(blocks.find((b) => b.fields)?.fields).toHaveLength(SLACK_LIMITS.fields);
    expect(blocks.filter((b) => b.type === 'section' && b.text?.text.includes('https://example.com/p/'))).toHaveLength(SLACK_LIMITS.posts);
    expect(blocks.some((b) => b.type === 'context' && b.elements?.[0]?.text === 'and 50 more in the dashboard')).toBe(true);
  });
});

describe('Discord', () => {
  it('posts one embed (title, description with post links, fields, dashboard url) that can ping nobody', async () => {
    const message = sampleAlert();
    expect(await deliver(discord, message, {})).toEqual({ ok: true, status: 204 });
    const body = DiscordBody.parse(JSON.parse(last().body));
    const embed = body.embeds[0]!;
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(embed.title).toBe(message.headline);
    expect(embed.url).toBe(message.dashboardUrl);
    expect(embed.fields.map((f) => f.name)).toEqual(['Negative share', 'Mentions']);
    expect(embed.description).toContain('[Claude Code keeps hitting the usage limit](https://news.ycombinator.com/item?id=41234567&p=2)');
    expect(embed.description).toContain('(https://www.reddit.com/r/ClaudeAI/comments/abc/limits_%28again%29/)');
  });

  it('escapes markdown and mentions in post text', async () => {
    await deliver(discord, sampleAlert(), {});
    const description = DiscordBody.parse(JSON.parse(last().body)).embeds[0]!.description ?? '';
    expect(description).not.toMatch(/(?<!\\)<@U123>|(?<!\\)@everyone|(?<!\\)\[click\]\(https/);
    expect(description).toContain('\\<\\@U123\\>');
    expect(description).toContain('\\[click\\]\\(https\\:');
    expect(description).not.toContain('javascript:');
  });

  it('truncates to the embed limits (title 256, description 4096, 25 fields, 6000 in all)', async () => {
    expect(await deliver(discord, hugeAlert(), {})).toEqual({ ok: true, status: 204 });
    const embed = DiscordBody.parse(JSON.parse(last().body)).embeds[0]!;
    expect(embed.title.length).toBeGreaterThan(DISCORD_LIMITS.title - 5);
    expect(embed.fields).toHaveLength(DISCORD_LIMITS.fields);
    // What is cut is said, and the posts still get a fair share of the room.
    expect(embed.description).toMatch(/more posts in the dashboard$/);
    expect(embed.description!.length).toBeGreaterThan(1500);
  });
});

describe('failures', () => {
  const alert = sampleAlert();

  it('5xx is retryable', async () => {
    upstream.queue({ status: 503, body: 'upstream down' });
    expect(failed(await deliver(webhook, alert, { secret: SECRET }))).toEqual({
      ok: false,
      retryable: true,
      status: 503,
      cause: 'HTTP 503: upstream down',
    });
  });

  it('429 is retryable after Retry-After, in seconds or as an HTTP date', async () => {
    upstream.queue({ status: 429, headers: { 'retry-after': '7' }, body: '' });
    expect(failed(await deliver(slack, alert, {}))).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7000 });
    upstream.queue({ status: 429, headers: { 'retry-after': new Date(Date.now() + 120_000).toUTCString() }, body: '' });
    const dated = failed(await deliver(discord, alert, {}));
    expect(dated.retryAfterMs).toBeGreaterThan(110_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('other 4xx are permanent', async () => {
    upstream.queue({ status: 410, body: 'webhook deleted' });
    expect(failed(await deliver(slack, alert, {}))).toEqual({
      ok: false,
      retryable: false,
      status: 410,
      cause: 'HTTP 410: webhook deleted',
    });
  });

  it('a redirect is not followed and is permanent', async () => {
    upstream.queue({ status: 301, headers: { location: `${upstream.url}/elsewhere` } });
    expect(failed(await deliver(webhook, alert, { secret: SECRET }))).toMatchObject({ retryable: false, status: 301 });
    expect(upstream.requests.map((r) => r.path)).toEqual(['/hook']);
  });

  it('a receiver that never answers times out, retryably', async () => {
    upstream.queue({ status: 200, delayMs: 30_000 });
    const started = Date.now();
    const outcome = failed(await deliver(slack, alert, { timeoutMs: 300 }));
    expect(outcome).toEqual({ ok: false, retryable: true, cause: 'no answer within 0.3 s' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a cancelled attempt is retryable', async () => {
    upstream.queue({ status: 200, delayMs: 30_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(failed(await deliver(discord, alert, { signal: controller.signal }))).toMatchObject({
      retryable: true,
      cause: 'cancelled before the receiver answered',
    });
  });

  it('a refused connection is a retryable network error', async () => {
    const port = await getFreePort();
    expect(failed(await deliver(parseChannel(`http://127.0.0.1:${port}/hook`), alert, { secret: SECRET }))).toEqual({
      ok: false,
      retryable: true,
      cause: 'network error: ECONNREFUSED',
    });
    // No code to give: the innermost cause says what went wrong (fetch refuses the discard port), not "TypeError".
    expect(failed(await deliver(parseChannel('http://127.0.0.1:9/hook'), alert, { secret: SECRET }))).toMatchObject({
      cause: 'network error: bad port',
    });
  });

  it('no cause or description holds the token, even when the receiver echoes it', async () => {
    const channels: Channel[] = [
      { kind: 'slack', url: `${upstream.url}/wrong/${SLACK_TOKEN}` },
      { kind: 'discord', url: `${upstream.url}/wrong/${DISCORD_TOKEN}` },
      parseChannel(`${upstream.url}/wrong/${SECRET}-path`),
    ];
    for (const channel of channels) {
      const outcome = failed(await deliver(channel, alert, { secret: SECRET }));
      expect(outcome).toMatchObject({ retryable: false, status: 404 });
      expect(outcome.cause).toMatch(/^HTTP 404: no route for \/wrong\/…/);
      for (const secret of [SLACK_TOKEN, DISCORD_TOKEN, SECRET]) {
        expect(outcome.cause).not.toContain(secret);
        expect(describeChannel('url' in channel ? channel.url : '')).not.toContain(secret);
      }
    }
  });
});
