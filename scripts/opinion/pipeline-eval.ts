import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { LlmAsks } from '../../src/config/settings.ts';
import { openDatabase } from '../../src/db/client.ts';
import { SENTIMENT_UNSURE_BELOW, type SentimentTier } from '../../src/understand/sentiment/llm-tier.ts';
import { bootstrapInterval, groupBy } from '../bootstrap.ts';
import type { Polarity } from './pool.ts';

/**
 * Scores opinion the way users meet it: the posts are imported by `vibecheck import` into a fresh
 * embedded database (link, score, store), and the polarity of each gold (post, entity) pair is read
 * back from the stored direct mentions. A gold pair the pipeline did not link counts as wrong.
 */

export interface GoldPost {
  id: string;
  source: string;
  /** Top-level posts carry a title; a comment's words are its body alone. */
  title: string | null;
  body: string;
  createdAt: string;
  labels: Record<string, Polarity>;
}

export const POLARITIES = ['negative', 'neutral', 'positive'] as const;
const PREDICTED = [...POLARITIES, 'unlinked'] as const;
type Predicted = (typeof PREDICTED)[number];

export interface PairResult {
  post: string;
  slug: string;
  gold: Polarity;
  predicted: Predicted;
  /** The stored confidence of the predicted label (absent when unlinked). */
  confidence?: number;
  /** Which reader stored the label: the local model, or the optional LLM tier (absent when unlinked). */
  tier?: SentimentTier;
}

export interface OpinionReport {
  pairs: number;
  macroF1: number;
  perClass: Record<Polarity, { precision: number; recall: number; f1: number; support: number }>;
  /** confusion[gold][predicted], predicted including "unlinked". */
  confusion: Record<Polarity, Record<Predicted, number>>;
  linking: { truePositives: number; falsePositives: number; falseNegatives: number; precision: number; recall: number };
  /** Expected calibration error of the stored confidence over linked pairs (10 equal-width bins). */
  calibrationError: number;
  /**
   * 95% interval of macro-F1 from resampling whole posts with replacement (a post's pairs move
   * together; 2,000 seeded draws, percentiles): how far another sample of such posts could read.
   */
  macroF1Interval: { low: number; high: number };
  /**
   * Linked pairs the model is unsure of (stored confidence below SENTIMENT_UNSURE_BELOW: what the
   * optional LLM tier would be asked about), and the share of pairs read right among them and among
   * the rest.
   */
  unsure: { below: number; pairs: number; accuracy: number; sureAccuracy: number };
  /** Linked pairs each reader stored, and the share of them read right. */
  tiers: Record<SentimentTier, { pairs: number; accuracy: number }>;
  results: PairResult[];
  /** Direct mentions stored that no gold pair names. */
  spurious: Array<{ post: string; slug: string }>;
}

const BIN = fileURLToPath(new URL('../../bin/vibecheck', import.meta.url));

/** An OpenAI-compatible endpoint for the import's LLM tiers (`LLM_BASE_URL` and the rest). */
export interface EvalLlm {
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Calls allowed for the whole import (aspects, sentiment, flows together). */
  dailyBudget: number;
  /** LLM_SENTIMENT and LLM_ASPECTS: which mentions those tiers are asked about (default: the unsure ones). */
  sentiment?: LlmAsks;
  aspects?: LlmAsks;
}

/** What the tests change: the `vibecheck` entry to run, and what the fresh data directory starts with. */
export interface PipelineEvalOptions {
  bin?: string;
  /** Called with the data directory before the import (the suite puts an initdb'd cluster there). */
  prepareDataDir?: (dataDir: string) => void;
  /** Import with the optional LLM tiers on; without it the import reads with the local model alone. */
  llm?: EvalLlm;
}

function runImport(file: string, dataDir: string, bin: string, llm: EvalLlm | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const llmEnv = llm
      ? {
          LLM_BASE_URL: llm.baseUrl,
          LLM_MODEL: llm.model,
          LLM_DAILY_BUDGET: String(llm.dailyBudget),
          ...(llm.apiKey ? { LLM_API_KEY: llm.apiKey } : {}),
          ...(llm.sentiment ? { LLM_SENTIMENT: llm.sentiment } : {}),
          ...(llm.aspects ? { LLM_ASPECTS: llm.aspects } : {}),
        }
      : {};
    const child = spawn(process.execPath, [bin, 'import', file, '--json'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'production', ...llmEnv },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`vibecheck import exited ${code}: ${stderr.trim()}`));
      const summary = JSON.parse(stdout) as { rejected: number; errors: Array<{ line: number; message: string }> };
      if (summary.rejected > 0)
        return reject(new Error(`import rejected ${summary.rejected} lines: ${JSON.stringify(summary.errors.slice(0, 3))}`));
      resolve();
    });
  });
}

