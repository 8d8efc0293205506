/** Where a quote sits in a text: offsets, end exclusive. */
export interface QuoteSpan {
  start: number;
  end: number;
}

const nearest = (spans: Iterable<QuoteSpan>, near: number): QuoteSpan | null => {
  let best: QuoteSpan | null = null;
  for (const span of spans) if (!best || Math.abs(span.start - near) < Math.abs(best.start - near)) best = span;
  return best;
};

function* exactly(text: string, quote: string): Generator<QuoteSpan> {
  for (let at = text.indexOf(quote); at >= 0; at = text.indexOf(quote, at + 1)) yield { start: at, end: at + quote.length };
}

function* ignoringCase(text: string, quote: string): Generator<QuoteSpan> {
  // A regex, not indexOf on lowercased copies: lowercasing can change a string's length ("İ"), and with it the offsets.
  const pattern = new RegExp(quote.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu');
  for (const match of text.matchAll(pattern)) yield { start: match.index, end: match.index + match[0].length };
}

/**
 * Where an LLM's evidence quote occurs in `text`: the occurrence nearest the offset `near`, exact
 * first, then ignoring case; null when the quote is blank or not in the text (the model made it up).
 */
export function locateQuote(text: string, quote: string, near = 0): QuoteSpan | null {
  const trimmed = quote.trim();
  if (trimmed === '') return null;
  return nearest(exactly(text, trimmed), near) ?? nearest(ignoringCase(text, trimmed), near);
}
