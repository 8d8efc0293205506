import { Disambiguation } from '../../core/entity.ts';
import {
  compileAliasPattern,
  isCjkCode,
  isWordCode,
  listAliasKeys,
  readLiteralPrefix,
  readWordKey,
  startsWithFolded,
  toNumericKey,
} from './alias-pattern.ts';
import { maskNonProse } from './mask-non-prose.ts';
import { TermIndex, tokenizeWords } from './term-set.ts';
import type { DocumentTerms } from './term-set.ts';
import { hasCodePrefix, isSentenceStart, readNextWord, readPreviousWord, readSentenceBounds, readVerbAfter } from './text-clues.ts';

/** An entity as the linker needs it; user-added entities arrive from the database in this shape. */
export interface LinkableEntity {
  slug: string;
  parent: string | null;
  aliases: string[];
  name: string;
  disambiguation: Disambiguation;
}

export interface TextSpan {
  start: number;
  end: number;
}

export interface LinkedMention {
  slug: string;
  /** The text of the first mention (for an ancestor: of the first mention that implied it). */
  matchedText: string;
  start: number;
  end: number;
  /** False for an ancestor implied by a mention of one of its descendants. */
  direct: boolean;
  spans: TextSpan[];
}

export interface Linker {
  link(text: string): LinkedMention[];
}

interface AliasRule {
  entity: number;
  surface: string;
  pattern: RegExp;
  /** Literal start of the alias, checked before running the regex. */
  prefix: string;
  caseSensitivePrefix: string | null;
  ambiguous: boolean;
  strict: boolean;
  caseSensitive: boolean;
  titleCase: boolean;
  /** The alias carries a version slot: "Sonnet 4.5" is far likelier a model than a bare "Sonnet". */
  versioned: boolean;
  /** A phrase that names something else ("Qwen Code"): when it is the longest match, nothing links there. */
  nonMention: boolean;
}

/** Aliases filed under one word key that share a literal start, tested once for all of them. */
interface PrefixGroup {
  prefix: string;
  rules: AliasRule[];
}

interface EntityRules {
  slug: string;
  ancestors: number[];
  prior: number;
  personLike: boolean;
  /** Term set ids in the linker's TermIndex. */
  context: number;
  antiContext: number;
  antiPrefix: Set<string>;
  contextPrefix: Set<string>;
  antiSuffix: Set<string>;
  contextSuffix: Set<string>;
}

interface Occurrence {
  start: number;
  end: number;
  text: string;
  rules: AliasRule[];
  entities: number[];
  /** Context and anti-context counts around this occurrence, per candidate entity. */
  local: Map<number, { context: number; anti: number }>;
}