interface StoredMention {
  label: Polarity;
  confidence: number;
  tier: SentimentTier;
}

/** Reads the stored direct mentions: external id -> slug -> label, confidence and tier. */
async function readMentions(dataDir: string): Promise<Map<string, Map<string, StoredMention>>> {
  const database = await openDatabase({ databaseUrl: undefined, dataDir });
  try {
    const rows = await sql<{ external_id: string; slug: string; label: Polarity; confidence: number; sentiment_tier: SentimentTier }>`
      SELECT p.external_id, e.slug, m.label, m.confidence, m.sentiment_tier
      FROM mentions m JOIN posts p ON p.id = m.post_id JOIN entities e ON e.id = m.entity_id
      WHERE m.direct`.execute(database.db);
    const byPost = new Map<string, Map<string, StoredMention>>();
    for (const row of rows.rows) {
      if (!byPost.has(row.external_id)) byPost.set(row.external_id, new Map());
      byPost.get(row.external_id)!.set(row.slug, { label: row.label, confidence: Number(row.confidence), tier: row.sentiment_tier });
    }
    return byPost;
  } finally {
    await database.close();
  }
}

type Confusion = OpinionReport['confusion'];

const emptyConfusion = (): Confusion =>
  Object.fromEntries(POLARITIES.map((g) => [g, Object.fromEntries(PREDICTED.map((p) => [p, 0]))])) as Confusion;

function perClassOf(confusion: Confusion): OpinionReport['perClass'] {
  return Object.fromEntries(
    POLARITIES.map((c) => {
      const tp = confusion[c][c];
      const support = PREDICTED.reduce((n, p) => n + confusion[c][p], 0);
      const predicted = POLARITIES.reduce((n, g) => n + confusion[g][c], 0);
      const precision = predicted ? tp / predicted : 0;
      const recall = support ? tp / support : 0;
      return [c, { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support }];
    }),
  ) as OpinionReport['perClass'];
}

const macroF1Of = (perClass: OpinionReport['perClass']): number =>
  POLARITIES.reduce((sum, c) => sum + perClass[c].f1, 0) / POLARITIES.length;

/** Macro-F1 of the pairs of whole posts resampled (see OpinionReport.macroF1Interval). */
function postInterval(results: readonly PairResult[]): { low: number; high: number } {
  return bootstrapInterval(
    groupBy(results, (r) => r.post),
    (posts) => {
      const confusion = emptyConfusion();
      for (const post of posts) for (const r of post) confusion[r.gold][r.predicted] += 1;
      return macroF1Of(perClassOf(confusion));
    },
  );
}

export function summarize(results: PairResult[], spurious: OpinionReport['spurious']): OpinionReport {
  const confusion = emptyConfusion();
  for (const r of results) confusion[r.gold][r.predicted] += 1;
  const perClass = perClassOf(confusion);
  const linkedResults = results.filter((r) => r.predicted !== 'unlinked');
  const linked = linkedResults.length;
  const bins = Array.from({ length: 10 }, () => ({ count: 0, confidence: 0, correct: 0 }));
  for (const r of linkedResults) {
    const bin = bins[Math.min(9, Math.floor((r.confidence ?? 0) * 10))]!;
    bin.count += 1;
    bin.confidence += r.confidence ?? 0;
    bin.correct += r.predicted === r.gold ? 1 : 0;
  }
  const unsure = linkedResults.filter((r) => (r.confidence ?? 0) < SENTIMENT_UNSURE_BELOW);
  const sure = linkedResults.filter((r) => (r.confidence ?? 0) >= SENTIMENT_UNSURE_BELOW);
  const accuracy = (list: PairResult[]) => (list.length ? list.filter((r) => r.predicted === r.gold).length / list.length : 0);
  const readBy = (tier: SentimentTier) => {
    const pairs = linkedResults.filter((r) => (r.tier ?? 'local') === tier);
    return { pairs: pairs.length, accuracy: accuracy(pairs) };
  };
  const falseNegatives = results.length - linked;
  return {
    pairs: results.length,
    macroF1: macroF1Of(perClass),
    perClass,
    confusion,
    linking: {
      truePositives: linked,
      falsePositives: spurious.length,
      falseNegatives,
      precision: linked + spurious.length ? linked / (linked + spurious.length) : 1,
      recall: results.length ? linked / results.length : 1,
    },
    calibrationError: linked ? bins.reduce((sum, bin) => sum + Math.abs(bin.correct - bin.confidence), 0) / linked : 0,
    macroF1Interval: postInterval(results),
    unsure: { below: SENTIMENT_UNSURE_BELOW, pairs: unsure.length, accuracy: accuracy(unsure), sureAccuracy: accuracy(sure) },
    tiers: { local: readBy('local'), llm: readBy('llm') },
    results,
    spurious,
  };
}

