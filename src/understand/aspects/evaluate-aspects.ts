import { z } from 'zod';
import { extractAspects } from './extract-aspects.ts';
import { combineAspects } from './combine-aspects.ts';
import { loadAspectModel } from './aspect-artifact.ts';
import { readAspects } from './aspect-model.ts';
import { ASPECT_NAMES, AspectName, AspectPolarity, type AspectFinding, type TextSpan } from './types.ts';

export const LabelledAspect = z.object({ aspect: AspectName, polarity: AspectPolarity, evidence: z.string() });
export type LabelledAspect = z.infer<typeof LabelledAspect>;

export const LabelledPost = z.object({
  id: z.string(),
  source: z.string(),
  text: z.string(),
  entities: z.array(z.string()),
  aspects: z.record(z.string(), z.array(LabelledAspect)).default({}),
});
export type LabelledPost = z.infer<typeof LabelledPost>;

/**
 * Plain names per entity, enough to place a labelled entity in its post for evaluation. This is not
 * the linker: it ignores context because the labels already say which entities are present.
 */
const EVAL_NAMES: Record<string, string[]> = {
  openai: ['OpenAI', 'Open AI'],
  anthropic: ['Anthropic'],
  google: ['Google', 'DeepMind', 'AI Studio', 'Vertex'],
  meta: ['Meta', 'Facebook'],
  'mistral-ai': ['Mistral AI', 'Mistral'],
  'deepseek-ai': ['DeepSeek'],
  'alibaba-cloud': ['Alibaba Cloud', 'Alibaba'],
  xai: ['xAI'],
  microsoft: ['Microsoft', 'MS'],
  github: ['GitHub'],
  amazon: ['Amazon', 'AWS', 'Bedrock'],
  jetbrains: ['JetBrains'],
  sourcegraph: ['Sourcegraph'],
  cognition: ['Cognition'],
  vercel: ['Vercel'],
  stackblitz: ['StackBlitz'],
  'hugging-face': ['Hugging Face', 'HuggingFace', 'HF'],
  chatgpt: ['ChatGPT', 'Chat GPT'],
  'gpt-5': ['GPT-5', 'GPT 5', 'GPT5'],
  'gpt-4o': ['GPT-4o', 'GPT 4o', '4o'],
  'gpt-4-1': ['GPT-4.1', 'GPT 4.1', '4.1'],
  o3: ['o3'],
  claude: ['Claude'],
  'claude-opus': ['Opus'],
  'claude-sonnet': ['Sonnet'],
  'claude-haiku': ['Haiku'],
  gemini: ['Gemini'],
  llama: ['Llama'],
  mistral: ['Mistral', 'Codestral', 'Devstral', 'Mixtral'],
  deepseek: ['DeepSeek', 'R1', 'V3'],
  qwen: ['Qwen', 'Qwen3'],
  grok: ['Grok'],
  'claude-code': ['Claude Code', 'claude-code', 'CC'],
  'codex-cli': ['Codex CLI', 'Codex'],
  'gemini-cli': ['Gemini CLI', 'gemini-cli'],
  cursor: ['Cursor'],
  'github-copilot': ['GitHub Copilot', 'Copilot'],
  'microsoft-copilot': ['Microsoft Copilot', 'Copilot'],
  windsurf: ['Windsurf', 'Codeium'],
  devin: ['Devin'],
  cline: ['Cline'],
  'roo-code': ['Roo Code', 'Roo'],
  aider: ['Aider'],
  zed: ['Zed'],
  continue: ['Continue', 'continue.dev'],
  kiro: ['Kiro'],
  'amazon-q-developer': ['Amazon Q Developer', 'Amazon Q', 'Q Developer'],
  replit: ['Replit'],
  v0: ['v0'],
  'bolt-new': ['Bolt.new', 'Bolt'],
  lovable: ['Lovable'],
  'jetbrains-ai': ['JetBrains AI Assistant', 'JetBrains AI', 'AI Assistant'],
  junie: ['Junie'],
  tabnine: ['Tabnine'],
  'sourcegraph-cody': ['Sourcegraph Cody', 'Cody'],
  amp: ['Amp'],
  ollama: ['Ollama'],
  'lm-studio': ['LM Studio', 'LMStudio'],
  openrouter: ['OpenRouter'],
};

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function namesFor(slug: string): string[] {
  return EVAL_NAMES[slug] ?? [slug.replace(/-/g, ' ')];
}

/**
 * Where each of the given entities is named in the text. A match inside a longer match of another
 * entity ("Claude" inside "Claude Code") does not count for the shorter one.
 */
export function locateMentions(text: string, slugs: readonly string[]): Map<string, TextSpan[]> {
  const all: { slug: string; span: TextSpan }[] = [];
  for (const slug of slugs) {
    for (const name of namesFor(slug)) {
      const re = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, 'giu');
      for (const m of text.matchAll(re)) all.push({ slug, span: { start: m.index, end: m.index + m[0].length } });
    }
  }
  const found = new Map<string, TextSpan[]>();
  for (const a of all) {
    const inside = all.some(
      (b) =>
        b.slug !== a.slug &&
        b.span.start <= a.span.start &&
        b.span.end >= a.span.end &&
        b.span.end - b.span.start > a.span.end - a.span.start,
    );
    if (inside) continue;
    const list = found.get(a.slug) ?? [];
    if (!list.some((s) => s.start === a.span.start)) list.push(a.span);
    found.set(a.slug, list);
  }
  return found;
}