const CONTEXT_WINDOW = 80;
const COLINK_WINDOW = 30;
const VERSION_BONUS = 1.5;
const ACCEPT_SCORE = 1;
const POSSESSIVE = /^['’]s(?![\p{L}])/u;
/** "OpenAI-compatible" names an API shape, not the vendor. */
const DESCRIPTOR_SUFFIX = /^-compatible(?![\p{L}])/iu;

function toLowerSet(words: string[] | undefined): Set<string> {
  return new Set((words ?? []).map((w) => w.toLowerCase().replace(/’/g, "'")));
}

function resolveAncestors(entities: LinkableEntity[], index: Map<string, number>): number[][] {
  return entities.map((entity, self) => {
    const chain: number[] = [];
    const seen = new Set<number>([self]);
    let parent = entity.parent === null ? undefined : index.get(entity.parent);
    while (parent !== undefined && !seen.has(parent)) {
      chain.push(parent);
      seen.add(parent);
      const next = entities[parent]?.parent;
      parent = next === null || next === undefined ? undefined : index.get(next);
    }
    return chain;
  });
}

/** "google" for "Google", "meta" for "Meta": a lower-case spelling of a capitalised name reads like one. */
function isLowerCaseOfName(alias: string, name: string): boolean {
  return alias === alias.toLowerCase() && /^\p{Lu}/u.test(name) && name.toLowerCase().startsWith(alias);
}

function buildAliasRules(entity: LinkableEntity, entityIndex: number, rules: EntityRules): AliasRule[] {
  const d = entity.disambiguation;
  const strict = new Set(d.strictAliases ?? []);
  const ambiguous = new Set([...d.ambiguousAliases, ...strict]);
  const caseSensitive = new Set(d.caseSensitiveAliases);
  const nonMentions = new Set(d.nonMentions ?? []);
  const ambiguousLower = new Set([...ambiguous].map((a) => a.toLowerCase()));
  const surfaces = [...entity.aliases, ...ambiguous, ...caseSensitive].filter((s) => !nonMentions.has(s));
  if (!ambiguousLower.has(entity.name.toLowerCase())) surfaces.push(entity.name);
  // Phrases that are not this entity come first, so an alias spelled the same way cannot shadow them.
  surfaces.unshift(...nonMentions);

  const seen = new Set<string>();
  const out: AliasRule[] = [];
  for (const surface of surfaces) {
    const text = surface.trim();
    const cs = caseSensitive.has(text);
    const key = cs ? `cs:${text}` : `ci:${text.toLowerCase()}`;
    if (text.length === 0 || seen.has(key)) continue;
    seen.add(key);
    out.push({
      entity: entityIndex,
      surface: text,
      // A firm name may take a glued "s" ("Anthropics win"); an ambiguous one may not ("cursors", "Geminis").
      pattern: compileAliasPattern(text, cs, !ambiguous.has(text) && !nonMentions.has(surface)),
      prefix: readLiteralPrefix(text),
      caseSensitivePrefix: cs ? (/^[^\s_{-]*/.exec(text)?.[0] ?? '') : null,
      ambiguous: ambiguous.has(text),
      strict: strict.has(text),
      caseSensitive: cs,
      titleCase: (/^\p{Lu}\p{Ll}/u.test(text) || isLowerCaseOfName(text, entity.name)) && !rules.personLike,
      versioned: text.includes('{v}'),
      nonMention: nonMentions.has(surface),
    });
  }
  return out;
}

export function createLinker(input: LinkableEntity[]): Linker {
  const entities = input.map((e) => ({ ...e, disambiguation: Disambiguation.parse(e.disambiguation) }));
  const index = new Map(entities.map((e, i) => [e.slug, i] as const));
  const ancestors = resolveAncestors(entities, index);
  const terms = new TermIndex();
  const entityRules: EntityRules[] = entities.map((e, i) => ({
    slug: e.slug,
    ancestors: ancestors[i] ?? [],
    prior: e.disambiguation.prior ?? 0,
    personLike: e.disambiguation.personLike ?? false,
    context: terms.addSet(e.disambiguation.context),
    antiContext: terms.addSet(e.disambiguation.antiContext),
    antiPrefix: toLowerSet(e.disambiguation.antiPrefix),
    contextPrefix: toLowerSet(e.disambiguation.contextPrefix),
    antiSuffix: toLowerSet(e.disambiguation.antiSuffix),
    contextSuffix: toLowerSet(e.disambiguation.contextSuffix),
  }));

  const rulesByKey = new Map<number, PrefixGroup[]>();
  entities.forEach((entity, i) => {
    const rules = entityRules[i];
    if (rules === undefined) return;
    for (const rule of buildAliasRules(entity, i, rules)) {
      for (const key of listAliasKeys(rule.surface).map(toNumericKey)) {
        const groups = rulesByKey.get(key) ?? [];
        const group = groups.find((g) => g.prefix === rule.prefix);
        if (group === undefined) groups.push({ prefix: rule.prefix, rules: [rule] });
        else group.rules.push(rule);
        rulesByKey.set(key, groups);
      }
    }
  });

  return { link: (text) => linkText(text, rulesByKey, entityRules, terms) };
}

/**
 * The longest alias match at `at`, with one rule per entity (a firm alias beats an ambiguous one).
 * A non-mention phrase among the longest matches removes its own entity there; when no other entity
 * matches as long, the span is consumed and links nothing.
 */
function matchLongest(masked: string, at: number, groups: PrefixGroup[]): { length: number; rules: AliasRule[] } {
  let length = 0;
  let rules: AliasRule[] = [];
  for (const group of groups) {
    if (!startsWithFolded(masked, at, group.prefix, null)) continue;
    for (const rule of group.rules) {
      if (rule.caseSensitivePrefix !== null && !masked.startsWith(rule.caseSensitivePrefix, at)) continue;
      rule.pattern.lastIndex = at;
      const hit = rule.pattern.exec(masked);
      if (hit === null) continue;
      const hitLength = hit[0].length;
      if (hitLength > length) {
        length = hitLength;
        rules = [rule];
      } else if (hitLength === length) {
        const same = rules.findIndex((r) => r.entity === rule.entity);
        if (same === -1) rules.push(rule);
        else if (rule.nonMention || (rules[same]?.ambiguous && !rules[same]?.nonMention && !rule.ambiguous)) rules[same] = rule;
      }
    }
  }
  return { length, rules: rules.some((r) => r.nonMention) ? rules.filter((r) => !r.nonMention) : rules };
}

/** "r/ChatGPT", "u/cursor", "/r/OpenAI": a subreddit or a user name, not a mention. */
function isCommunityName(masked: string, start: number): boolean {
  if (masked[start - 1] !== '/' || start < 2) return false;
  const letter = masked.charCodeAt(start - 2) | 32;
  if (letter !== 114 && letter !== 117) return false;
  return start < 3 || !isWordCode(masked.charCodeAt(start - 3));
}

/** A path ("~/x", "./x", "/x", "C:\\x") or an npm scope ("@openai/codex"). */
const PATH_START = /^[("'“‘[*_]*(?:[~.]{0,2}\/|\\|[A-Za-z]:\\|@[\w.-]+\/)/;

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r';
}

/** Where the run of non-space characters holding `at` starts. */
function readTokenStart(masked: string, at: number): number {
  let j = at;
  while (j > 0 && !isSpace(masked[j - 1])) j -= 1;
  return j;
}

/** Where the run of non-space characters holding `at` ends. */
function readTokenEnd(masked: string, at: number): number {
  let j = at;
  while (j < masked.length && !isSpace(masked[j])) j += 1;
  return j;
}

/** "claude --debug", "codex -m o3": a lower-case name followed by a command-line flag is a command. */
const COMMAND_FLAG = /^ {1,2}-{1,2}[a-z]/;
/** "--model Qwen/Qwen3-8B", "--chat-template Mistral": the value of a command-line option. */
const OPTION_BEFORE = /(?:^|\s)(?:--?[a-z][\w-]*[ =]|-- )$/;

/**
 * Names that are not prose even outside code marks: subreddits and user names ("r/codex", "@cursor"),
 * paths and npm scopes ("~/.claude/x", "@openai/codex"), dotfiles (".cursorrules"), HTML entities
 * ("&amp;"), command lines.
 */
function isNotProse(masked: string, start: number, end: number): boolean {
  if (isCommunityName(masked, start)) return true;
  const before = masked[start - 1];
  // "&amp;" is an HTML entity, "@codex" a user name, ".cursorrules" a dotfile.
  if (before === '&' || before === '@' || (before === '.' && (start < 2 || !isWordCode(masked.charCodeAt(start - 2))))) return true;
  const tokenStart = readTokenStart(masked, start);
  // "~/.claude/plugins/claude-code-plugins/x": a name inside a file path.
  if (tokenStart < start && PATH_START.test(masked.slice(tokenStart, start))) return true;
  if (OPTION_BEFORE.test(masked.slice(Math.max(0, tokenStart - 40), tokenStart + (before === '=' ? 1 : 0)))) return true;
  if (masked.charCodeAt(end) !== 32) return false;
  const text = masked.slice(start, end);
  return text === text.toLowerCase() && COMMAND_FLAG.test(masked.slice(end, end + 5));
}

function findOccurrences(masked: string, rulesByKey: Map<number, PrefixGroup[]>): Occurrence[] {
  const found: Occurrence[] = [];
  const length = masked.length;
  let i = 0;
  while (i < length) {
    const code = masked.charCodeAt(i);
    if (!isWordCode(code) || isCjkCode(code)) {
      i += 1;
      continue;
    }
    let wordEnd = i + 1;
    while (wordEnd < length && isWordCode(masked.charCodeAt(wordEnd)) && !isCjkCode(masked.charCodeAt(wordEnd))) wordEnd += 1;
    const groups = rulesByKey.get(readWordKey(masked, i, wordEnd));
    if (groups === undefined) {
      i = wordEnd;
      continue;
    }
    const best = matchLongest(masked, i, groups);
    const bestLength = best.length;
    if (bestLength === 0) {
      i = wordEnd;
      continue;
    }
    const start = i;
    i = start + bestLength;
    if (best.rules.length === 0 || isNotProse(masked, start, i)) continue;
    if (DESCRIPTOR_SUFFIX.test(masked.slice(i, i + 16))) continue;
    found.push({ start, end: i, text: masked.slice(start, i), rules: best.rules, entities: [], local: new Map() });
  }
  return found;
}

interface DocumentEvidence {
  masked: string;
  index: TermIndex;
  terms: DocumentTerms | null;
  accepted: Set<number>;
  /** Entities whose name this post also uses in another sense (an occurrence with only anti-context). */
  otherSense: Set<number>;
  docContext: Map<number, { context: number; anti: number }>;
}

function readTerms(doc: DocumentEvidence): DocumentTerms {
  doc.terms ??= doc.index.scan(doc.masked, tokenizeWords(doc.masked));
  return doc.terms;
}

function readDocumentContext(doc: DocumentEvidence, entity: number, rules: EntityRules): { context: number; anti: number } {
  let counts = doc.docContext.get(entity);
  if (counts === undefined) {
    const terms = readTerms(doc);
    counts = {
      context: terms.count(rules.context, 0, doc.masked.length),
      anti: terms.count(rules.antiContext, 0, doc.masked.length),
    };
    doc.docContext.set(entity, counts);
  }
  return counts;
}

/** A second sense of a surface already linked (the vendor behind "DeepSeek") needs a cue right beside it. */
function hasNearbyCue(occ: Occurrence, rules: EntityRules, doc: DocumentEvidence, vendor: boolean): boolean {
  return (vendor ? vendorCueDistance(occ, rules, doc) : cueDistance(occ, rules, doc)) <= COLINK_WINDOW;
}

function readLocalContext(occ: Occurrence, entity: number, rules: EntityRules, doc: DocumentEvidence): { context: number; anti: number } {
  let counts = occ.local.get(entity);
  if (counts === undefined) {
    const terms = readTerms(doc);
    const from = Math.max(0, occ.start - CONTEXT_WINDOW);
    const to = occ.end + CONTEXT_WINDOW;
    counts = {
      context: terms.count(rules.context, from, to, occ.start, occ.end),
      anti: terms.count(rules.antiContext, from, to, occ.start, occ.end),
    };
    occ.local.set(entity, counts);
  }
  return counts;
}

/** The word right after the name, or its verb past auxiliaries ("Mistral will release"), is a contextSuffix word. */
function hasContextSuffix(masked: string, occ: Occurrence, next: string | null, rules: EntityRules): boolean {
  if (rules.contextSuffix.size === 0) return false;
  if (next !== null && rules.contextSuffix.has(next)) return true;
  const verb = readVerbAfter(masked, occ.end);
  return verb !== null && verb !== next && rules.contextSuffix.has(verb);
}

function scoreCandidate(occ: Occurrence, rule: AliasRule, rules: EntityRules, doc: DocumentEvidence): number {
  const { masked } = doc;
  if (hasCodePrefix(masked, occ.start)) return -Infinity;
  const { context: localContext, anti: localAnti } = readLocalContext(occ, rule.entity, rules, doc);
  const previous = readPreviousWord(masked, occ.start);
  const next = readNextWord(masked, occ.end);
  const sameElsewhere = doc.accepted.has(rule.entity);
  const othersElsewhere = [...doc.accepted].some((e) => e !== rule.entity);
  const prefixSupports = previous !== null && rules.contextPrefix.has(previous);
  const suffixSupports = hasContextSuffix(masked, occ, next, rules);
  const wide = readDocumentContext(doc, rule.entity, rules);
  if (rule.strict) {
    const supported = localContext > 0 || sameElsewhere || prefixSupports || suffixSupports || (othersElsewhere && wide.anti === 0);
    if (!supported || localAnti > 0) return -Infinity;
  }

  const lower = occ.text === occ.text.toLowerCase();
  const title = /^\p{Lu}\p{Ll}/u.test(occ.text);
  const strongPenalty = lower || rules.personLike ? 3 : 1.5;
  let score = rules.prior + (rule.versioned ? VERSION_BONUS : 0);
  if (rule.titleCase) {
    const atStart = isSentenceStart(masked, occ.start);
    if (title) score += atStart ? (rule.caseSensitive ? -0.5 : 0) : 1;
    else if (lower && !atStart) score -= 0.5;
    if (title && POSSESSIVE.test(masked.slice(occ.end, occ.end + 3))) score += 1;
  }
  if (previous !== null && rules.antiPrefix.has(previous)) score -= strongPenalty;
  if (prefixSupports) score += 1;
  if (suffixSupports) score += 1;
  if (next !== null && rules.antiSuffix.has(next)) score -= strongPenalty;
  score += 1.5 * Math.min(localContext, 2) - 3 * Math.min(localAnti, 2);
  score += 0.5 * Math.min(Math.max(wide.context - localContext, 0), 2);
  score -= Math.min(Math.max(wide.anti - localAnti, 0), 2);
  if (sameElsewhere) score += 2;
  if (othersElsewhere) score += 1;
  if (rules.ancestors.some((a) => doc.accepted.has(a))) score += 1;
  // One sense per post: "NASA's Gemini program ... Gemini 7 over the Pacific".
  if (doc.otherSense.has(rule.entity) && localContext === 0 && localAnti === 0) score -= 3;
  return score;
}

function isRelated(a: number, b: number, entityRules: EntityRules[]): boolean {
  return (entityRules[a]?.ancestors.includes(b) ?? false) || (entityRules[b]?.ancestors.includes(a) ?? false);
}

/**
 * Senses of one surface compete ("Copilot": GitHub's or Microsoft's), except that a vendor and its own
 * product sharing a name may both be meant ("DeepSeek published V3.1").
 */
function resolveOccurrence(occ: Occurrence, entityRules: EntityRules[], doc: DocumentEvidence): number[] {
  const accepted = occ.rules.filter((r) => !r.ambiguous).map((r) => r.entity);
  const scored: Array<{ entity: number; score: number }> = [];
  for (const rule of occ.rules) {
    const rules = entityRules[rule.entity];
    if (!rule.ambiguous || rules === undefined || accepted.includes(rule.entity)) continue;
    const vendor = accepted.some((a) => entityRules[a]?.ancestors.includes(rule.entity) ?? false);
    if (accepted.length > 0 && !hasNearbyCue(occ, rules, doc, vendor)) continue;
    const score = scoreCandidate(occ, rule, rules, doc);
    if (score >= ACCEPT_SCORE) scored.push({ entity: rule.entity, score });
  }
  scored.sort((a, b) => b.score - a.score);
  for (const { entity } of scored) {
    if (accepted.every((other) => isRelated(entity, other, entityRules))) accepted.push(entity);
  }
  return accepted.length < 2 ? accepted : keepOneOfVendorAndProduct(occ, accepted, entityRules, doc);
}

/**
 * How close the nearest clue for `rules` is: 0 for a contextPrefix/contextSuffix word, else the gap to
 * the nearest context word in the same sentence and within the context window.
 */
function cueDistance(occ: Occurrence, rules: EntityRules, doc: DocumentEvidence): number {
  const previous = readPreviousWord(doc.masked, occ.start);
  const next = readNextWord(doc.masked, occ.end);
  if ((previous !== null && rules.contextPrefix.has(previous)) || hasContextSuffix(doc.masked, occ, next, rules)) return 0;
  const { start, end } = readSentenceBounds(doc.masked, occ.start, occ.end, CONTEXT_WINDOW);
  return readTerms(doc).distance(rules.context, occ.start, occ.end, start, end);
}

/** "they", "their": an organisation is spoken of in the plural; only after the name, where they refer back to it. */
const PLURAL_PRONOUN = /\b(?:they|their|theirs|them|they're|they've|they'll|they’re|they’ve|they’ll)\b/i;

/**
 * A company cue for the vendor sense of a shared name: its own cues, a possessive (1: "DeepSeek's
 * founder"; a product word right after it is nearer, "DeepSeek's API"), or a plural pronoun after the
 * name within the context window ("Mistral does good stuff, they...").
 */
function vendorCueDistance(occ: Occurrence, rules: EntityRules, doc: DocumentEvidence): number {
  let best = cueDistance(occ, rules, doc);
  if (best > 1 && POSSESSIVE.test(doc.masked.slice(occ.end, occ.end + 3))) best = 1;
  if (best > 1) {
    const after = doc.masked.slice(occ.end, occ.end + CONTEXT_WINDOW);
    const pronoun = PLURAL_PRONOUN.exec(after);
    if (pronoun !== null && pronoun.index < best) best = Math.max(pronoun.index, 1);
  }
  return best;
}

/**
 * One occurrence of a name shared by a vendor and its product ("DeepSeek", "Mistral") means one of
 * them: the vendor when a company cue is at least as near as any cue for the product, else the product.
 */
function keepOneOfVendorAndProduct(occ: Occurrence, accepted: number[], entityRules: EntityRules[], doc: DocumentEvidence): number[] {
  const dropped = new Set<number>();
  for (const product of accepted) {
    const productRules = entityRules[product];
    if (productRules === undefined) continue;
    for (const vendor of accepted) {
      const vendorRules = entityRules[vendor];
      if (vendorRules === undefined || !productRules.ancestors.includes(vendor)) continue;
      const vendorDistance = vendorCueDistance(occ, vendorRules, doc);
      const productDistance = cueDistance(occ, productRules, doc);
      dropped.add(vendorDistance !== Infinity && vendorDistance <= productDistance ? product : vendor);
    }
  }
  return dropped.size === 0 ? accepted : accepted.filter((e) => !dropped.has(e));
}

function resolveAmbiguous(occurrences: Occurrence[], entityRules: EntityRules[], doc: DocumentEvidence): void {
  for (const occ of occurrences) {
    for (const rule of occ.rules) {
      const rules = entityRules[rule.entity];
      if (!rule.ambiguous || rules === undefined) continue;
      const local = readLocalContext(occ, rule.entity, rules, doc);
      if (local.anti > 0 && local.context === 0) doc.otherSense.add(rule.entity);
    }
  }
  for (let round = 0; round < 2; round += 1) {
    let grew = false;
    for (const occ of occurrences) {
      if (occ.rules.every((r) => !r.ambiguous)) continue;
      const before = occ.entities.length;
      occ.entities = resolveOccurrence(occ, entityRules, doc);
      if (occ.entities.length > before) grew = true;
    }
    if (!grew) break;
    for (const occ of occurrences) for (const e of occ.entities) doc.accepted.add(e);
  }
}

/** True when `entity` is `product` or one of its ancestors. */
function namesOrOwns(entity: number, product: number, entityRules: EntityRules[]): boolean {
  return entity === product || (entityRules[product]?.ancestors.includes(entity) ?? false);
}

/**
 * A vendor written as part of its product's name is not a mention of the vendor: "anthropic sonnet
 * 4.5", "OAI GPT5" (a vendor right before its product, one space or dash between; "Amazon's Kiro"
 * still counts), and the namespace of a model id, "google/gemini-2.5-pro", "Qwen/Qwen3-8B",
 * "mistralai/Devstral-Small-2507" (one token after the slash, with a digit; "anthropic/claude code
 * plan" is a list, not an id).
 */
function dropVendorPrefixes(occurrences: Occurrence[], entityRules: EntityRules[], masked: string): void {
  for (let k = 0; k + 1 < occurrences.length; k += 1) {
    const occ = occurrences[k];
    const next = occurrences[k + 1];
    if (occ === undefined || next === undefined || occ.entities.length === 0 || next.start > occ.end + 1) continue;
    const between = masked[occ.end];
    if (between === '/') {
      if (/\s/.test(next.text) || !/\d/.test(masked.slice(next.start, readTokenEnd(masked, next.start)))) continue;
      occ.entities = occ.entities.filter((e) => !next.entities.some((n) => namesOrOwns(e, n, entityRules)));
    } else if (between === ' ' || between === '-') {
      occ.entities = occ.entities.filter((e) => !next.entities.some((n) => n !== e && namesOrOwns(e, n, entityRules)));
    }
  }
}

function linkText(text: string, rulesByKey: Map<number, PrefixGroup[]>, entityRules: EntityRules[], index: TermIndex): LinkedMention[] {
  const masked = maskNonProse(text);
  const occurrences = findOccurrences(masked, rulesByKey);
  if (occurrences.length === 0) return [];

  const doc: DocumentEvidence = { masked, index, terms: null, accepted: new Set(), otherSense: new Set(), docContext: new Map() };
  for (const occ of occurrences) {
    occ.entities = occ.rules.filter((r) => !r.ambiguous).map((r) => r.entity);
    for (const e of occ.entities) doc.accepted.add(e);
  }
  if (occurrences.some((o) => o.rules.some((r) => r.ambiguous))) resolveAmbiguous(occurrences, entityRules, doc);

  dropVendorPrefixes(occurrences, entityRules, masked);
  const direct = new Map<number, Occurrence[]>();
  for (const occ of occurrences) {
    for (const entity of occ.entities) {
      const list = direct.get(entity) ?? [];
      list.push(occ);
      direct.set(entity, list);
    }
  }

  const implied = new Map<number, Occurrence[]>();
  for (const [entity, list] of direct) {
    for (const ancestor of entityRules[entity]?.ancestors ?? []) {
      if (direct.has(ancestor)) continue;
      const spans = implied.get(ancestor) ?? [];
      spans.push(...list);
      implied.set(ancestor, spans);
    }
  }

  const mentions: LinkedMention[] = [];
  const toMention = (entity: number, list: Occurrence[], isDirect: boolean): void => {
    const sorted = [...new Set(list)].sort((a, b) => a.start - b.start);
    const first = sorted[0];
    const slug = entityRules[entity]?.slug;
    if (first === undefined || slug === undefined) return;
    mentions.push({
      slug,
      matchedText: text.slice(first.start, first.end),
      start: first.start,
      end: first.end,
      direct: isDirect,
      spans: sorted.map((o) => ({ start: o.start, end: o.end })),
    });
  };
  for (const [entity, list] of direct) toMention(entity, list, true);
  for (const [entity, list] of implied) toMention(entity, list, false);
  return mentions.sort((a, b) => a.start - b.start || Number(b.direct) - Number(a.direct));
}
