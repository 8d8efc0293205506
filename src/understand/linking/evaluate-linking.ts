/** Micro precision / recall / F1 of predicted entity slugs against labelled ones, per post. */

export interface LabelledPost {
  id: string;
  text: string;
  /** The most specific entities the post refers to directly. */
  entities: string[];
}

export interface LinkingError {
  id: string;
  slug: string;
  kind: 'false-positive' | 'false-negative';
  snippet: string;
}

export interface EntityScore {
  slug: string;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

export interface LinkingReport {
  posts: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
  perEntity: EntityScore[];
  errors: LinkingError[];
}

export interface PredictedMention {
  slug: string;
  start: number;
  end: number;
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 1 : part / whole;
}

function makeSnippet(text: string, start: number, end: number): string {
  const from = Math.max(0, start - 50);
  const to = Math.min(text.length, end + 50);
  return `${from > 0 ? '…' : ''}${text.slice(from, start)}[[${text.slice(start, end)}]]${text.slice(end, to)}${to < text.length ? '…' : ''}`.replace(
    /\s+/g,
    ' ',
  );
}

/** `locate` points a false negative's snippet at where the missed entity probably is. */
export function evaluateLinking(
  posts: LabelledPost[],
  predict: (text: string) => PredictedMention[],
  locate: (slug: string, text: string) => number = () => 0,
): LinkingReport {
  const perEntity = new Map<string, EntityScore>();
  const entry = (slug: string): EntityScore => {
    let score = perEntity.get(slug);
    if (score === undefined) {
      score = { slug, truePositives: 0, falsePositives: 0, falseNegatives: 0 };
      perEntity.set(slug, score);
    }
    return score;
  };
  const errors: LinkingError[] = [];
  for (const post of posts) {
    const predicted = new Map(predict(post.text).map((m) => [m.slug, m] as const));
    const gold = new Set(post.entities);
    for (const [slug, mention] of predicted) {
      if (gold.has(slug)) {
        entry(slug).truePositives += 1;
      } else {
        entry(slug).falsePositives += 1;
        errors.push({ id: post.id, slug, kind: 'false-positive', snippet: makeSnippet(post.text, mention.start, mention.end) });
      }
    }
    for (const slug of gold) {
      if (predicted.has(slug)) continue;
      entry(slug).falseNegatives += 1;
      const at = Math.max(0, locate(slug, post.text));
      errors.push({ id: post.id, slug, kind: 'false-negative', snippet: makeSnippet(post.text, at, at) });
    }
  }
  const scores = [...perEntity.values()].sort((a, b) => a.slug.localeCompare(b.slug));
  const tp = scores.reduce((n, s) => n + s.truePositives, 0);
  const fp = scores.reduce((n, s) => n + s.falsePositives, 0);
  const fn = scores.reduce((n, s) => n + s.falseNegatives, 0);
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    posts: posts.length,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision,
    recall,
    f1,
    perEntity: scores,
    errors,
  };
}
