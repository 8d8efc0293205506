// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyQueryPatch, buildHref, navigate, useLocation, useUrlState } from './url-state.ts';

afterEach(cleanup);
beforeEach(() => window.history.replaceState(null, '', '/'));

function SourcePicker() {
  const [query, setQuery] = useUrlState();
  const { path } = useLocation();
  return (
    <div>
      <p data-testid="state">
        {path} source={query.get('source') ?? 'all'}
      </p>
      <button type="button" onClick={() => setQuery({ source: 'hn' })}>
        hn
      </button>
      <button type="button" onClick={() => setQuery({ source: null })}>
        all
      </button>
    </div>
  );
}

describe('applyQueryPatch', () => {
  it('sets, replaces and removes keys and keeps the others', () => {
    expect(applyQueryPatch('?range=90d&source=hn', { source: 'reddit' })).toBe('?range=90d&source=reddit');
    expect(applyQueryPatch('?range=90d&source=hn', { source: null })).toBe('?range=90d');
    expect(applyQueryPatch('?range=90d', { range: '' })).toBe('');
  });

  it('joins arrays with commas and drops empty arrays', () => {
    expect(applyQueryPatch('', { entities: ['cursor', 'claude-code'] })).toBe('?entities=cursor%2Cclaude-code');
    expect(applyQueryPatch('?entities=a,b', { entities: [] })).toBe('');
  });

  it('sorts keys so the same state always gives the same link', () => {
    expect(applyQueryPatch('?z=1', { a: 2 })).toBe('?a=2&z=1');
    expect(buildHref('/compare', { range: '1y', entities: 'a,b' })).toBe('/compare?entities=a%2Cb&range=1y');
  });
});

describe('useUrlState', () => {
  it('writes a change to the URL as a new history entry and re-renders', () => {
    render(<SourcePicker />);
    const before = window.history.length;
    fireEvent.click(screen.getByText('hn'));
    expect(window.location.search).toBe('?source=hn');
    expect(window.history.length).toBe(before + 1);
    expect(screen.getByTestId('state').textContent).toBe('/ source=hn');
  });

  it('follows back and forward (popstate)', () => {
    render(<SourcePicker />);
    fireEvent.click(screen.getByText('hn'));
    act(() => {
      window.history.replaceState(null, '', '/?source=reddit');
      window.dispatchEvent(new PopStateEvent('popstate'));
    });
    expect(screen.getByTestId('state').textContent).toBe('/ source=reddit');
  });

  it('reads state from a shared link and follows navigate() to another page', () => {
    window.history.replaceState(null, '', '/entity/cursor?source=devto');
    render(<SourcePicker />);
    expect(screen.getByTestId('state').textContent).toBe('/entity/cursor source=devto');
    act(() => navigate('/sources'));
    expect(screen.getByTestId('state').textContent).toBe('/sources source=all');
  });
});
