import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api } from '../api/client.ts';
import type { Compare, EntityEvent, SeriesPoint } from '../api/types.ts';
import { formatCount, formatDate, formatScore } from '../lib/format.ts';
import { EventMarkers, EventPanel } from './chart-events.tsx';
import {
  axisValues,
  bucketEnd,
  clampTo,
  describeBuckets,
  layoutMarkers,
  NEUTRAL_BAND,
  offScale,
  scoreAxisRange,
  splitDamped,
  type BucketSize,
  type MarkerGroup,
} from './chart-model.ts';
import { BucketTooltip, ChartTable, ScoreLegend, type LineView } from './chart-parts.tsx';

/** Reads a colour from the stylesheet so charts follow the light or dark theme. */
export function readCssColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** Okabe–Ito colours: told apart with every common colour-vision deficiency. */
export const SERIES_COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00'];

interface ChartProps {
  /** Builds the options for the container's width; called again when the theme or width changes. */
  makeOptions: (width: number) => uPlot.Options;
  data: uPlot.AlignedData;
  label: string;
  className?: string;
  /** Anything that should rebuild the chart (theme, series set). */
  rebuildKey: string;
}

/** A uPlot chart that fills its container's width and is rebuilt when `rebuildKey` changes. */
export function UPlotChart({ makeOptions, data, label, className, rebuildKey }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const makeRef = useRef(makeOptions);
  makeRef.current = makeOptions;
  const dataRef = useRef(data);
  dataRef.current = data;

  useEffect(() => mountPlot(host.current, (width) => makeRef.current(width), dataRef.current, plot), [rebuildKey]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div ref={host} className={className ?? 'chart'} role="img" aria-label={label} />;
}

/** Creates a uPlot in `element` at its width, follows width changes, and returns the cleanup. */
function mountPlot(
  element: HTMLElement | null,
  makeOptions: (width: number) => uPlot.Options,
  data: uPlot.AlignedData,
  plot: { current: uPlot | null },
): (() => void) | undefined {
  if (!element) return undefined;
  const width = Math.max(element.clientWidth, 200);
  plot.current = new uPlot(makeOptions(width), data, element);
  let lastWidth = width;
  const observer =
    typeof ResizeObserver === 'function'
      ? new ResizeObserver(() => {
          const next = Math.max(element.clientWidth, 200);
          if (plot.current && Math.abs(next - lastWidth) > 2) {
            lastWidth = next;
            plot.current.setSize({ width: next, height: plot.current.height });
          }
        })
      : null;
  observer?.observe(element);
  return () => {
    observer?.disconnect();
    plot.current?.destroy();
    plot.current = null;
  };
}

const toSeconds = (iso: string | Date): number => Math.floor(new Date(iso).getTime() / 1000);

const axisStyle = () => {
  const text = readCssColor('--muted', '#667');
  const grid = readCssColor('--grid', '#8882');
  return { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
};

/** Everything a score chart draws, computed once per answer. */
interface ScoreModel {
  lines: LineView[];
  bucket: BucketSize;
  /** The zone the buckets were cut in: dates and axis ticks are read in it. */
  tz: string;
  /** Seconds: bucket midpoints (where points sit), starts and ends (for shading a bucket's span). */
  mids: number[];
  starts: number[];
  ends: number[];
  range: [number, number];
  volume: number[] | null;
  split: ReturnType<typeof splitDamped>[];
}

function buildModel(lines: LineView[], starts: Date[], bucket: BucketSize, tz: string, volume: number[] | null): ScoreModel {
  const ends = starts.map((start, i) => bucketEnd(start, bucket, starts[i + 1]));
  const startSec = starts.map(toSeconds);
  const endSec = ends.map(toSeconds);
  const split = lines.map((line) => {
    const byIndex = new Map(line.buckets.map((b) => [b.index, b]));
    return splitDamped(starts.map((_, i) => byIndex.get(i) ?? { n: 0, score: null }));
  });
  // The interval is drawn only under a single line, so only then does it claim axis room.
  const range = scoreAxisRange(lines.flatMap((line) => axisValues(line.buckets, lines.length === 1)));
  return {
    lines,
    bucket,
    tz,
    starts: startSec,
    ends: endSec,
    mids: startSec.map((s, i) => (s + (endSec[i] ?? s)) / 2),
    range,
    volume,
    // A low-sample mean beyond the axis is drawn on its edge (drawOffScale adds the arrow).
    split: split.map((parts) => ({ ...parts, damped: parts.damped.map((v) => clampTo(v, range)) })),
  };
}

interface ChartColors {
  positive: string;
  negative: string;
  neutral: string;
  zero: string;
  damped: string;
  band: string;
  partial: string;
  marker: string;
}

const readChartColors = (): ChartColors => ({
  positive: readCssColor('--chart-positive-bg', '#2563eb14'),
  negative: readCssColor('--chart-negative-bg', '#d5600014'),
  neutral: readCssColor('--chart-neutral-bg', '#8881'),
  zero: readCssColor('--chart-zero', '#5b6270'),
  damped: readCssColor('--chart-damped', '#8a919e'),
  band: readCssColor('--chart-band', '#2563eb33'),
  partial: readCssColor('--chart-partial', '#8884'),
  marker: readCssColor('--muted', '#667'),
});

/**
 * Behind the series: tinted positive and negative halves with the neutral strip between, hatched
 * partial buckets, the interval (an area over runs of well-sampled buckets, a whisker where a bucket
 * is low-sample or alone, nothing where n < 2), all clipped to the axis, then the 0 line on top.
 */
function drawBackdrop(u: uPlot, model: ScoreModel, colors: ChartColors, showBand: boolean): void {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const y = (v: number) => u.valToPos(v, 'score', true);
  const x = (v: number) => u.valToPos(v, 'x', true);
  const px = devicePixelRatio;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();

  const [low, high] = model.range;
  const bandTop = y(Math.min(high, NEUTRAL_BAND));
  const bandBottom = y(Math.max(low, -NEUTRAL_BAND));
  ctx.fillStyle = colors.positive;
  ctx.fillRect(left, top, width, bandTop - top);
  ctx.fillStyle = colors.negative;
  ctx.fillRect(left, bandBottom, width, top + height - bandBottom);
  ctx.fillStyle = colors.neutral;
  ctx.fillRect(left, bandTop, width, bandBottom - bandTop);

  // Partial buckets: diagonal hatching over the bucket's whole span.
  const first = model.lines[0];
  if (first) {
    ctx.strokeStyle = colors.partial;
    ctx.lineWidth = px;
    for (const b of first.buckets) {
      if (!b.incomplete) continue;
      const x0 = x(model.starts[b.index] ?? 0);
      const x1 = x(model.ends[b.index] ?? 0);
      ctx.save();
      ctx.beginPath();
      ctx.rect(x0, top, x1 - x0, height);
      ctx.clip();
      ctx.beginPath();
      for (let d = x0 - height; d < x1; d += 6 * px) {
        ctx.moveTo(d, top + height);
        ctx.lineTo(d + height, top);
      }
      ctx.stroke();
      ctx.restore();
    }
  }

  if (showBand && first) {
    const range = model.range;
    const byIndex = new Map(first.buckets.map((b) => [b.index, b]));
    const strong = (i: number) => {
      const b = byIndex.get(i);
      return b && !b.lowSample && b.scoreLow !== null && b.scoreHigh !== null ? b : null;
    };
    // Areas over runs of two or more neighbouring well-sampled buckets.
    ctx.fillStyle = colors.band;
    for (let i = 0; i < model.mids.length; i++) {
      if (!strong(i) || !strong(i + 1)) continue;
      let j = i;
      while (strong(j + 1)) j++;
      ctx.beginPath();
      for (let k = i; k <= j; k++) ctx.lineTo(x(model.mids[k] ?? 0), y(clampTo(strong(k)!.scoreHigh, range)!));
      for (let k = j; k >= i; k--) ctx.lineTo(x(model.mids[k] ?? 0), y(clampTo(strong(k)!.scoreLow, range)!));
      ctx.closePath();
      ctx.fill();
      i = j;
    }
    // Whiskers where an area would be invented: a low-sample bucket, or a well-sampled one alone.
    for (const b of first.buckets) {
      if (b.scoreLow === null || b.scoreHigh === null) continue;
      const alone = !b.lowSample && !strong(b.index - 1) && !strong(b.index + 1);
      if (!b.lowSample && !alone) continue;
      const cx = x(model.mids[b.index] ?? 0);
      const y0 = y(clampTo(b.scoreLow, range)!);
      const y1 = y(clampTo(b.scoreHigh, range)!);
      ctx.strokeStyle = b.lowSample ? colors.damped : colors.band;
      ctx.lineWidth = (b.lowSample ? 1 : 3) * px;
      ctx.beginPath();
      ctx.moveTo(cx, y0);
      ctx.lineTo(cx, y1);
      ctx.moveTo(cx - 3 * px, y0);
      ctx.lineTo(cx + 3 * px, y0);
      ctx.moveTo(cx - 3 * px, y1);
      ctx.lineTo(cx + 3 * px, y1);
      ctx.stroke();
    }
  }

  if (low <= 0 && high >= 0) {
    ctx.strokeStyle = colors.zero;
    ctx.lineWidth = 1.5 * px;
    ctx.beginPath();
    ctx.moveTo(left, Math.round(y(0)));
    ctx.lineTo(left + width, Math.round(y(0)));
    ctx.stroke();
  }
  ctx.restore();
}

/** A dashed vertical line under every marker group, so a marker points at its moment. */
function drawMarkerLines(u: uPlot, groups: readonly MarkerGroup[], color: string): void {
  const { ctx } = u;
  const px = devicePixelRatio;
  const { left, top, height } = u.bbox;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = px;
  ctx.setLineDash([3 * px, 3 * px]);
  for (const group of groups) {
    const gx = left + group.x * px;
    ctx.beginPath();
    ctx.moveTo(gx, top);
    ctx.lineTo(gx, top + height);
    ctx.stroke();
  }
  ctx.restore();
}

/** A small outward arrow on the axis edge where a low-sample mean lies beyond it. */
function drawOffScale(u: uPlot, model: ScoreModel, colors: (line: LineView) => string): void {
  const { ctx } = u;
  const px = devicePixelRatio;
  ctx.save();
  for (const line of model.lines) {
    ctx.fillStyle = colors(line);
    for (const b of line.buckets) {
      const side = offScale(b.score, model.range);
      if (!side) continue;
      const x = u.valToPos(model.mids[b.index] ?? 0, 'x', true);
      const edge = u.valToPos(side === 'above' ? model.range[1] : model.range[0], 'score', true);
      const tip = side === 'above' ? edge - 7 * px : edge + 7 * px;
      const base = side === 'above' ? edge - 1 * px : edge + 1 * px;
      ctx.beginPath();
      ctx.moveTo(x, tip);
      ctx.lineTo(x - 4 * px, base);
      ctx.lineTo(x + 4 * px, base);
      ctx.closePath();
      ctx.fill();
    }
  }
  ctx.restore();
}

interface Overlay {
  /** The plot area relative to the chart frame, CSS pixels. */
  left: number;
  top: number;
  width: number;
  groups: MarkerGroup[];
}

interface Hover {
  index: number;
  /** Cursor x within the plot area, CSS pixels. */
  x: number;
}

/**
 * Where the tooltip goes: beside the cursor on the side with more room; on a narrow plot, against the
 * far edge (so it fits a phone screen and never covers the hovered point).
 */
function placeTooltip(overlay: Overlay, x: number): { left: number; flip: boolean } {
  const rightHalf = x > overlay.width / 2;
  if (overlay.width >= 480) return { left: overlay.left + x, flip: rightHalf };
  return rightHalf ? { left: overlay.left - 8, flip: false } : { left: overlay.left + overlay.width + 8, flip: true };
}

const sameOverlay = (a: Overlay | null, b: Overlay) =>
  a !== null &&
  a.left === b.left &&
  a.top === b.top &&
  a.width === b.width &&
  a.groups.length === b.groups.length &&
  a.groups.every((g, i) => g.x === b.groups[i]?.x && g.events.length === b.groups[i]?.events.length);

/**
 * The score chart behind the entity and compare pages: an axis fitted to the data with 0 marked,
 * damped low-sample buckets, hatched partial buckets, a tooltip on hover or arrow keys, event markers
 * that never overlap, and the same numbers as a table.
 */
function ScoreChart({
  model,
  events,
  dark,
  height,
  label,
  names,
}: {
  model: ScoreModel;
  events: readonly EntityEvent[];
  dark: boolean;
  height: number;
  label: string;
  names?: ReadonlyMap<string, string>;
}) {
  const frame = useRef<HTMLDivElement>(null);
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [overlay, setOverlay] = useState<Overlay | null>(null);
  const [hover, setHover] = useState<Hover | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const single = model.lines.length === 1;

  useEffect(() => setSelected(null), [model, events]);

  useEffect(() => {
    const colors = readChartColors();
    const axis = axisStyle();
    const line = readCssColor('--accent', '#2563eb');
    const volumeColor = readCssColor('--volume', '#94a3b855');
    const data: uPlot.AlignedData = [
      model.mids,
      ...(model.volume ? [model.volume] : []),
      ...model.split.flatMap((s) => [s.solid, s.damped]),
    ];
    const lineSeries = model.lines.flatMap((l, i): uPlot.Series[] => {
      const color = single ? line : l.color;
      const split = model.split[i]!;
      return [
        {
          label: l.label,
          scale: 'score',
          stroke: color,
          width: 2,
          points: { show: true, size: 5, fill: color, filter: split.solidPoints },
        },
        {
          label: `${l.label} (few mentions)`,
          scale: 'score',
          stroke: single ? colors.damped : color,
          width: 1,
          dash: [4, 4],
          alpha: single ? 1 : 0.7,
          points: { show: true, size: 5, stroke: colors.damped, fill: 'transparent', width: 1.5, filter: split.dampedPoints },
        },
      ];
    });
    const makeOptions = (width: number): uPlot.Options => {
      const narrow = width < 520;
      return {
        width,
        height,
        padding: [events.length > 0 ? 26 : 10, model.volume ? 4 : 12, 0, 0],
        legend: { show: false },
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), model.tz),
        cursor: { points: { size: 7 }, drag: { x: false, y: false } },
        scales: {
          x: { time: true, range: () => [model.starts[0] ?? 0, model.ends[model.ends.length - 1] ?? 1] },
          score: { range: () => model.range },
          ...(model.volume
            ? { n: { range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, Math.max(1, max) * 3] } }
            : {}),
        },
        axes: [
          { ...axis },
          {
            ...axis,
            scale: 'score',
            ...(narrow ? {} : { label: 'Sentiment score' }),
            values: (_u, ticks) => ticks.map((t) => formatScore(t, 2)),
            size: 54,
          },
          ...(model.volume
            ? [
                {
                  ...axis,
                  scale: 'n',
                  side: 1 as const,
                  grid: { show: false },
                  ...(narrow ? {} : { label: 'Mentions' }),
                  values: (_u: uPlot, ticks: number[]) => ticks.map((t) => formatCount(t)),
                  size: 40,
                },
              ]
            : []),
        ],
        series: [
          {},
          ...(model.volume
            ? [
                {
                  label: 'Mentions',
                  scale: 'n',
                  fill: volumeColor,
                  stroke: volumeColor,
                  width: 0,
                  paths: uPlot.paths.bars!({ size: [0.7, 40] }),
                  points: { show: false },
                },
              ]
            : []),
          ...lineSeries,
        ],
        hooks: {
          drawClear: [(u) => drawBackdrop(u, model, colors, single)],
          draw: [
            (u) => {
              drawOffScale(u, model, (l) => (single ? colors.damped : l.color));
              const plotWidth = u.bbox.width / devicePixelRatio;
              const groups = layoutMarkers(events, (e) => u.valToPos(toSeconds(e.occurredAt), 'x'), plotWidth);
              drawMarkerLines(u, groups, colors.marker);
              const outer = frame.current?.getBoundingClientRect();
              const over = u.over.getBoundingClientRect();
              const next: Overlay = {
                left: outer ? over.left - outer.left : 0,
                top: outer ? over.top - outer.top : 0,
                width: plotWidth,
                groups,
              };
              setOverlay((prev) => (sameOverlay(prev, next) ? prev : next));
            },
          ],
          setCursor: [
            (u) => {
              const { idx, left } = u.cursor;
              const next =
                idx === null || idx === undefined || left === undefined || left < 0
                  ? null
                  : { index: idx, x: u.valToPos(model.mids[idx] ?? 0, 'x') };
              setHover((prev) => (prev && next && prev.index === next.index && prev.x === next.x ? prev : next));
            },
          ],
        },
      };
    };
    return mountPlot(host.current, makeOptions, data, plot);
  }, [model, events, dark, height, single]);

  /** Arrow keys walk the buckets (Home / End jump), Escape hides the tooltip. */
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const u = plot.current;
    if (!u) return;
    const last = model.mids.length - 1;
    const current = hover?.index ?? -1;
    let next: number | null = null;
    if (event.key === 'ArrowRight') next = Math.min(last, current + 1);
    else if (event.key === 'ArrowLeft') next = current < 0 ? last : Math.max(0, current - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = last;
    else if (event.key === 'Escape') {
      u.setCursor({ left: -10, top: -10 });
      return;
    }
    if (next === null) return;
    event.preventDefault();
    u.setCursor({ left: u.valToPos(model.mids[next] ?? 0, 'x'), top: u.bbox.height / devicePixelRatio / 2 });
  };

  const damped = model.lines[0]?.buckets.filter((b) => b.lowSample).map((b) => b.index) ?? [];
  const incomplete = model.lines[0]?.buckets.filter((b) => b.incomplete).map((b) => `${b.index}:${b.incomplete}`) ?? [];
  const selectedGroup = selected === null ? undefined : overlay?.groups[selected];
  return (
    <div className="score-chart">
      <div
        ref={frame}
        className="chart-frame"
        tabIndex={0}
        role="group"
        aria-label={`${label}. Arrow keys read one bucket at a time.`}
        onKeyDown={onKeyDown}
        onBlur={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) plot.current?.setCursor({ left: -10, top: -10 });
        }}
        data-y-range={model.range.join(',')}
        data-damped={damped.join(',')}
        data-incomplete={incomplete.join(',')}
      >
        <div ref={host} className="chart" />
        {overlay && overlay.groups.length > 0 && (
          <EventMarkers
            groups={overlay.groups}
            top={overlay.top - 24}
            left={overlay.left}
            width={overlay.width}
            selected={selected}
            onSelect={setSelected}
            names={names}
          />
        )}
        {overlay && hover && (
          <BucketTooltip
            lines={model.lines}
            index={hover.index}
            bucket={model.bucket}
            tz={model.tz}
            top={overlay.top + 6}
            {...placeTooltip(overlay, hover.x)}
          />
        )}
      </div>
      {selectedGroup && <EventPanel group={selectedGroup} onClose={() => setSelected(null)} names={names} />}
      <ScoreLegend volume={model.volume !== null} band={single} events={events.length > 0} />
      <ChartTable lines={model.lines} bucket={model.bucket} tz={model.tz} caption={label} />
    </div>
  );
}

