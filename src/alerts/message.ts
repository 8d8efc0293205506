/**
 * What one alert (or a test of a rule) says, whatever channel carries it: the explanation's headline,
 * the figures with their confidence, the top posts with links, and a link into the dashboard.
 * Post text in here is untrusted: every channel escapes it for its own format.
 */
export type AlertKind = 'shift' | 'spike' | 'aspect' | 'mention' | 'regression' | 'digest';

export interface AlertFigure {
  /** e.g. "Mean sentiment" */
  label: string;
  /** e.g. "-0.12 -> -0.31" */
  value: string;
  /** e.g. "95% interval of the change -0.27 to -0.11, p < 0.001, n = 412" */
  detail?: string;
}

export interface AlertPost {
  title: string;
  url: string | null;
  source: string;
  createdAt: string;
  /** A short plain-text excerpt of the post. */
  excerpt: string;
  /** The author's opinion toward the entity, when known. */
  label?: 'positive' | 'neutral' | 'negative';
}

export interface AlertMessage {
  /** The idempotency key: the same on every retry of one alert. */
  id: string;
  rule: { id: number; kind: AlertKind; name: string };
  entity: { slug: string; name: string };
  /** One line, e.g. "Claude Code: sentiment fell from -0.05 to -0.31 this week". */
  headline: string;
  /** A short paragraph saying why (from the explanation). */
  summary: string;
  figures: AlertFigure[];
  posts: AlertPost[];
  /** Where to look in the dashboard (absolute, from PUBLIC_URL). */
  dashboardUrl: string;
  /** ISO time the alert fired. */
  firedAt: string;
  /** True for `alerts test`: a sample, not a real event. */
  test?: boolean;
  /** Only on a digest (rule kind 'digest'): the period it covers. */
  digest?: AlertDigestPeriod;
}

export interface AlertDigestPeriod {
  cadence: 'daily' | 'weekly';
  /** '2026-03-14' for a day, '2026-W11' for an ISO week; 'manual' periods come from `digests send`. */
  period: string;
  /** ISO times, [from, to). */
  from: string;
  to: string;
}
