import type { ReactNode } from 'react';
import type { QueryPatch } from '../lib/url-state.ts';
import { RadioGroup } from './radio-group.tsx';
import { BUCKETS, endAfter, isBucketAllowed, isTimeZone, lastDayOf, RANGES, zoneOffset, type TimeWindow } from '../lib/window.ts';

const RANGE_LABELS: Record<string, string> = { '7d': '7 days', '30d': '30 days', '90d': '90 days', '1y': '1 year', custom: 'Custom' };

/** The zones offered: UTC, this browser's zone (India's +05:30 and Nepal's +05:45 included) and the one in the URL. */
function zoneChoices(current: string): string[] {
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zones = ['UTC'];
  if (isTimeZone(local) && local !== 'UTC') zones.push(local);
  if (!zones.includes(current)) zones.push(current);
  return zones;
}

/**
 * Range, bucket and time zone pickers; custom ranges get two date fields, both days included (the URL keeps
 * the exclusive end the API takes). Pages without a chart leave the bucket out.
 */
export function WindowPicker({
  window: w,
  onChange,
  bucket = true,
  children,
}: {
  window: TimeWindow;
  onChange: (patch: QueryPatch) => void;
  bucket?: boolean;
  /** More fields of the view (a source filter) on the same row, which keeps the chart high on a phone. */
  children?: ReactNode;
}) {
  const lastDay = lastDayOf(w.to);
  return (
    <div className="toolbar" role="group" aria-label="Time window">
      <RadioGroup
        label="Range"
        options={RANGES.map((r) => ({ value: r, label: RANGE_LABELS[r] ?? r }))}
        value={w.range}
        onChange={(r) =>
          onChange(
            r === 'custom' ? { range: r, from: w.from, to: w.to } : { range: r === '30d' ? null : r, from: null, to: null, bucket: null },
          )
        }
      />
      {w.range === 'custom' && (
        <>
          <label className="field">
            <span>From</span>
            <input
              type="date"
              value={w.from}
              max={lastDay}
              onChange={(e) => e.target.value && e.target.value <= lastDay && onChange({ from: e.target.value })}
            />
          </label>
          <label className="field">
            <span>To (included)</span>
            <input
              type="date"
              value={lastDay}
              min={w.from}
              onChange={(e) => e.target.value && e.target.value >= w.from && onChange({ to: endAfter(e.target.value) })}
            />
          </label>
        </>
      )}
      <label className="field">
        <span>Time zone</span>
        <select value={w.tz} onChange={(e) => onChange({ tz: e.target.value === 'UTC' ? null : e.target.value })}>
          {zoneChoices(w.tz).map((zone) => (
            <option key={zone} value={zone}>
              {zone === 'UTC' ? 'UTC' : `${zone.replace(/_/g, ' ')} (UTC${zoneOffset(zone, new Date())})`}
            </option>
          ))}
        </select>
      </label>
      {bucket && (
        <label className="field">
          <span>Bucket</span>
          <select value={w.bucket} onChange={(e) => onChange({ bucket: e.target.value })}>
            {BUCKETS.map((b) => (
              <option key={b} value={b} disabled={!isBucketAllowed(b, w.days)}>
                {b}
              </option>
            ))}
          </select>
        </label>
      )}
      {children}
    </div>
  );
}