/** The bucket size a series was asked for; inferred from its spacing when the caller does not say. */
function inferBucket(series: readonly { bucketStart: string }[]): BucketSize {
  const a = series[0];
  const b = series[1];
  if (!a || !b) return 'day';
  const gap = Date.parse(b.bucketStart) - Date.parse(a.bucketStart);
  return gap <= 3_600_000 ? 'hour' : gap <= 86_400_000 * 1.5 ? 'day' : gap <= 86_400_000 * 8 ? 'week' : 'month';
}

/** The window a series answers: from, to and bucket, as the series endpoints return them. */
export interface ChartWindow {
  from: string;
  to: string;
  bucket: BucketSize;
  /** IANA zone the buckets were cut in (the answer's `tz`); UTC when left out. */
  tz?: string;
}

/**
 * One entity's sentiment with its 95% interval (left axis) over mention volume (right axis), plus event
 * markers. `window` is the series answer's from/to/bucket; without it the first and last bucket bounds are used.
 */
export function SentimentChart({
  series,
  events,
  dark,
  height = 300,
  window,
  name,
}: {
  series: SeriesPoint[];
  events: EntityEvent[];
  dark: boolean;
  height?: number;
  window?: ChartWindow;
  name?: string;
}) {
  const model = useMemo(() => {
    const bucket = window?.bucket ?? inferBucket(series);
    const starts = series.map((p) => new Date(p.bucketStart));
    const last = starts[starts.length - 1];
    const bounds = window ?? {
      from: series[0]?.bucketStart ?? new Date(0).toISOString(),
      to: last ? bucketEnd(last, bucket).toISOString() : new Date(0).toISOString(),
      bucket,
    };
    const line: LineView = { key: 'score', label: name ?? 'Sentiment', color: '', buckets: describeBuckets(series, { ...bounds, bucket }) };
    return buildModel(
      [line],
      starts,
      bucket,
      window?.tz ?? 'UTC',
      series.map((p) => p.n),
    );
  }, [series, window, name]);
  return (
    <ScoreChart
      model={model}
      events={events}
      dark={dark}
      height={height}
      label={`${name ? `${name}: ` : ''}mean sentiment per ${model.bucket} with its 95% interval and mention volume, ${series.length} buckets`}
    />
  );
}

