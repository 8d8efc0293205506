import { INTENSIFIERS, LEXICON, PHRASES, type LexiconEntry, type LexiconGroup } from './lexicon.ts';
import { CONTRAST_MARKERS, PLACEHOLDERS, isNegator, normalizeText, tokenize, type Token } from './tokenize.ts';

/** Everything that shapes the feature vector; stored in the artifact so inference matches training. */
export interface FeatureConfig {
  hashBits: number;
  charMin: number;
  charMax: number;
  /** Scale of the word features of the target's own clause (all words, for a text without a target). */
  wordWeight: number;
  /** Scale of the words of the rest of the text, each relation to the target in its own namespace. */
  contextWeight: number;
  /** Scale of the words right before and after each mention of the target. */
  windowWeight: number;
  charWeight: number;
  denseWeight: number;
  /** Emit a separate copy of each word that sits after a contrast marker. */
  contrastCopies: boolean;
  /** Negated lexicon words get their own character n-grams ("not bad"). */
  negatedLexiconChars: boolean;
  /**
   * A negator whose scope holds a lexicon word is read only through that word ("not terrible" is
   * `!terrible`), so "not" carries the weight of negations without one ("doesn't follow the plan").
   */
  foldNegators: boolean;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  hashBits: 18,
  charMin: 2,
  charMax: 5,
  wordWeight: 1,
  contextWeight: 0.5,
  windowWeight: 0.5,
  charWeight: 1,
  denseWeight: 3,
  contrastCopies: true,
  negatedLexiconChars: true,
  foldNegators: true,
};

export interface TextSpan {
  start: number;
  end: number;
}

/** What a targeted reading is about: every mention of the target, and the mentions of other entities. */
export interface TargetSpans {
  spans: readonly TextSpan[];
  others: readonly TextSpan[];
}

const GROUPS: readonly LexiconGroup[] = ['emotion', 'trouble', 'praise', 'politeness', 'appraisal'];
const PATTERN_NAMES = ['switch_from', 'switch_to', 'cancel', 'winner', 'loser', 'yardstick', 'recommend'] as const;
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
  'targeted',
  'context_lex_pos',
  'context_lex_neg',
  'document_lex_pos',
  'document_lex_neg',
  'target_in_question',
  'target_count',
  'other_entities',
  'target_in_first_sentence',
  ...PATTERN_NAMES.map((name) => `pattern_${name}`),
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
const SEED_CONTRAST = 0x27d4eb2f;
const SEED_CHAR = 0x165667b1;
const SEED_WINDOW = 0x4cf5ad43;
/** Offsets the word seeds per relation to the target, so each relation has its own namespace. */
const RELATION_SEED_STEP = 0x632be5ab;

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
  const zero = (): Record<LexiconGroup, number> => ({ emotion: 0, trouble: 0, praise: 0, politeness: 0, appraisal: 0 });
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
  for (const match of raw.matchAll(/\b[A-Z]{3,}\b/g))
    if (
      !/^(?:API|URL|HTML|CSS|JSON|HTTP|SQL|XML|PHP|GPU|CPU|RAM|NPM|AWS|IDE|LLM|CLI|SDK|JVM|DOM|UTF|GCC|SSL|TLS|SSH|JWT|ORM|MVC|CRUD|REST|YAML|TODO|FIXME|NULL|README|PR)$/.test(
        match[0],
      )
    )
      count += 1;
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

/**
 * Where a token sits relative to the target. A text read without a target is all "own clause".
 * Clauses end at sentence ends, line breaks, semicolons and before a contrast marker.
 */
const Relation = {
  /** A clause that mentions the target (or the whole text when there is no target). */
  OwnClause: 0,
  /** Another clause of a sentence that mentions the target, naming no other entity. */
  OwnSentence: 1,
  /** One of the two sentences after a mention, until one names another entity. */
  Following: 2,
  /** A clause that names another entity and not the target. */
  OtherClause: 3,
  /** Anything else in the post. */
  Elsewhere: 4,
} as const;
type Relation = (typeof Relation)[keyof typeof Relation];

