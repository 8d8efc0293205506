import { formatChange, formatScore, scoreTone } from '../lib/format.ts';

/** A score coloured by its sign, with a word for screen readers and colour-blind readers alike. */
export function Score({ value, size }: { value: number | null; size?: 'large' }) {
  const tone = scoreTone(value);
  return (
    <span className={`score tone-${tone}${size === 'large' ? ' score-large' : ''}`} title={value === null ? 'no mentions' : tone}>
      {formatScore(value)}
    </span>
  );
}

/** A change with an arrow; a change within noise is shown muted and says so. */
export function Change({ value, significant }: { value: number | null; significant: boolean }) {
  if (value === null) return <span className="muted">—</span>;
  const tone = significant ? scoreTone(value, 0.0000001) : 'neutral';
  const arrow = value > 0 ? '▲' : value < 0 ? '▼' : '';
  return (
    <span
      className={`change tone-${tone}${significant ? '' : ' not-significant'}`}
      title={significant ? 'significant change (95%)' : 'within noise'}
    >
      <span aria-hidden="true">{arrow} </span>
      {formatChange(value)}
      {significant ? <span className="sig-badge">significant</span> : <span className="visually-hidden"> (within noise)</span>}
    </span>
  );
}