export interface MentionCase {
  postId: string;
  slug: string;
  text: string;
  spans: TextSpan[];
  others: TextSpan[];
  /** False when no name of the entity was found and the whole text stands in for the mention. */
  located: boolean;
  expected: LabelledAspect[];
}

export function buildMentionCases(posts: readonly LabelledPost[]): MentionCase[] {
  const cases: MentionCase[] = [];
  for (const post of posts) {
    const located = locateMentions(post.text, post.entities);
    for (const slug of post.entities) {
      const spans = located.get(slug) ?? [];
      const others = [...located].filter(([s]) => s !== slug).flatMap(([, list]) => list);
      cases.push({
        postId: post.id,
        slug,
        text: post.text,
        spans: spans.length > 0 ? spans : [{ start: 0, end: 0 }],
        others,
        located: spans.length > 0,
        expected: post.aspects[slug] ?? [],
      });
    }
  }
  return cases;
}

/** The rules' view of one entity in one post: every mention read, findings combined. */
export function extractForCase(c: MentionCase): AspectFinding[] {
  return combineAspects(c.spans.map((span) => extractAspects(c.text, span, { otherMentions: c.others })));
}

/** The shipped first tier's view of one entity in one post: the learned model over the rules. */
export function readForCase(c: MentionCase): AspectFinding[] {
  return readAspects(loadAspectModel(), c.text, c.spans, c.others);
}

export interface AspectScore {
  aspect: AspectName | 'micro' | 'macro';
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
  /** Share of true positives whose polarity matches the label. */
  polarityAccuracy: number;
}

export interface AspectEvaluation {
  cases: number;
  unlocated: number;
  perAspect: AspectScore[];
  micro: AspectScore;
  macroF1: number;
  errors: { postId: string; slug: string; aspect: AspectName; kind: 'fp' | 'fn' | 'polarity'; detail: string }[];
}

function score(aspect: AspectScore['aspect'], tp: number, fp: number, fn: number, polarityHits: number): AspectScore {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    aspect,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision,
    recall,
    f1,
    polarityAccuracy: tp === 0 ? 0 : polarityHits / tp,
  };
}

export function evaluateAspects(
  cases: readonly MentionCase[],
  extract: (c: MentionCase) => AspectFinding[] = extractForCase,
): AspectEvaluation {
  const counts = new Map<AspectName, { tp: number; fp: number; fn: number; pol: number }>(
    ASPECT_NAMES.map((a) => [a, { tp: 0, fp: 0, fn: 0, pol: 0 }]),
  );
  const errors: AspectEvaluation['errors'] = [];
  for (const c of cases) {
    const found = extract(c);
    const expected = new Map(c.expected.map((e) => [e.aspect, e]));
    const predicted = new Map(found.map((f) => [f.aspect, f]));
    for (const aspect of ASPECT_NAMES) {
      const e = expected.get(aspect);
      const p = predicted.get(aspect);
      const n = counts.get(aspect);
      if (!n) continue;
      if (e && p) {
        n.tp++;
        if (e.polarity === p.polarity) n.pol++;
        else
          errors.push({
            postId: c.postId,
            slug: c.slug,
            aspect,
            kind: 'polarity',
            detail: `want ${e.polarity} got ${p.polarity} on "${p.evidence.text}"`,
          });
      } else if (p) {
        n.fp++;
        errors.push({ postId: c.postId, slug: c.slug, aspect, kind: 'fp', detail: `"${p.evidence.text}" (${p.polarity})` });
      } else if (e) {
        n.fn++;
        errors.push({ postId: c.postId, slug: c.slug, aspect, kind: 'fn', detail: `"${e.evidence}" (${e.polarity})` });
      }
    }
  }
  const perAspect = ASPECT_NAMES.map((a) => {
    const n = counts.get(a) ?? { tp: 0, fp: 0, fn: 0, pol: 0 };
    return score(a, n.tp, n.fp, n.fn, n.pol);
  });
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let pol = 0;
  for (const n of counts.values()) {
    tp += n.tp;
    fp += n.fp;
    fn += n.fn;
    pol += n.pol;
  }
  const labelled = perAspect.filter((s) => s.truePositives + s.falseNegatives > 0);
  return {
    cases: cases.length,
    unlocated: cases.filter((c) => !c.located).length,
    perAspect,
    micro: score('micro', tp, fp, fn, pol),
    macroF1: labelled.length === 0 ? 0 : labelled.reduce((sum, s) => sum + s.f1, 0) / labelled.length,
    errors,
  };
}

export function parseLabelledPosts(jsonl: string): { posts: LabelledPost[]; skipped: number } {
  const posts: LabelledPost[] = [];
  let skipped = 0;
  for (const line of jsonl.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = LabelledPost.safeParse(JSON.parse(line));
      if (parsed.success) posts.push(parsed.data);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { posts, skipped };
}