export const TARGET_TOKEN = 'xxtgt';
export const OTHER_TOKEN = 'xxent';
const FOLLOWING_SENTENCES = 2;
const WINDOW = 3;

const MENTION_WORD = 'xxmention';
const NUMBERED_MENTION = /\bxxmention(\d+)\b/g;

/** A text tokenized once, every mention of target i replaced by the placeholder word "xxmention<i>". */
export interface PreparedText {
  raw: string;
  normalized: string;
  tokens: Token[];
}

export function prepareText(raw: string, targets: ReadonlyArray<readonly TextSpan[]> = []): PreparedText {
  const marks = targets
    .flatMap((spans, i) => spans.map((span) => ({ ...span, word: `${MENTION_WORD}${i}` })))
    .sort((a, b) => a.start - b.start);
  let marked = '';
  let from = 0;
  for (const mark of marks) {
    if (mark.start < from || mark.end > raw.length) continue;
    marked += `${raw.slice(from, mark.start)} ${mark.word} `;
    from = mark.end;
  }
  const normalized = normalizeText(marked + raw.slice(from));
  return { raw, normalized, tokens: tokenize(normalized) };
}

/** The prepared text read toward target `index`: its mentions become the target, the rest other entities. */
function viewToward(prepared: PreparedText, index: number): { normalized: string; tokens: Token[] } {
  const own = `${MENTION_WORD}${index}`;
  const rename = (word: string): string => (word === own ? TARGET_TOKEN : OTHER_TOKEN);
  return {
    normalized: prepared.normalized.replace(NUMBERED_MENTION, (word) => rename(word)),
    tokens: prepared.tokens.map((token) => (token.text.startsWith(MENTION_WORD) ? { ...token, text: rename(token.text) } : token)),
  };
}

function isSentenceEnd(token: Token): boolean {
  return token.text === PLACEHOLDERS.lineBreak || (token.punct && /^[.!?]/.test(token.text));
}

/** Relation of each token to the target; all OwnClause when the text has no target token. */
/** Tokens a clause must hold before a comma can end it: shorter runs are list items ("Cursor, Zed and Aider"). */
const MIN_COMMA_CLAUSE = 4;

/**
 * "X was useless for this, Y nailed it": a comma followed by a mention starts a new clause when
 * the clause before it already names an entity and is long enough to be a statement of its own.
 */
function startsAsideClause(tokens: readonly Token[], i: number, clauseStart: number, clauseHasMention: boolean): boolean {
  const next = tokens[i + 1]?.text;
  return (
    tokens[i]?.text === ',' && clauseHasMention && i - clauseStart >= MIN_COMMA_CLAUSE && (next === TARGET_TOKEN || next === OTHER_TOKEN)
  );
}