type CompareEntities = Compare['entities'];

/** Events of the compared entities in the window, from one request (the chart's own, so the page need not fetch it). */
function useCompareEvents(slugs: readonly string[], window: ChartWindow, given: EntityEvent[] | undefined): EntityEvent[] {
  const [events, setEvents] = useState<EntityEvent[]>([]);
  const { from, to } = window;
  useEffect(() => {
    if (given) return;
    const controller = new AbortController();
    api.getEvents({ from, to }, { signal: controller.signal }).then(
      (answer) => setEvents(answer.items),
      // Markers are extra: without them the chart still answers, so a failure only leaves them out.
      () => {
        if (!controller.signal.aborted) setEvents([]);
      },
    );
    return () => controller.abort();
  }, [from, to, given]);
  return useMemo(() => (given ?? events).filter((e) => e.entity !== null && slugs.includes(e.entity)), [given, events, slugs]);
}

/**
 * Several entities' mean sentiment on one axis fitted to the data, one Okabe–Ito colour each, with
 * damped low-sample segments, a tooltip of every entity's bucket, their events as markers and a table.
 */
export function CompareChart({
  entities,
  window,
  dark,
  events,
  height = 300,
}: {
  entities: CompareEntities;
  window: ChartWindow;
  dark: boolean;
  /** The events to mark; fetched for the compared entities when left out. */
  events?: EntityEvent[];
  height?: number;
}) {
  const slugs = useMemo(() => entities.map((e) => e.slug), [entities]);
  const shown = useCompareEvents(slugs, window, events);
  const names = useMemo(() => new Map(entities.map((e) => [e.slug, e.name])), [entities]);
  const model = useMemo(() => {
    const starts = (entities[0]?.series ?? []).map((p) => new Date(p.bucketStart));
    const lines = entities.map((e, i): LineView => ({
      key: e.slug,
      label: e.name,
      color: SERIES_COLORS[i % SERIES_COLORS.length]!,
      buckets: describeBuckets(e.series, window),
    }));
    return buildModel(lines, starts, window.bucket, window.tz ?? 'UTC', null);
  }, [entities, window]);
  return (
    <>
      <ul className="compare-legend small" aria-label="Lines">
        {entities.map((e, i) => (
          <li key={e.slug}>
            <span className="swatch" style={{ background: SERIES_COLORS[i % SERIES_COLORS.length] }} aria-hidden="true" /> {e.name}
          </li>
        ))}
      </ul>
      <ScoreChart
        model={model}
        events={shown}
        dark={dark}
        height={height}
        names={names}
        label={`Mean sentiment per ${window.bucket} of ${entities.map((e) => e.name).join(', ')}`}
      />
    </>
  );
}

