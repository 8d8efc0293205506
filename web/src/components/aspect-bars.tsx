import type { AspectScore } from '../api/types.ts';
import { formatAspect, formatCount, formatScore, scoreTone } from '../lib/format.ts';

/** Below this many mentions an aspect's mean is drawn faint and listed after the others. */
export const FEW_MENTIONS = 5;

/**
 * One row per aspect, a bar growing left (negative) or right (positive) from the middle. Each row
 * is a toggle button: pressing it filters the feed to that aspect. An aspect with fewer than
 * FEW_MENTIONS mentions is drawn faint and listed last: one post's "+1.00" is not a full bar.
 */
export function AspectBars({
  items,
  selected,
  onSelect,
}: {
  items: AspectScore[];
  selected: string | null;
  onSelect: (aspect: string | null) => void;
}) {
  const few = (a: AspectScore): boolean => a.n < FEW_MENTIONS;
  const rows = items.filter((a) => a.n > 0).sort((a, b) => Number(few(a)) - Number(few(b)) || (b.score ?? 0) - (a.score ?? 0));
  return (
    <ul className="aspect-bars" aria-label="Aspects: mean sentiment; press one to filter the posts">
      {rows.map((a) => {
        const score = a.score ?? 0;
        const width = `${Math.min(50, Math.abs(score) * 50)}%`;
        const pressed = selected === a.aspect;
        return (
          <li key={a.aspect}>
            <button
              type="button"
              aria-pressed={pressed}
              data-aspect={a.aspect}
              className={`aspect-row${pressed ? ' selected' : ''}${few(a) ? ' few' : ''}`}
              title={few(a) ? `Only ${a.n} mention${a.n === 1 ? '' : 's'}: too few to rank` : undefined}
              onClick={() => onSelect(pressed ? null : a.aspect)}
            >
              <span className="aspect-name">{formatAspect(a.aspect)}</span>
              <span className="diverging" aria-hidden="true">
                <span className="axis" />
                <span className={`bar tone-${scoreTone(score)}`} style={score >= 0 ? { left: '50%', width } : { right: '50%', width }} />
              </span>
              <span className={`aspect-score tone-${scoreTone(a.score)}`}>{formatScore(a.score)}</span>
              <span className="aspect-n muted">{formatCount(a.n)}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
