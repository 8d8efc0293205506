// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Explanation } from '../api/types.ts';
import { AttributionPanel, SHOWN_EVIDENCE } from './attribution.tsx';

afterEach(cleanup);

type Attribution = NonNullable<Explanation['attribution']>;
type Evidence = Attribution['evidence'][number];

const evidence = (name: string, layer: Evidence['layer'], note: string, type: Evidence['type'] = 'cue'): Evidence => ({
  type,
  name,
  layer,
  weight: 1,
  share: null,
  previousShare: null,
  count: null,
  eventId: null,
  note,
});

const attribution = (layer: Attribution['layer'], items: Evidence[]): Attribution => ({
  layer,
  confidence: 0.734,
  scores: { model: 0, tool: 0, quota: 0, outage: 0 },
  evidence: items,
});

describe('AttributionPanel', () => {
  it('names the layer with its confidence and lists the strongest evidence, each with the layer it points at', () => {
    const items = [
      evidence('down', 'outage', '"down", outage and error complaints rose from 2% to 31% of mentions'),
      evidence('incident', 'outage', 'incident near: API <img src=x onerror=alert(1)> errors', 'event'),
      evidence('reliability', 'tool', 'reliability complaints rose from 5% to 20% of mentions', 'aspect'),
      evidence('limits', 'quota', 'limit complaints', 'cue'),
      evidence('dumber', 'model', 'dumber complaints', 'cue'),
    ];
    const { container } = render(<AttributionPanel attribution={attribution('outage', items)} />);
    const panel = container.querySelector('.attribution')!;
    expect(panel.getAttribute('data-layer')).toBe('outage');
    expect(panel.querySelector('p')!.textContent).toBe('Likely cause: an outage (confidence 73%)');
    const lines = [...panel.querySelectorAll('li')].map((li) => li.textContent);
    expect(lines).toHaveLength(SHOWN_EVIDENCE);
    expect(lines[1]).toBe('incident near: API <img src=x onerror=alert(1)> errors → an outage');
    expect(lines[2]).toContain('→ the tool');
    // An event title is untrusted text: shown, never parsed.
    expect(panel.querySelector('img')).toBeNull();
  });

  it('says the evidence is thin when the layer is unclear, and lists nothing when there is none', () => {
    const { container } = render(<AttributionPanel attribution={{ ...attribution('unclear', []), confidence: 0.2 }} />);
    expect(container.querySelector('p')!.textContent).toBe('Likely cause: unclear (the evidence is thin; strongest 20%)');
    expect(container.querySelector('ul')).toBeNull();
  });
});
