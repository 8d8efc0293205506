import { INTENSIFIERS, LEXICON, PHRASES, type LexiconEntry, type LexiconGroup } from './lexicon.ts';
import { PLACEHOLDERS, normalizeText, tokenize, type Token } from './tokenize.ts';

/** Everything that shapes the feature vector; stored in the artifact so inference matches training. */
export interface FeatureConfig {
  hashBits: number;
  charMin: number;
  charMax: number;
  wordWeight: number;
  charWeight: number;
  denseWeight: number;
  /** Emit a separate copy of each word that sits after a contrast marker. */
  contrastCopies: boolean;
  wordTrigrams: boolean;
  /** 'token': n-grams inside each padded word, negated words in their own namespace; 'text': across the text. */
  charScope: 'text' | 'token';
  /** With the 'text' scope, negated lexicon words get their own character n-grams ("not bad"). */
  negatedLexiconChars: boolean;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  hashBits: 18,
  charMin: 2,
  charMax: 5,
  wordWeight: 1,
  charWeight: 1,
  denseWeight: 3,
  contrastCopies: true,
  wordTrigrams: false,
  charScope: 'text',
  negatedLexiconChars: true,
};

const GROUPS: readonly LexiconGroup[] = ['emotion', 'trouble', 'praise', 'politeness'];
export const DENSE_NAMES: readonly string[] = [
  ...GROUPS.flatMap((group) => [`lex_${group}_pos`, `lex_${group}_neg`]),
  'lex_contrast_pos',
  'lex_contrast_neg',
  'lex_negated_hits',
  'exclamations',
  'questions',
  'has_contrast',
  'shouted_words',
  'length',
  'has_code',
  'has_url',
  'emoticon_pos',
  'emoticon_neg',
];
export const DENSE_COUNT = DENSE_NAMES.length;

/** A sparse feature vector; indices may repeat (a repeated n-gram counts twice). */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
  length: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SEED_WORD = 0x9e3779b1;
const SEED_BIGRAM = 0x85ebca6b;
const SEED_TRIGRAM = 0xc2b2ae35;
const SEED_CONTRAST = 0x27d4eb2f;
const SEED_CHAR = 0x165667b1;
const SEED_CHAR_NEGATED = 0xd3a2646c;

export function hashString(text: string, seed: number): number {
  let hash = (FNV_OFFSET ^ seed) >>> 0;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x7feb352d);
  hash ^= hash >>> 15;
  return hash >>> 0;
}

/** Reusable output buffer: extraction allocates nothing per text once it has grown. */
export class FeatureBuffer {
  indices = new Int32Array(1024);
  values = new Float32Array(1024);
  length = 0;

  push(index: number, value: number): void {
    if (this.length === this.indices.length) {
      const indices = new Int32Array(this.length * 2);
      indices.set(this.indices);
      this.indices = indices;
      const values = new Float32Array(this.length * 2);
      values.set(this.values);
      this.values = values;
    }
    this.indices[this.length] = index;
    this.values[this.length] = value;
    this.length += 1;
  }

  scale(from: number, factor: number): void {
    for (let i = from; i < this.length; i += 1) this.values[i] = (this.values[i] ?? 0) * factor;
  }

  toVector(): SparseVector {
    return { indices: this.indices.slice(0, this.length), values: this.values.slice(0, this.length), length: this.length };
  }
}

export interface LexiconScores {
  positive: Record<LexiconGroup, number>;
  negative: Record<LexiconGroup, number>;
  contrastPositive: number;
  contrastNegative: number;
  negatedHits: number;
}

function matchPhrase(tokens: readonly Token[], at: number): { entry: LexiconEntry; length: number } | undefined {
  for (const phrase of PHRASES) {
    const { tokens: words } = phrase;
    if (tokens[at]?.text !== words[0] || at + words.length > tokens.length) continue;
    let matched = true;
    for (let j = 1; j < words.length; j += 1) {
      if (tokens[at + j]?.text !== words[j]) {
        matched = false;
        break;
      }
    }
    if (matched) return { entry: phrase.entry, length: words.length };
  }
  return undefined;
}

const PHRASE_STARTS = new Set(PHRASES.map((phrase) => phrase.tokens[0]));

/**
 * Sums lexicon polarity per group. A negated word flips and shrinks ("not bad" is mildly good);
 * an intensifier in front scales it. Phrases are read whole and not negated by their own "not".
 */
export function scoreLexicon(tokens: readonly Token[]): LexiconScores {
  const zero = (): Record<LexiconGroup, number> => ({ emotion: 0, trouble: 0, praise: 0, politeness: 0 });
  const scores: LexiconScores = { positive: zero(), negative: zero(), contrastPositive: 0, contrastNegative: 0, negatedHits: 0 };
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i];
    if (!token) break;
    let entry: LexiconEntry | undefined;
    let span = 1;
    let negated = token.negated;
    if (PHRASE_STARTS.has(token.text)) {
      const phrase = matchPhrase(tokens, i);
      if (phrase) {
        entry = phrase.entry;
        span = phrase.length;
      }
    }
    if (!entry) entry = LEXICON.get(token.text);
    else negated = false;
    if (entry) {
      let polarity = entry.polarity * (INTENSIFIERS.get(tokens[i - 1]?.text ?? '') ?? 1);
      if (negated) {
        polarity *= -0.6;
        scores.negatedHits += 1;
      }
      if (polarity > 0) scores.positive[entry.group] += polarity;
      else scores.negative[entry.group] -= polarity;
      if (token.afterContrast) {
        if (polarity > 0) scores.contrastPositive += polarity;
        else scores.contrastNegative -= polarity;
      }
    }
    i += span;
  }
  return scores;
}

