import { Disambiguation } from '../../core/entity.ts';
import {
  compileAliasPattern,
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
import { hasCodePrefix, isSentenceStart, readNextWord, readPreviousWord } from './text-clues.ts';

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

function buildAliasRules(entity: LinkableEntity, entityIndex: number, rules: EntityRules): AliasRule[] {
  const d = entity.disambiguation;
  const strict = new Set(d.strictAliases ?? []);
  const ambiguous = new Set([...d.ambiguousAliases, ...strict]);
  const caseSensitive = new Set(d.caseSensitiveAliases);
  const ambiguousLower = new Set([...ambiguous].map((a) => a.toLowerCase()));
  const surfaces = [...entity.aliases, ...ambiguous, ...caseSensitive];
  if (!ambiguousLower.has(entity.name.toLowerCase())) surfaces.push(entity.name);

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
      pattern: compileAliasPattern(text, cs),
      prefix: readLiteralPrefix(text),
      caseSensitivePrefix: cs ? (/^[^\s_{-]*/.exec(text)?.[0] ?? '') : null,
      ambiguous: ambiguous.has(text),
      strict: strict.has(text),
      caseSensitive: cs,
      titleCase: /^\p{Lu}\p{Ll}/u.test(text) && !rules.personLike,
      versioned: text.includes('{v}'),
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

/** The longest alias match at `at`, with one rule per entity (a firm alias beats an ambiguous one). */
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
        else if (rules[same]?.ambiguous && !rule.ambiguous) rules[same] = rule;
      }
    }
  }
  return { length, rules };
}

function findOccurrences(masked: string, rulesByKey: Map<number, PrefixGroup[]>): Occurrence[] {
  const found: Occurrence[] = [];
  const length = masked.length;
  let i = 0;
  while (i < length) {
    if (!isWordCode(masked.charCodeAt(i))) {
      i += 1;
      continue;
    }
    let wordEnd = i + 1;
    while (wordEnd < length && isWordCode(masked.charCodeAt(wordEnd))) wordEnd += 1;
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
function hasNearbyCue(occ: Occurrence, rules: EntityRules, doc: DocumentEvidence): boolean {
  const from = Math.max(0, occ.start - COLINK_WINDOW);
  return readTerms(doc).count(rules.context, from, occ.end + COLINK_WINDOW, occ.start, occ.end) > 0;
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

function scoreCandidate(occ: Occurrence, rule: AliasRule, rules: EntityRules, doc: DocumentEvidence): number {
  const { masked } = doc;
  if (hasCodePrefix(masked, occ.start)) return -Infinity;
  const { context: localContext, anti: localAnti } = readLocalContext(occ, rule.entity, rules, doc);
  const previous = readPreviousWord(masked, occ.start);
  const next = readNextWord(masked, occ.end);
  const sameElsewhere = doc.accepted.has(rule.entity);
  const othersElsewhere = [...doc.accepted].some((e) => e !== rule.entity);
  const prefixSupports = previous !== null && rules.contextPrefix.has(previous);
  const wide = readDocumentContext(doc, rule.entity, rules);
  if (rule.strict) {
    const supported = localContext > 0 || sameElsewhere || prefixSupports || (othersElsewhere && wide.anti === 0);
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
    if (accepted.length > 0 && !hasNearbyCue(occ, rules, doc)) continue;
    const score = scoreCandidate(occ, rule, rules, doc);
    if (score >= ACCEPT_SCORE) scored.push({ entity: rule.entity, score });
  }
  scored.sort((a, b) => b.score - a.score);
  for (const { entity } of scored) {
    if (accepted.every((other) => isRelated(entity, other, entityRules))) accepted.push(entity);
  }
  return accepted;
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
