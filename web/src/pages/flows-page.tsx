import { useId, useState } from 'react';
import { api } from '../api/client.ts';
import type { FlowItem, FlowMatrix, FlowPostItem } from '../api/types.ts';
import { PostCard } from '../components/post-card.tsx';
import { RadioGroup } from '../components/radio-group.tsx';
import { ShowAllNote } from '../components/show-all-note.tsx';
import { SourceSelect } from '../components/source-select.tsx';
import { EmptyState, ErrorState, Skeleton, StaleMark } from '../components/states.tsx';
import { WindowPicker } from '../components/window-picker.tsx';
import { formatAspect, formatCount, formatSource } from '../lib/format.ts';
import { usePagedResource } from '../lib/use-paged-resource.ts';
import { useResource } from '../lib/use-resource.ts';
import { useUrlState } from '../lib/url-state.ts';
import { describeWindow, readTimeWindow } from '../lib/window.ts';

type Kind = FlowItem['kind'];
const KINDS: ReadonlyArray<{ value: Kind; label: string }> = [
  { value: 'switch', label: 'Switches' },
  { value: 'return', label: 'Returns' },
  { value: 'adds', label: 'Additions' },
];
/** The untracked or unnamed side of a flow: `none` in the URL and the API, null in the answer. */
const NONE = 'none';
const TOP_REASONS = 2;

type Tier = NonNullable<FlowMatrix['tier']>;
/** Which reader's flows are counted: both (the default, '' in the URL), the word rules, or the optional LLM tier. */
const TIERS: ReadonlyArray<{ value: Tier | ''; label: string }> = [
  { value: '', label: 'Both tiers' },
  { value: 'rules', label: 'Rules' },
  { value: 'llm', label: 'LLM tier' },
];

/** The tier filter from `tier`: '' (both) unless it names one. */
export function readTier(query: URLSearchParams): Tier | '' {
  return TIERS.find((t) => t.value !== '' && t.value === query.get('tier'))?.value ?? '';
}

/** A cell's most given reasons, in words ("Cost 3"). */
const topReasons = (item: FlowItem): string[] => item.reasons.slice(0, TOP_REASONS).map((r) => `${formatAspect(r.aspect)} ${r.n}`);

/**
 * A cell's figures in words (its button's label): the count, how many of them the LLM tier read
 * (`llm`, null when no filter could make that worth saying: none did, or one tier is asked for), and
 * the top reasons.
 */
export function describeCell(
  item: FlowItem,
  tier: Tier | '',
  [one, many]: readonly [string, string],
): { figures: string; llm: number | null } {
  const llm = tier === '' && item.llm > 0 ? item.llm : null;
  const reasons = topReasons(item);
  const figures = [
    `${formatCount(item.n)} ${item.n === 1 ? one : many}`,
    llm === null ? null : `${formatCount(llm)} read by the LLM tier`,
    reasons.length ? `reasons: ${reasons.join(', ')}` : null,
  ];
  return { figures: figures.filter(Boolean).join('; '), llm };
}

const SLUG = /^[a-z0-9][a-z0-9-]*$/;

/** The selected cell from `from_entity` and `to_entity` (a slug, or none for an untracked side), as the API names them; null when absent or malformed. */
export function readCell(query: URLSearchParams): { from: string; to: string } | null {
  const from = query.get('from_entity') ?? '';
  const to = query.get('to_entity') ?? '';
  return SLUG.test(from) && SLUG.test(to) ? { from, to } : null;
}

/** The matrix of one kind: row and column slugs (most active first, the untracked side last) and each cell's item. */
export function buildMatrix(
  items: FlowItem[],
  kind: Kind,
): { rows: string[]; cols: string[]; cell: (from: string, to: string) => FlowItem | undefined } {
  const ofKind = items.filter((i) => i.kind === kind);
  const volume = (key: (i: FlowItem) => string) => {
    const totals = new Map<string, number>();
    for (const i of ofKind) totals.set(key(i), (totals.get(key(i)) ?? 0) + i.n);
    return [...totals]
      .sort((a, b) => (a[0] === NONE ? 1 : b[0] === NONE ? -1 : b[1] - a[1] || a[0].localeCompare(b[0])))
      .map(([slug]) => slug);
  };
  const side = (slug: string | null) => slug ?? NONE;
  const byCell = new Map(ofKind.map((i) => [`${side(i.from)}~${side(i.to)}`, i]));
  return { rows: volume((i) => side(i.from)), cols: volume((i) => side(i.to)), cell: (from, to) => byCell.get(`${from}~${to}`) };
}

