import type { Explanation } from '../api/types.ts';

type Attribution = NonNullable<Explanation['attribution']>;

export const LAYER_NAMES: Record<Attribution['layer'], string> = {
  model: 'the model',
  tool: 'the tool',
  quota: 'quota or pricing',
  outage: 'an outage',
  unclear: 'unclear',
};

/** Evidence lines shown; the rest are in the API answer. */
export const SHOWN_EVIDENCE = 4;

/**
 * Which layer a regression or negativity spike is put down to, with its confidence and the evidence
 * behind it (rising complaints, a version, an incident or release near). Notes can quote event titles,
 * which are untrusted: React escapes them.
 */
export function AttributionPanel({ attribution }: { attribution: Attribution }) {
  const evidence = attribution.evidence.slice(0, SHOWN_EVIDENCE);
  const confidence = `${Math.round(attribution.confidence * 100)}%`;
  return (
    <div className="attribution small" data-layer={attribution.layer}>
      <p>
        <strong>Likely cause: {LAYER_NAMES[attribution.layer]}</strong>{' '}
        <span className="muted">
          {attribution.layer === 'unclear' ? `(the evidence is thin; strongest ${confidence})` : `(confidence ${confidence})`}
        </span>
      </p>
      {evidence.length > 0 && (
        <ul className="attribution-evidence">
          {evidence.map((item) => (
            <li key={`${item.type}-${item.name}-${item.layer}-${item.eventId ?? ''}`}>
              {item.note} <span className="muted">→ {LAYER_NAMES[item.layer]}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