function relate(tokens: readonly Token[]): Uint8Array {
  const relations = new Uint8Array(tokens.length);
  const clauseOf = new Int32Array(tokens.length);
  const sentenceOf = new Int32Array(tokens.length);
  let clause = 0;
  let sentence = 0;
  const targetClauses = new Set<number>();
  const targetSentences = new Set<number>();
  const otherClauses = new Set<number>();
  const otherSentences = new Set<number>();
  let clauseStart = 0;
  let clauseHasMention = false;
  tokens.forEach((token, i) => {
    if (CONTRAST_MARKERS.has(token.text) || token.text === ';' || startsAsideClause(tokens, i, clauseStart, clauseHasMention)) {
      clause += 1;
      clauseStart = i;
      clauseHasMention = false;
    }
    if (token.text === TARGET_TOKEN || token.text === OTHER_TOKEN) clauseHasMention = true;
    clauseOf[i] = clause;
    sentenceOf[i] = sentence;
    if (token.text === TARGET_TOKEN) {
      targetClauses.add(clause);
      targetSentences.add(sentence);
    } else if (token.text === OTHER_TOKEN) {
      otherClauses.add(clause);
      otherSentences.add(sentence);
    }
    if (isSentenceEnd(token)) {
      clause += 1;
      sentence += 1;
      clauseStart = i + 1;
      clauseHasMention = false;
    }
  });
  if (targetClauses.size === 0) return relations;
  const following = new Set<number>();
  for (const first of targetSentences) {
    for (let s = first + 1; s <= first + FOLLOWING_SENTENCES && !targetSentences.has(s) && !otherSentences.has(s); s += 1) following.add(s);
  }
  tokens.forEach((_, i) => {
    const c = clauseOf[i]!;
    const s = sentenceOf[i]!;
    if (targetClauses.has(c)) relations[i] = Relation.OwnClause;
    else if (otherClauses.has(c)) relations[i] = Relation.OtherClause;
    else if (targetSentences.has(s)) relations[i] = Relation.OwnSentence;
    else if (following.has(s)) relations[i] = Relation.Following;
    else relations[i] = Relation.Elsewhere;
  });
  return relations;
}

type PatternName = (typeof PATTERN_NAMES)[number];
const T = TARGET_TOKEN;
const O = OTHER_TOKEN;
const MOVE =
  '(?:switch\\w*|mov(?:e|ed|es|ing)|migrat\\w*|went|go|going|gone|came|come|coming|jump\\w*|port(?:ed|ing)?|transition\\w*|convert\\w*)';
const GAP = "(?: [\\w']+){0,2}";
/** Phrases that say how the author moves or ranks relative to the target, on the normalized marked text. */
const PATTERNS: Record<PatternName, RegExp[]> = {
  switch_from: [new RegExp(`\\b${MOVE}${GAP} from ${T}\\b`), new RegExp(`\\b${T} ?(?:->|→|=>) ?${O}\\b`)],
  switch_to: [
    new RegExp(`\\b${MOVE}${GAP} (?:to|with) ${T}\\b`),
    new RegExp(`\\bfrom ${O}${GAP} to ${T}\\b`),
    new RegExp(`\\breplac\\w*${GAP} with ${T}\\b`),
    new RegExp(`\\b${O} ?(?:->|→|=>) ?${T}\\b`),
  ],
  cancel: [
    new RegExp(
      `\\b(?:cancel\\w*|unsubscrib\\w*|ditch\\w*|dropp?(?:ed|ing)?|uninstall\\w*|abandon\\w*|quit|quitting|dump\\w*|stopp?\\w* using|done with|fed up with|gave up on|give up on|giving up on|replac\\w*)${GAP} ${T}\\b`,
    ),
  ],
  winner: [
    new RegExp(
      `\\b${T}(?: [\\w']+){0,3} (?:better|superior|faster|smarter|ahead|beats?|outperform\\w*|wins?|crush\\w*|destroy\\w*|blows?|smokes?|mogs?)\\b`,
    ),
    new RegExp(`\\b${T} ?>+ ?${O}\\b`),
  ],
  loser: [
    new RegExp(`\\b(?:better|superior|faster|smarter|cheaper|ahead|more \\w+) (?:than|of) ${T}\\b`),
    new RegExp(`\\b(?:beats?|outperforms?|crush\\w*|destroys?|smokes?|blows?|mogs?) ${T}\\b`),
    new RegExp(`\\b${O} ?>+ ?${T}\\b`),
  ],
  recommend: [
    new RegExp(
      `\\b(?:try|recommend\\w*|check out|go with|stick(?:ing)? (?:with|to)|prefer\\w*|swear by|switch to)(?: [\\w']+){0,1} ${T}\\b`,
    ),
    new RegExp(`\\b${T}(?: is| has been)? (?:my|the) (?:go to|favorite|favourite|daily driver|way to go|best)\\b`),
  ],
  yardstick: [
    new RegExp(`\\b(?:as \\w+ as|on par with|comparable to|similar to|close to|level of|equivalent to|compared to|vs\\.?|versus) ${T}\\b`),
  ],
};

