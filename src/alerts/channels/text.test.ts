import { describe, expect, it } from 'vitest';
import { escapeHtml, fit, safeLink } from './text.ts';

describe('fit', () => {
  it('keeps text that fits, escaped', () => {
    expect(fit('a<b', 10, escapeHtml)).toBe('a&lt;b');
  });

  it('cuts before escaping, so no entity is left half-written', () => {
    const cut = fit('<<<<<<<<<<', 10, escapeHtml);
    expect(cut.length).toBeLessThanOrEqual(10);
    expect(cut).toBe('&lt;&lt;…');
  });

  it('never leaves half of a surrogate pair', () => {
    const cut = fit('ab😀😀😀', 4);
    expect(cut).toBe('ab…');
    expect(cut.length).toBeLessThanOrEqual(4);
  });

  it('never exceeds the limit, however much escaping grows the text', () => {
    for (let max = 1; max < 40; max++) expect(fit('&'.repeat(100), max, escapeHtml).length).toBeLessThanOrEqual(max);
  });
});

describe('safeLink', () => {
  it('links only absolute http(s) URLs', () => {
    expect(safeLink('javascript:alert(1)')).toBeNull();
    expect(safeLink('data:text/html,<b>')).toBeNull();
    expect(safeLink('/relative')).toBeNull();
    expect(safeLink(null)).toBeNull();
    expect(safeLink('https://example.com/a b<c>')).toBe('https://example.com/a%20b%3Cc%3E');
  });
});