/** Several entities' values (e.g. share of voice) on one chart, one colour each. */
export function MultiLineChart({
  times,
  lines,
  dark,
  label,
  range,
  format,
  height = 280,
  tz = 'UTC',
}: {
  times: string[];
  lines: Array<{ label: string; values: Array<number | null> }>;
  dark: boolean;
  label: string;
  range: [number, number];
  format: (v: number | null) => string;
  height?: number;
  /** The zone the buckets were cut in; axis dates are read in it. */
  tz?: string;
}) {
  const data: uPlot.AlignedData = [times.map(toSeconds), ...lines.map((l) => l.values)];
  const makeOptions = (width: number): uPlot.Options => {
    const axis = axisStyle();
    return {
      width,
      height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), tz),
      scales: { x: { time: true }, y: { range } },
      axes: [{ ...axis }, { ...axis, values: (_u, ticks) => ticks.map((t) => format(t)), size: 54 }],
      series: [
        {},
        ...lines.map((l, i) => ({
          label: l.label,
          stroke: SERIES_COLORS[i % SERIES_COLORS.length],
          width: 2,
          value: (_u: uPlot, v: number | null) => format(v),
        })),
      ],
    };
  };
  return (
    <>
      <UPlotChart
        makeOptions={makeOptions}
        data={data}
        label={label}
        rebuildKey={`${dark}:${lines.map((l) => l.label).join(',')}:${times.length}`}
      />
      <details className="chart-table">
        <summary>Show as table</summary>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{label}</caption>
            <thead>
              <tr>
                <th scope="col">Starting</th>
                {lines.map((l) => (
                  <th key={l.label} scope="col" className="num">
                    {l.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {times.map((time, i) => (
                <tr key={time}>
                  <th scope="row">{formatDate(time)}</th>
                  {lines.map((l) => (
                    <td key={l.label} className="num">
                      {format(l.values[i] ?? null)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}

const SPARK_WIDTH = 96;
const SPARK_HEIGHT = 28;
const SPARK_PAD = 2;

/**
 * A row's trend as a plain SVG line over [-1, 1] with a faint 0 line, gaps spanned. Not a uPlot
 * chart: the overview draws fifty of these, and fifty chart instances were half its wait.
 */
export function Sparkline({ values, label }: { values: Array<number | null>; label: string }) {
  const x = (i: number) => (values.length <= 1 ? SPARK_WIDTH / 2 : (i / (values.length - 1)) * SPARK_WIDTH);
  const y = (v: number) => SPARK_PAD + ((1 - Math.max(-1, Math.min(1, v))) / 2) * (SPARK_HEIGHT - 2 * SPARK_PAD);
  const points = values.flatMap((v, i) => (v === null ? [] : [[x(i), y(v)] as const]));
  return (
    <svg
      className="sparkline"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`}
      width={SPARK_WIDTH}
      height={SPARK_HEIGHT}
    >
      <line className="sparkline-zero" x1={0} x2={SPARK_WIDTH} y1={y(0)} y2={y(0)} />
      {points.length === 1 ? (
        <circle className="sparkline-dot" cx={points[0]![0]} cy={points[0]![1]} r={1.5} />
      ) : (
        <polyline className="sparkline-line" points={points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')} />
      )}
    </svg>
  );
}