function addLexicon(scores: LexiconScores): { positive: number; negative: number } {
  let positive = 0;
  let negative = 0;
  for (const group of GROUPS) {
    if (group === 'politeness') continue;
    positive += scores.positive[group];
    negative += scores.negative[group];
  }
  return { positive, negative };
}

/**
 * The negators whose scope holds a lexicon word, read through that word alone
 * (FeatureConfig.foldNegators); undefined when there are none, as in most texts.
 */
function foldedNegators(tokens: readonly Token[]): Set<Token> | undefined {
  let folded: Set<Token> | undefined;
  let negator: Token | undefined;
  for (const token of tokens) {
    if (isNegator(token.text)) negator = token;
    else if (!token.negated) negator = undefined;
    else if (negator && LEXICON.has(token.text)) (folded ??= new Set()).add(negator);
  }
  return folded;
}

/** Extracts the features of one text, read toward `target` when given (see extractPreparedFeatures). */
export function extractFeatures(raw: string, config: FeatureConfig, out: FeatureBuffer, target?: TargetSpans): void {
  if (target) extractPreparedFeatures(prepareText(raw, [target.spans, target.others]), 0, config, out);
  else extractPreparedFeatures(prepareText(raw), undefined, config, out);
}

/**
 * Extracts the hashed and dense features of a prepared text into `out` (cleared first). Read toward
 * target `index`, that target's mentions become one placeholder word and every other mention
 * another, and every word is read in the namespace of its relation to the target: its own clause,
 * the rest of its sentence, the sentences after it, another entity's clause, or elsewhere in the
 * post. Without an index the whole text is read as one clause.
 */
