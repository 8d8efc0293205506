import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { EntityEvent, SeriesPoint } from '../api/types.ts';
import { formatCount, formatScore } from '../lib/format.ts';

/** Reads a colour from the stylesheet so charts follow the light or dark theme. */
export function readCssColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

export const SERIES_COLORS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#ec4899'];

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

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const width = Math.max(element.clientWidth, 200);
    plot.current = new uPlot(makeRef.current(width), dataRef.current, element);
    let lastWidth = width;
    const observer = typeof ResizeObserver === 'function'
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
  }, [rebuildKey]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div ref={host} className={className ?? 'chart'} role="img" aria-label={label} />;
}

const toSeconds = (iso: string): number => Math.floor(new Date(iso).getTime() / 1000);

const axisStyle = () => {
  const text = readCssColor('--muted', '#667');
  const grid = readCssColor('--grid', '#8882');
  return { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
};

const EVENT_COLORS: Record<EntityEvent['kind'], string> = { release: '#3b82f6', incident: '#ef4444', spike: '#f59e0b', note: '#8b5cf6' };

/** Draws a dashed vertical line with a small label for each event inside the x range. */
function drawEventMarkers(events: readonly EntityEvent[]) {
  return (u: uPlot) => {
    const { ctx } = u;
    const { top, height } = u.bbox;
    ctx.save();
    ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
    ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
    ctx.lineWidth = devicePixelRatio;
    for (const event of events) {
      const x = u.valToPos(toSeconds(event.occurredAt), 'x', true);
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
      const color = EVENT_COLORS[event.kind] ?? '#888';
      ctx.strokeStyle = color;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.fillText(event.kind === 'spike' ? '▲' : event.kind === 'incident' ? '!' : '◆', x + 3 * devicePixelRatio, top + 12 * devicePixelRatio);
    }
    ctx.restore();
  };
}

/** Sentiment with its 95% band (left axis) over volume bars (right axis), plus event markers. */
export function SentimentChart({ series, events, dark, height = 300 }: { series: SeriesPoint[]; events: EntityEvent[]; dark: boolean; height?: number }) {
  const data: uPlot.AlignedData = [
    series.map((p) => toSeconds(p.bucketStart)),
    series.map((p) => p.n),
    series.map((p) => p.scoreLow),
    series.map((p) => p.scoreHigh),
    series.map((p) => p.score),
  ];
  const makeOptions = (width: number): uPlot.Options => {
    const axis = axisStyle();
    const line = readCssColor('--accent', '#2563eb');
    const volume = readCssColor('--volume', '#94a3b855');
    const narrow = width < 520;
    return {
      width,
      height,
      legend: { show: true },
      cursor: { points: { size: 6 } },
      scales: { x: { time: true }, score: { range: [-1, 1] }, n: { range: (_u, _min, max) => [0, Math.max(1, max) * 3] } },
      axes: [
        { ...axis },
        { ...axis, scale: 'score', ...(narrow ? {} : { label: 'Sentiment' }), values: (_u, ticks) => ticks.map((t) => formatScore(t, 1)), size: 44 },
        { ...axis, scale: 'n', side: 1, grid: { show: false }, ...(narrow ? {} : { label: 'Mentions' }), values: (_u, ticks) => ticks.map((t) => formatCount(t)), size: 40 },
      ],
      series: [
        {},
        { label: 'Mentions', scale: 'n', fill: volume, stroke: volume, width: 0, paths: uPlot.paths.bars!({ size: [0.7, 40] }), points: { show: false }, value: (_u, v) => formatCount(v) },
        { label: '95% low', scale: 'score', stroke: 'transparent', points: { show: false }, value: (_u, v) => formatScore(v) },
        { label: '95% high', scale: 'score', stroke: 'transparent', points: { show: false }, value: (_u, v) => formatScore(v) },
        { label: 'Sentiment', scale: 'score', stroke: line, width: 2, points: { show: series.length <= 60, size: 4 }, value: (_u, v) => formatScore(v) },
      ],
      bands: [{ series: [3, 2], fill: `${line}22` }],
      hooks: { draw: [drawEventMarkers(events)] },
    };
  };
  return (
    <UPlotChart
      makeOptions={makeOptions}
      data={data}
      label={`Sentiment over time with its 95% confidence band and mention volume, ${series.length} buckets`}
      rebuildKey={`${dark}:${height}:${series.length}:${events.length}`}
      className="chart sentiment-chart"
    />
  );
}

/** Several entities' sentiment (or any share) on one chart, one colour each. */
export function MultiLineChart({
  times,
  lines,
  dark,
  label,
  range,
  format,
  height = 280,
}: {
  times: string[];
  lines: Array<{ label: string; values: Array<number | null> }>;
  dark: boolean;
  label: string;
  range: [number, number];
  format: (v: number | null) => string;
  height?: number;
}) {
  const data: uPlot.AlignedData = [times.map(toSeconds), ...lines.map((l) => l.values)];
  const makeOptions = (width: number): uPlot.Options => {
    const axis = axisStyle();
    return {
      width,
      height,
      scales: { x: { time: true }, y: { range } },
      axes: [{ ...axis }, { ...axis, values: (_u, ticks) => ticks.map((t) => format(t)), size: 54 }],
      series: [{}, ...lines.map((l, i) => ({ label: l.label, stroke: SERIES_COLORS[i % SERIES_COLORS.length], width: 2, value: (_u: uPlot, v: number | null) => format(v) }))],
    };
  };
  return <UPlotChart makeOptions={makeOptions} data={data} label={label} rebuildKey={`${dark}:${lines.map((l) => l.label).join(',')}:${times.length}`} />;
}

/** A tiny line without axes or legend for table rows. */
export function Sparkline({ values, dark, label }: { values: Array<number | null>; dark: boolean; label: string }) {
  const data: uPlot.AlignedData = [values.map((_, i) => i), values];
  const makeOptions = (): uPlot.Options => ({
    width: 96,
    height: 28,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: false }, y: { range: [-1, 1] } },
    axes: [{ show: false }, { show: false }],
    series: [{}, { stroke: readCssColor('--accent', '#2563eb'), width: 1.5, points: { show: false }, spanGaps: true }],
  });
  return <UPlotChart makeOptions={makeOptions} data={data} label={label} className="sparkline" rebuildKey={`${dark}:${values.length}`} />;
}