/** How many tracked rows and columns the matrix shows until the reader asks for all of them. */
const MATRIX_SIDES = 7;

/**
 * The sides of a matrix a page shows: the `limit` busiest tracked ones (in the order given), those
 * in `keep` (a selected cell's) wherever they rank, and the untracked side, last as given.
 */
export function busiestSides(sides: readonly string[], limit: number, keep: readonly string[] = []): string[] {
  const tracked = sides.filter((slug) => slug !== NONE);
  const shown = new Set([...tracked.slice(0, limit), ...keep.filter((slug) => tracked.includes(slug))]);
  return sides.filter((slug) => slug === NONE || shown.has(slug));
}

/** A pair's net in the direction most of its moves went, so the figure reads "X -> Y: +5". */
export function orientNet(p: FlowMatrix['net'][number]): {
  from: string;
  to: string;
  n: number;
  net: number;
  low: number | null;
  high: number | null;
  significant: boolean;
} {
  if (p.net >= 0) return { from: p.a, to: p.b, n: p.n, net: p.net, low: p.netLow, high: p.netHigh, significant: p.significant };
  return {
    from: p.b,
    to: p.a,
    n: p.n,
    net: -p.net,
    low: p.netHigh === null ? null : -p.netHigh,
    high: p.netLow === null ? null : -p.netLow,
    significant: p.significant,
  };
}

/** The line above a cell's post: the reason the author gave, and which reader found the move. */
export function describeFlowStatement(flow: Pick<FlowPostItem['flow'], 'reason' | 'tier'>): string {
  const reason = flow.reason ? `Reason: ${formatAspect(flow.reason)}` : 'No reason given';
  return flow.tier === 'llm' ? `${reason} · read by the LLM tier` : reason;
}

const VERB: Record<Kind, [string, string]> = {
  switch: ['switch', 'switches'],
  return: ['return', 'returns'],
  adds: ['addition', 'additions'],
};

