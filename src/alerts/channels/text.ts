/** Text helpers every channel shares: escaping for HTML, safe links, and truncation that respects an escaper. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For HTML text and attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * A post's URL if it is an absolute http(s) URL, normalised (so `<`, `>`, spaces and quotes are
 * percent-encoded); null otherwise. Post URLs are untrusted: `javascript:` and friends never become links.
 */
export function safeLink(url: string | null | undefined): string | null {
  if (!url || !URL.canParse(url)) return null;
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  return parsed.href;
}

/** Runs of whitespace (newlines included) as one space: for subjects, titles and one-line fields. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `text` cut to at most `units` UTF-16 units without leaving half of a surrogate pair behind. */
function sliceUnits(text: string, units: number): string {
  const cut = text.slice(0, Math.max(0, units));
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/**
 * `escape(raw)` if it fits in `max` characters, else the longest prefix of `raw` that, escaped and
 * followed by an ellipsis, fits. Cutting before escaping never leaves half an entity or a lone backslash.
 */
export function fit(raw: string, max: number, escape: (text: string) => string = (text) => text): string {
  const whole = escape(raw);
  if (whole.length <= max) return whole;
  if (max <= 1) return max === 1 ? '…' : '';
  // The escaped length grows with the prefix, so the longest prefix that fits is found by bisection.
  const render = (keep: number) => `${escape(sliceUnits(raw, keep).trimEnd())}…`;
  let low = 0;
  let high = Math.min(raw.length, max - 1);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (render(mid).length <= max) low = mid;
    else high = mid - 1;
  }
  return render(low);
}
