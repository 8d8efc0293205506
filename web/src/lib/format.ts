const MINUS = '\u2212';
const DASH = '\u2014';

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * An en-US date formatter for `options`, made once: `toLocaleDateString` with options builds a new
 * Intl.DateTimeFormat at every call, which cost a year-long chart about 190 ms of its first render.
 */
export function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(options);
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', options);
    dateFormats.set(key, format);
  }
  return format;
}

const signed = (value: number, text: string): string => (value > 0 ? `+${text}` : value < 0 ? `${MINUS}${text}` : text);

/** A sentiment score in [-1, 1] with its sign: "+0.42", "−0.13", "0.00"; "—" when unknown. */
export function formatScore(score: number | null | undefined, digits = 2): string {
  if (score === null || score === undefined || !Number.isFinite(score)) return DASH;
  const rounded = Number(Math.abs(score).toFixed(digits));
  return rounded === 0 ? (0).toFixed(digits) : signed(score, rounded.toFixed(digits));
}

/** A change of score between two windows; the same shape as a score but may exceed 1 in size. */
export function formatChange(change: number | null | undefined, digits = 2): string {
  return formatScore(change, digits);
}

/** A share in [0, 1] as a percentage: 0.1234 -> "12%" (or "12.3%" with digits = 1). */
export function formatPercent(share: number | null | undefined, digits = 0): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return DASH;
  return `${(share * 100).toFixed(digits)}%`;
}

/** Made once, like dateFormat's: `toLocaleString('en-US')` builds a number format at every call. */
const COUNT_FORMAT = new Intl.NumberFormat('en-US');

/** A count, compact above ten thousand: 1234 -> "1,234", 12345 -> "12.3k", 2500000 -> "2.5M". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  const size = Math.abs(n);
  if (size < 10_000) return COUNT_FORMAT.format(Math.round(n));
  if (size < 1_000_000) return `${trimZero((n / 1000).toFixed(1))}k`;
  if (size < 1_000_000_000) return `${trimZero((n / 1_000_000).toFixed(1))}M`;
  return `${trimZero((n / 1_000_000_000).toFixed(1))}B`;
}

const trimZero = (text: string): string => text.replace(/\.0$/, '');

/** Which colour a score deserves: clearly positive, clearly negative, or neither. */
export function scoreTone(score: number | null | undefined, threshold = 0.05): 'positive' | 'negative' | 'neutral' {
  if (score === null || score === undefined || !Number.isFinite(score)) return 'neutral';
  return score >= threshold ? 'positive' : score <= -threshold ? 'negative' : 'neutral';
}

const DAY_MS = 86_400_000;

/** A date as "Mar 4, 2026" (UTC, so every reader sees the same day). */
export function formatDate(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return DASH;
  return dateFormat({ year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(date);
}

/** How long ago: "just now", "5 min ago", "3 h ago", "2 d ago", then the date. */
export function formatRelative(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return 'never';
  const then = new Date(iso);
  const ms = now.getTime() - then.getTime();
  if (Number.isNaN(ms)) return DASH;
  if (ms < 60_000) return 'just now';
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < DAY_MS) return `${Math.floor(ms / 3_600_000)} h ago`;
  if (ms < 30 * DAY_MS) return `${Math.floor(ms / DAY_MS)} d ago`;
  return formatDate(then);
}

const SOURCE_NAMES: Record<string, string> = {
  hn: 'Hacker News',
  reddit: 'Reddit',
  devto: 'Dev.to',
  discourse: 'Discourse',
  github: 'GitHub',
  stackexchange: 'Stack Overflow',
  lobsters: 'Lobsters',
  bluesky: 'Bluesky',
  mastodon: 'Mastodon',
  rss: 'RSS feeds',
  import: 'Imported',
  // No collector, but common in imported data (the opinion pool has YouTube comments).
  youtube: 'YouTube',
};

/** A source as people name it ("Hacker News", not "hn"); an unknown one as it is. */
export function formatSource(source: string): string {
  return SOURCE_NAMES[source] ?? source;
}

/** An aspect as words: "code_quality" -> "Code quality", "context-window" -> "Context window". */
export function formatAspect(aspect: string): string {
  if (aspect === 'ux') return 'UX';
  const words = aspect.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