export function FlowsPage() {
  const [query, setQuery] = useUrlState();
  const w = readTimeWindow(query);
  const source = query.get('source') ?? '';
  const kind = (KINDS.find((k) => k.value === query.get('kind'))?.value ?? 'switch') as Kind;
  const selected = readCell(query);
  const tier = readTier(query);
  const windowQuery = { from: w.api.from, to: w.api.to, tz: w.api.tz, source: source || undefined, tier: tier || undefined };
  const flows = useResource(`flows:${w.api.from}:${w.api.to}:${w.tz}:${source}:${tier}`, (signal) =>
    api.getFlows({ ...windowQuery, bucket: 'week' }, { signal }),
  );
  const entities = useResource('flows-entity-names', (signal) => api.listEntities({}, { signal }));
  const names = new Map(entities.data?.items.map((e) => [e.slug, e.name]) ?? []);
  const nameOf = (slug: string) => (slug === NONE ? 'Untracked or unnamed' : (names.get(slug) ?? slug));
  const period = describeWindow(w);

  return (
    <section aria-labelledby="flows-title">
      <div className="page-head">
        <h1 id="flows-title" tabIndex={-1}>
          Flows
        </h1>
        <p className="muted">
          Who says they moved from what to what, and why: switches, returns and tools added alongside, from the posts themselves.
        </p>
      </div>
      <WindowPicker window={w} onChange={(patch) => setQuery(patch)} bucket={false}>
        <SourceSelect value={source} onChange={(source) => setQuery({ source, from_entity: null, to_entity: null })} />
      </WindowPicker>
      <div className="toolbar">
        <RadioGroup
          label="Kind of flow"
          options={KINDS}
          value={kind}
          onChange={(k) => setQuery({ kind: k === 'switch' ? null : k, from_entity: null, to_entity: null })}
        />
        {(tier !== '' || flows.data?.items.some((i) => i.llm > 0)) && (
          <RadioGroup
            label="Read by"
            options={TIERS}
            value={tier}
            onChange={(t) => setQuery({ tier: t || null, from_entity: null, to_entity: null })}
          />
        )}
      </div>

      <div className="card">
        <h2>
          {period[0]!.toUpperCase() + period.slice(1)}
          {source ? `, ${formatSource(source)} only` : ''}
          {tier ? `, read by ${tier === 'llm' ? 'the LLM tier' : 'the rules'} only` : ''}
        </h2>
        {flows.error && <ErrorState error={flows.error} onRetry={flows.retry} what="the flows" />}
        {!flows.data && flows.loading && <Skeleton lines={4} label="Loading flows" />}
        {flows.data && (
          <StaleMark stale={flows.stale}>
            <FlowTable
              data={flows.data}
              kind={kind}
              tier={tier}
              selected={selected}
              nameOf={nameOf}
              loading={flows.loading}
              onSelect={(cell) => setQuery({ from_entity: cell.from, to_entity: cell.to })}
            />
          </StaleMark>
        )}
      </div>

      {flows.data && flows.data.net.length > 0 && (
        <div className="card">
          <h2>Net moves per pair</h2>
          <div className="table-wrap">
            <table className="flow-net">
              <caption className="small muted">
                Switches and returns between two tracked entities in this period, shown in the direction most moves went. Net: moves that
                way minus moves back; the range is the 95% Wilson interval of the share going that way, carried over to the net.
              </caption>
              <thead>
                <tr>
                  <th scope="col">Pair</th>
                  <th scope="col" className="num">
                    Moves
                  </th>
                  <th scope="col" className="num">
                    Net
                  </th>
                  <th scope="col" className="num">
                    95% range
                  </th>
                </tr>
              </thead>
              <tbody>
                {flows.data.net.map(orientNet).map((p) => (
                  <tr key={`${p.from}~${p.to}`} data-pair={`${p.from}~${p.to}`}>
                    <th scope="row">
                      {nameOf(p.from)} → {nameOf(p.to)}
                    </th>
                    <td className="num">{formatCount(p.n)}</td>
                    <td className="num">
                      <span className="flow-net-value">{p.net > 0 ? `+${p.net}` : p.net}</span>
                      {p.significant ? '' : <span className="muted small"> (within noise)</span>}
                    </td>
                    <td className="num">{p.low === null || p.high === null ? '–' : `${p.low.toFixed(1)} to ${p.high.toFixed(1)}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}

      {selected && (
        <CellPosts
          key={`${selected.from}~${selected.to}~${kind}:${w.api.from}:${w.api.to}:${source}:${tier}`}
          query={{ ...windowQuery, from_entity: selected.from, to_entity: selected.to, kind }}
          title={`${nameOf(selected.from)} → ${nameOf(selected.to)}`}
          kind={kind}
        />
      )}
    </section>
  );
}

function FlowTable({
  data,
  kind,
  tier,
  selected,
  nameOf,
  loading,
  onSelect,
}: {
  data: FlowMatrix;
  kind: Kind;
  tier: Tier | '';
  selected: { from: string; to: string } | null;
  nameOf: (slug: string) => string;
  loading: boolean;
  onSelect: (cell: { from: string; to: string }) => void;
}) {
  const [showAll, setShowAll] = useState(false);
  const captionId = useId();
  const matrix = buildMatrix(data.items, kind);
  if (matrix.rows.length === 0) {
    return (
      <EmptyState title={`No ${VERB[kind][1]} in this period.`}>
        <p className="muted">Flows appear when posts say they moved: “switched from X to Y”, “cancelled X”, “went back to X”.</p>
      </EmptyState>
    );
  }
  const many = VERB[kind][1];
  const rows = showAll ? matrix.rows : busiestSides(matrix.rows, MATRIX_SIDES, selected ? [selected.from] : []);
  const cols = showAll ? matrix.cols : busiestSides(matrix.cols, MATRIX_SIDES, selected ? [selected.to] : []);
  const cut = rows.length < matrix.rows.length || cols.length < matrix.cols.length;
  const [shownRows, shownCols] = [new Set(rows), new Set(cols)];
  const movesLeftOut = data.items
    .filter((i) => i.kind === kind && !(shownRows.has(i.from ?? NONE) && shownCols.has(i.to ?? NONE)))
    .reduce((sum, i) => sum + i.n, 0);
  return (
    <>
      {/* Outside the sideways-scrolling wrapper (a caption is as wide as the table, so a narrow screen cut it off). */}
      <p className="small muted" id={captionId}>
        Rows: what people left (or kept, for additions); columns: what they moved to. Each cell: how many {many}, and the reasons most
        given. Choose a cell to read its posts.
      </p>
      <div className={`table-wrap${loading ? ' reloading' : ''}`} aria-busy={loading}>
        <table
          className="flow-matrix"
          aria-label={`${many[0]!.toUpperCase()}${many.slice(1)} from one entity to another`}
          aria-describedby={captionId}
        >
          <thead>
            <tr>
              <th scope="col">From ↓ · To →</th>
              {cols.map((to) => (
                <th key={to} scope="col" data-to={to}>
                  {nameOf(to)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((from) => (
              <tr key={from} data-from={from}>
                <th scope="row">{nameOf(from)}</th>
                {cols.map((to) => {
                  const item = matrix.cell(from, to);
                  if (!item) {
                    return (
                      <td key={to} className="num muted" aria-label={`${nameOf(from)} to ${nameOf(to)}: none`}>
                        ·
                      </td>
                    );
                  }
                  const reasons = topReasons(item);
                  const current = selected?.from === from && selected.to === to;
                  const { figures, llm } = describeCell(item, tier, VERB[kind]);
                  return (
                    <td key={to} className="num" data-cell={`${from}~${to}`}>
                      <button
                        type="button"
                        className="flow-cell"
                        aria-pressed={current}
                        aria-label={`${nameOf(from)} to ${nameOf(to)}: ${figures}`}
                        onClick={() => onSelect({ from, to })}
                      >
                        <strong className="flow-n">{formatCount(item.n)}</strong>
                        {llm !== null && <span className="small muted flow-llm"> (LLM {formatCount(llm)})</span>}
                        {reasons.length > 0 && (
                          <span className="small muted flow-reasons">
                            {reasons.map((reason) => (
                              <span key={reason}>{reason}</span>
                            ))}
                          </span>
                        )}
                      </button>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {(cut || showAll) && (
        <ShowAllNote
          className="flow-matrix-cut"
          showingAll={!cut}
          cutText={`The ${rows.length} of ${matrix.rows.length} origins and ${cols.length} of ${matrix.cols.length} destinations with the most ${many}; ${formatCount(movesLeftOut)} ${many} are in the rest.`}
          allText={`All ${matrix.rows.length} origins and ${matrix.cols.length} destinations.`}
          backLabel="Show the busiest only"
          onToggle={() => setShowAll(!showAll)}
        />
      )}
    </>
  );
}

type CellQuery = {
  from: string;
  to: string;
  tz: string | undefined;
  source: string | undefined;
  tier: Tier | undefined;
  from_entity: string;
  to_entity: string;
  kind: Kind;
};

/** The posts behind one cell, newest first, a page at a time; each card highlights the statement. */
function CellPosts({ query, title, kind }: { query: CellQuery; title: string; kind: Kind }) {
  const posts = usePagedResource(`flow-posts:${JSON.stringify(query)}`, (cursor, signal) =>
    api.getFlowPosts({ ...query, limit: 20, cursor: cursor ?? undefined }, { signal }),
  );
  const { items } = posts;
  return (
    <section className="card" aria-labelledby="flow-posts-title">
      <h2 id="flow-posts-title" tabIndex={-1}>
        Posts: {title} <span className="muted small">({VERB[kind][1]})</span>
      </h2>
      {posts.error && <ErrorState error={posts.error} onRetry={posts.retry} what="the posts" />}
      {!posts.data && !posts.error && <Skeleton lines={6} height="1.4rem" label="Loading posts" />}
      {posts.data && items.length === 0 && <EmptyState title="No posts in this cell for this period." />}
      {items.length > 0 && (
        <ol className="post-list flow-posts" aria-busy={posts.loading}>
          {items.map((post) => (
            <li key={`${post.source}:${post.externalId}`} data-external-id={post.externalId}>
              <p className="small muted flow-statement">{describeFlowStatement(post.flow)}</p>
              <PostCard post={post} onAspect={() => undefined} />
            </li>
          ))}
        </ol>
      )}
      {posts.moreError && <ErrorState error={posts.moreError} onRetry={posts.loadMore} what="more posts" reloads={false} />}
      {posts.hasMore && (
        <button type="button" className="load-more" onClick={posts.loadMore} disabled={posts.loadingMore}>
          {posts.loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