export function extractPreparedFeatures(
  prepared: PreparedText,
  index: number | undefined,
  config: FeatureConfig,
  out: FeatureBuffer,
): void {
  out.length = 0;
  const mask = (1 << config.hashBits) - 1;
  const raw = prepared.raw;
  const { normalized, tokens } = index === undefined ? prepared : viewToward(prepared, index);
  const relations = relate(tokens);
  const folded = config.foldNegators ? foldedNegators(tokens) : undefined;
  const targeted = index !== undefined && tokens.some((token) => token.text === TARGET_TOKEN);

  // Word unigrams and bigrams, one namespace per relation, each scaled by its own count.
  for (let relation = 0; relation < 5; relation += 1) {
    const start = out.length;
    const seedOffset = Math.imul(relation, RELATION_SEED_STEP);
    let previous = '<s>';
    let emitted = false;
    for (let i = 0; i < tokens.length; i += 1) {
      const token = tokens[i]!;
      if (relations[i] !== relation) {
        previous = '<s>';
        continue;
      }
      if (token.text === PLACEHOLDERS.lineBreak) {
        previous = '<s>';
        continue;
      }
      if (folded?.has(token)) continue;
      const text = token.negated ? `!${token.text}` : token.text;
      out.push(hashString(text, (SEED_WORD + seedOffset) >>> 0) & mask, 1);
      out.push(hashString(`${previous} ${token.text}`, (SEED_BIGRAM + seedOffset) >>> 0) & mask, 1);
      if (relation === Relation.OwnClause && config.contrastCopies && token.afterContrast && !token.punct) {
        out.push(hashString(text, SEED_CONTRAST) & mask, 1);
      }
      previous = token.text;
      emitted = true;
    }
    if (emitted && relation === Relation.OwnClause) out.push(hashString(`${previous} </s>`, SEED_BIGRAM) & mask, 1);
    if (out.length > start) {
      out.scale(start, (relation === Relation.OwnClause ? config.wordWeight : config.contextWeight) / Math.sqrt(out.length - start));
    }
  }

  // The words right around each mention of the target, by position.
  if (targeted) {
    const start = out.length;
    tokens.forEach((token, i) => {
      if (token.text !== TARGET_TOKEN) return;
      for (let offset = -WINDOW; offset <= WINDOW; offset += 1) {
        const neighbour = tokens[i + offset];
        if (offset === 0 || !neighbour) continue;
        out.push(hashString(`${offset}:${neighbour.negated ? '!' : ''}${neighbour.text}`, SEED_WINDOW) & mask, 1);
      }
    });
    if (out.length > start) out.scale(start, config.windowWeight / Math.sqrt(out.length - start));
  }

  // Character n-grams of the target's own clauses (the whole text without a target).
  const own = tokens.filter((_, i) => relations[i] === Relation.OwnClause && tokens[i]!.text !== PLACEHOLDERS.lineBreak);
  const start = out.length;
  // The lexicon and the dense features below read the whole clause: a phrase such as "not working" starts with its negator.
  const charSource = (folded ? own.filter((token) => !folded.has(token)) : own)
    .map((token) => (config.negatedLexiconChars && token.negated && LEXICON.has(token.text) ? token.text.toUpperCase() : token.text))
    .join(' ');
  pushCharNgrams(` ${charSource} `, SEED_CHAR, config, mask, out);
  if (out.length > start) out.scale(start, config.charWeight / Math.sqrt(out.length - start));

  const lexicon = scoreLexicon(own);
  const dense: number[] = [];
  for (const group of GROUPS) dense.push(Math.log1p(lexicon.positive[group]), Math.log1p(lexicon.negative[group]));
  let exclamations = 0;
  let questions = 0;
  let emoticonPositive = 0;
  let emoticonNegative = 0;
  let hasContrast = 0;
  let hasCode = 0;
  let hasUrl = 0;
  for (const token of own) {
    if (token.punct) {
      if (token.text.includes('!')) exclamations += 1;
      if (token.text.includes('?')) questions += 1;
    } else if (token.afterContrast) hasContrast = 1;
    if (token.text === PLACEHOLDERS.emoPositive) emoticonPositive += 1;
    else if (token.text === PLACEHOLDERS.emoNegative) emoticonNegative += 1;
  }
  for (const token of tokens) {
    if (token.text === PLACEHOLDERS.code) hasCode = 1;
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
  if (targeted) {
    const context = addLexicon(
      scoreLexicon(tokens.filter((_, i) => relations[i] === Relation.OwnSentence || relations[i] === Relation.Following)),
    );
    const document = addLexicon(scoreLexicon(tokens));
    let targetCount = 0;
    let others = 0;
    let inQuestion = 0;
    let inFirstSentence = 0;
    let sentenceStart = 0;
    let firstSentence = true;
    let sentenceHasTarget = false;
    tokens.forEach((token, i) => {
      if (token.text === TARGET_TOKEN) {
        targetCount += 1;
        sentenceHasTarget = true;
        if (firstSentence) inFirstSentence = 1;
      } else if (token.text === OTHER_TOKEN) others += 1;
      if (isSentenceEnd(token) || i === tokens.length - 1) {
        if (sentenceHasTarget && tokens.slice(sentenceStart, i + 1).some((t) => t.punct && t.text.includes('?'))) inQuestion = 1;
        sentenceStart = i + 1;
        sentenceHasTarget = false;
        firstSentence = false;
      }
    });
    dense.push(
      1,
      Math.log1p(context.positive),
      Math.log1p(context.negative),
      Math.log1p(document.positive),
      Math.log1p(document.negative),
      inQuestion,
      Math.log1p(targetCount),
      Math.log1p(others),
      inFirstSentence,
      ...PATTERN_NAMES.map((name) => (PATTERNS[name].some((pattern) => pattern.test(normalized)) ? 1 : 0)),
    );
  }
  const base = mask + 1;
  dense.forEach((value, offset) => {
    if (value !== 0) out.push(base + offset, value * config.denseWeight);
  });
}
