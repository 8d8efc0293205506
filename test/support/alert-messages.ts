import type { AlertMessage, AlertPost } from '../../src/alerts/message.ts';

/** Post text written to break out of every format alerts are rendered in. */
export const HOSTILE = {
  title: 'Ignore this <script>alert(1)</script> & <@U123> <!channel> @everyone [click](https://evil.example/x)',
  excerpt:
    'ping <@U123> and @everyone and @here; <https://evil.example|totally safe> `code` **bold** </li></ul><img src=x onerror=alert(2)>',
  url: 'javascript:alert(3)',
} as const;

export function samplePost(overrides: Partial<AlertPost> = {}): AlertPost {
  return {
    title: 'Claude Code keeps hitting the usage limit',
    url: 'https://news.ycombinator.com/item?id=41234567&p=2',
    source: 'hn',
    createdAt: '2026-03-01T12:00:00Z',
    excerpt: 'Since Tuesday every session stops after twenty minutes.',
    label: 'negative',
    ...overrides,
  };
}

/** An ordinary alert with one hostile post among normal ones. */
export function sampleAlert(overrides: Partial<AlertMessage> = {}): AlertMessage {
  return {
    id: 'alert-7-spike-1042',
    rule: { id: 7, kind: 'spike', name: 'Claude Code negativity' },
    entity: { slug: 'claude-code', name: 'Claude Code' },
    headline: 'Claude Code: negative share rose from 18% to 41% today',
    summary: 'Most of the change comes from posts about usage limits on hn and reddit.',
    figures: [
      { label: 'Negative share', value: '18% -> 41%', detail: '95% interval of the change +17 to +29 points, n = 412' },
      { label: 'Mentions', value: '412 (3.1x usual)' },
    ],
    posts: [
      samplePost(),
      samplePost({ title: HOSTILE.title, excerpt: HOSTILE.excerpt, url: HOSTILE.url, source: 'reddit', label: undefined }),
      samplePost({ title: 'Limits (again)', url: 'https://www.reddit.com/r/ClaudeAI/comments/abc/limits_(again)/', source: 'reddit' }),
    ],
    dashboardUrl: 'http://127.0.0.1:8080/entities/claude-code?from=2026-03-01&to=2026-03-02',
    firedAt: '2026-03-01T18:30:00.000Z',
    ...overrides,
  };
}

/** An alert far over every channel's size limits. */
export function hugeAlert(): AlertMessage {
  const long = (seed: string, n: number) => `${seed} `.repeat(Math.ceil(n / (seed.length + 1))).slice(0, n);
  return sampleAlert({
    headline: long('Headline & <b>', 900),
    summary: long('summary <@U1> & more', 9000),
    figures: Array.from({ length: 40 }, (_, i) => ({
      label: long(`figure ${i}`, 400),
      value: long('v&<>', 3000),
      detail: long('d', 3000),
    })),
    posts: Array.from({ length: 60 }, (_, i) =>
      samplePost({
        title: long(`post ${i} <x>`, 500),
        excerpt: long('excerpt & <y>', 3000),
        url: `https://example.com/p/${i}?q=${'z'.repeat(100)}`,
      }),
    ),
  });
}