export async function evaluateThroughPipeline(
  posts: readonly GoldPost[],
  { bin = BIN, prepareDataDir, llm }: PipelineEvalOptions = {},
): Promise<OpinionReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vibecheck-opinion-eval-'));
  try {
    const file = path.join(dir, 'posts.jsonl');
    const lines = posts.map((post) =>
      JSON.stringify({ source: post.source, externalId: post.id, title: post.title, body: post.body, createdAt: post.createdAt }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    prepareDataDir?.(path.join(dir, 'db'));
    await runImport(file, path.join(dir, 'db'), bin, llm);
    const stored = await readMentions(path.join(dir, 'db'));
    const results: PairResult[] = [];
    const spurious: OpinionReport['spurious'] = [];
    for (const post of posts) {
      const found = stored.get(post.id) ?? new Map<string, StoredMention>();
      for (const [slug, gold] of Object.entries(post.labels)) {
        const mention = found.get(slug);
        results.push({
          post: post.id,
          slug,
          gold,
          predicted: mention?.label ?? 'unlinked',
          confidence: mention?.confidence,
          tier: mention?.tier,
        });
      }
      for (const slug of found.keys()) if (!(slug in post.labels)) spurious.push({ post: post.id, slug });
    }
    return summarize(results, spurious);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatReport(title: string, report: OpinionReport): string {
  const pct = (x: number): string => x.toFixed(3);
  const lines = [
    `${title}: ${report.pairs} pairs, macro-F1 ${pct(report.macroF1)} (F1 negative ${pct(report.perClass.negative.f1)}, neutral ${pct(report.perClass.neutral.f1)}, positive ${pct(report.perClass.positive.f1)})`,
    `  95% interval of macro-F1, resampling posts: ${pct(report.macroF1Interval.low)}-${pct(report.macroF1Interval.high)}`,
    `  gold \\ stored   ${PREDICTED.map((p) => p.padStart(9)).join('')}`,
    ...POLARITIES.map((g) => `  ${g.padEnd(15)} ${PREDICTED.map((p) => String(report.confusion[g][p]).padStart(9)).join('')}`),
    `  linking: precision ${pct(report.linking.precision)}, recall ${pct(report.linking.recall)} (${report.linking.truePositives} linked, ${report.linking.falsePositives} spurious, ${report.linking.falseNegatives} missed)`,
    `  calibration: expected calibration error of the stored confidence ${pct(report.calibrationError)}`,
    // With the tier on, the stored confidences are partly the endpoint's: say what each reader stored instead.
    report.tiers.llm.pairs > 0
      ? `  LLM tier: stored ${report.tiers.llm.pairs} of ${report.linking.truePositives} linked pairs, ${pct(report.tiers.llm.accuracy)} of them right; ` +
        `the local model's ${report.tiers.local.pairs}, ${pct(report.tiers.local.accuracy)} right`
      : `  unsure (confidence below ${report.unsure.below}, what the LLM tier would be asked): ${report.unsure.pairs} of ${report.linking.truePositives} linked pairs, ` +
        `${pct(report.unsure.accuracy)} of them read right against ${pct(report.unsure.sureAccuracy)} of the rest`,
  ];
  return lines.join('\n');
}