function countShoutedWords(raw: string): number {
  let count = 0;
  for (const match of raw.matchAll(/\b[A-Z]{3,}\b/g)) if (!/^(?:API|URL|HTML|CSS|JSON|HTTP|SQL|XML|PHP|GPU|CPU|RAM|NPM|AWS|IDE|LLM|CLI|SDK|JVM|DOM|UTF|GCC|SSL|TLS|SSH|JWT|ORM|MVC|CRUD|REST|YAML|TODO|FIXME|NULL|README|PR)$/.test(match[0])) count += 1;
  return count;
}

function pushCharNgrams(padded: string, seed: number, config: FeatureConfig, mask: number, out: FeatureBuffer): void {
  const { charMin, charMax } = config;
  for (let i = 0; i + charMin <= padded.length; i += 1) {
    let hash = (FNV_OFFSET ^ seed) >>> 0;
    const end = Math.min(padded.length, i + charMax);
    for (let j = i; j < end; j += 1) {
      hash = Math.imul(hash ^ padded.charCodeAt(j), FNV_PRIME);
      if (j - i + 1 >= charMin) {
        let mixed = hash ^ (hash >>> 16);
        mixed = Math.imul(mixed, 0x7feb352d);
        out.push(((mixed ^ (mixed >>> 15)) >>> 0) & mask, 1);
      }
    }
  }
}

/** Upper-cases negated lexicon words so their character n-grams land apart from the plain ones. */
function markNegatedLexiconWords(normalized: string, tokens: readonly Token[]): string {
  let marked = '';
  let from = 0;
  for (const token of tokens) {
    if (!token.negated || !LEXICON.has(token.text)) continue;
    marked += normalized.slice(from, token.start) + normalized.slice(token.start, token.end).toUpperCase();
    from = token.end;
  }
  return from === 0 ? normalized : marked + normalized.slice(from);
}

/** Extracts the hashed and dense features of one text into `out` (cleared first). */
export function extractFeatures(raw: string, config: FeatureConfig, out: FeatureBuffer): void {
  out.length = 0;
  const mask = (1 << config.hashBits) - 1;
  const normalized = normalizeText(raw);
  const tokens = tokenize(normalized);

  let start = out.length;
  let previous = '<s>';
  let beforePrevious = '<s>';
  for (const token of tokens) {
    const text = token.negated ? `!${token.text}` : token.text;
    out.push(hashString(text, SEED_WORD) & mask, 1);
    out.push(hashString(`${previous} ${token.text}`, SEED_BIGRAM) & mask, 1);
    if (config.wordTrigrams) out.push(hashString(`${beforePrevious} ${previous} ${token.text}`, SEED_TRIGRAM) & mask, 1);
    if (config.contrastCopies && token.afterContrast && !token.punct) out.push(hashString(text, SEED_CONTRAST) & mask, 1);
    beforePrevious = previous;
    previous = token.text;
  }
  if (tokens.length > 0) out.push(hashString(`${previous} </s>`, SEED_BIGRAM) & mask, 1);
  if (out.length > start) out.scale(start, config.wordWeight / Math.sqrt(out.length - start));

  start = out.length;
  if (config.charScope === 'text') {
    const source = config.negatedLexiconChars ? markNegatedLexiconWords(normalized, tokens) : normalized;
    pushCharNgrams(` ${source} `, SEED_CHAR, config, mask, out);
  } else {
    for (const token of tokens) {
      if (!token.punct) pushCharNgrams(` ${token.text} `, token.negated ? SEED_CHAR_NEGATED : SEED_CHAR, config, mask, out);
    }
  }
  if (out.length > start) out.scale(start, config.charWeight / Math.sqrt(out.length - start));

  const lexicon = scoreLexicon(tokens);
  const dense: number[] = [];
  for (const group of GROUPS) dense.push(Math.log1p(lexicon.positive[group]), Math.log1p(lexicon.negative[group]));
  let exclamations = 0;
  let questions = 0;
  let emoticonPositive = 0;
  let emoticonNegative = 0;
  let hasContrast = 0;
  let hasCode = 0;
  let hasUrl = 0;
  for (const token of tokens) {
    if (token.punct) {
      if (token.text.includes('!')) exclamations += 1;
      if (token.text.includes('?')) questions += 1;
    } else if (token.afterContrast) hasContrast = 1;
    if (token.text === PLACEHOLDERS.emoPositive) emoticonPositive += 1;
    else if (token.text === PLACEHOLDERS.emoNegative) emoticonNegative += 1;
    else if (token.text === PLACEHOLDERS.code) hasCode = 1;
    else if (token.text === PLACEHOLDERS.url) hasUrl = 1;
  }
  dense.push(
    Math.log1p(lexicon.contrastPositive),
    Math.log1p(lexicon.contrastNegative),
    Math.log1p(lexicon.negatedHits),
    Math.log1p(exclamations),
    Math.log1p(questions),
    hasContrast,
    Math.log1p(countShoutedWords(raw.length > 5000 ? raw.slice(0, 5000) : raw)),
    Math.log1p(tokens.length) / 5,
    hasCode,
    hasUrl,
    Math.log1p(emoticonPositive),
    Math.log1p(emoticonNegative),
  );
  const base = mask + 1;
  dense.forEach((value, offset) => {
    if (value !== 0) out.push(base + offset, value * config.denseWeight);
  });
}
