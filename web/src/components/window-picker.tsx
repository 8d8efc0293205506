import type { QueryPatch } from '../lib/url-state.ts';
import { BUCKETS, isBucketAllowed, RANGES, type TimeWindow } from '../lib/window.ts';

const RANGE_LABELS: Record<string, string> = { '7d': '7 days', '30d': '30 days', '90d': '90 days', '1y': '1 year', custom: 'Custom' };

/** Range and bucket pickers; custom ranges get two date fields. */
export function WindowPicker({ window: w, onChange }: { window: TimeWindow; onChange: (patch: QueryPatch) => void }) {
  return (
    <div className="toolbar" role="group" aria-label="Time window">
      <div className="segmented" role="radiogroup" aria-label="Range">
        {RANGES.map((r) => (
          <button
            key={r}
            type="button"
            role="radio"
            aria-checked={w.range === r}
            onClick={() => onChange(r === 'custom' ? { range: r, from: w.from, to: w.to } : { range: r === '30d' ? null : r, from: null, to: null, bucket: null })}
          >
            {RANGE_LABELS[r]}
          </button>
        ))}
      </div>
      {w.range === 'custom' && (
        <>
          <label className="field">
            <span>From</span>
            <input type="date" value={w.from} max={w.to} onChange={(e) => e.target.value && onChange({ from: e.target.value })} />
          </label>
          <label className="field">
            <span>To</span>
            <input type="date" value={w.to} min={w.from} onChange={(e) => e.target.value && onChange({ to: e.target.value })} />
          </label>
        </>
      )}
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
    </div>
  );
}
