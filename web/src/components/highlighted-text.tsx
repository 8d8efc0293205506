import type { ReactNode } from 'react';

export interface TextSpan {
  start: number;
  end: number;
}

/** Spans clipped to the text, sorted, and merged where they touch or overlap; empty ones dropped. */
export function normalizeSpans(spans: readonly TextSpan[], length: number): TextSpan[] {
  const clipped = spans
    .map((s) => ({ start: Math.max(0, Math.min(length, Math.floor(s.start))), end: Math.max(0, Math.min(length, Math.floor(s.end))) }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const merged: TextSpan[] = [];
  for (const span of clipped) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/**
 * Untrusted text with the given character ranges wrapped in <mark>. Everything is a React text
 * node, so markup in the text shows as characters and never runs.
 */
export function HighlightedText({ text, spans }: { text: string; spans: readonly TextSpan[] }): ReactNode {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const span of normalizeSpans(spans, text.length)) {
    if (span.start > at) parts.push(text.slice(at, span.start));
    parts.push(<mark key={span.start}>{text.slice(span.start, span.end)}</mark>);
    at = span.end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
