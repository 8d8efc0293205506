// @vitest-environment jsdom
import { QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connection } from '../lib/connection.ts';
import { createQueryClient } from '../lib/query-client.ts';
import { EntityPage } from './entity-page.tsx';

vi.hoisted(() => {
  // uPlot (the chart) reads the pixel ratio through matchMedia as it loads; jsdom has none.
  window.matchMedia ??= (media: string) =>
    ({ matches: false, media, addEventListener: () => {}, removeEventListener: () => {} }) as unknown as MediaQueryList;
});

/** What the API answers a first view of /entity/cursor, in the shapes the sections read: no series points (so the empty chart asks for the sources too). */
const figures = (n: number, score: number) => ({ n, score, change: null, significant: false });
const ANSWERS: Record<string, unknown> = {
  '/api/v1/entities/cursor': { slug: 'cursor', name: 'Cursor', kind: 'tool', parent: null, aliases: [], summary: { shareOfVoice: 0.25 } },
  '/api/v1/entities/cursor/sentiment': { series: [], events: [] },
  '/api/v1/entities/cursor/aspects': { items: [] },
  '/api/v1/entities/cursor/breakdown': {
    total: figures(5, 0.2),
    items: [
      { key: 'hn', ...figures(3, 0.3) },
      { key: 'reddit', ...figures(2, 0.05) },
    ],
  },
  '/api/v1/entities/cursor/posts': { items: [], nextCursor: null },
  '/api/v1/sources': { collection: false, items: [] },
};

let requests: string[];

beforeEach(() => {
  requests = [];
  window.history.replaceState(null, '', '/entity/cursor?range=30d');
  vi.stubGlobal('fetch', async (input: string) => {
    const path = new URL(input, 'http://dashboard.test').pathname;
    requests.push(path);
    const body = ANSWERS[path];
    return body === undefined
      ? new Response('{"error":{"code":"not_found","message":"no such route"}}', { status: 404 })
      : new Response(JSON.stringify(body), { status: 200 });
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  connection.markReachable();
});

const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));

describe('EntityPage split into sections', () => {
  it('makes one request per resource on a first view, six in all, though several sections share the entity, the breakdown and the sources', async () => {
    render(
      <QueryClientProvider client={createQueryClient()}>
        <EntityPage slug="cursor" dark={false} />
      </QueryClientProvider>,
    );
    for (let i = 0; i < 20 && !document.querySelector('.source-table'); i++) await settle();
    await settle();
    expect([...requests].sort()).toEqual(Object.keys(ANSWERS).sort());
    // The header, the window total and the by-source rows read the one breakdown answer.
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Cursor');
    expect(document.querySelector('.window-total')?.textContent).toMatch(/^5 mentions from /);
    const rows = [...document.querySelectorAll('.source-table tbody td.num:first-of-type')].map((cell) => cell.textContent);
    expect(rows).toEqual(['3', '2']);
    expect(screen.getByText('Mentions (30 days)').nextElementSibling?.textContent).toBe('5');
  });

  it('comes back from another page with its figures on the first render and no request', async () => {
    const client = createQueryClient();
    const page = (
      <QueryClientProvider client={client}>
        <EntityPage slug="cursor" dark={false} />
      </QueryClientProvider>
    );
    render(page);
    for (let i = 0; i < 20 && !document.querySelector('.source-table'); i++) await settle();
    cleanup();
    const before = requests.length;

    render(page);
    expect(document.querySelector('.window-total')?.textContent).toMatch(/^5 mentions from /);
    expect(document.querySelectorAll('.source-table tbody tr')).toHaveLength(2);
    await settle();
    expect(requests).toHaveLength(before);
  });
});
