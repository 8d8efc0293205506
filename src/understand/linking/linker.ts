import { Disambiguation } from '../../core/entity.ts';
import { compileAliasPattern, keyOfWord, listAliasKeys } from './alias-pattern.ts';
import { maskNonProse } from './mask-non-prose.ts';
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
  ambiguous: boolean;
  strict: boolean;
  caseSensitive: boolean;
  titleCase: boolean;
}

interface EntityRules {
  slug: string;
  ancestors: number[];
  prior: number;
  personLike: boolean;
  context: RegExp | null;
  antiContext: RegExp | null;
  antiPrefix: Set<string>;
  contextPrefix: Set<string>;
  antiSuffix: Set<string>;
}

interface Occurrence {
  start: number;
  end: number;
  text: string;
  rules: AliasRule[];
  entity: number;
}

const WORD_PATTERN = /[\p{L}\p{N}_]+/gu;
const CONTEXT_WINDOW = 80;
const ACCEPT_SCORE = 1;

function escapeTerm(term: string): string {
  return term.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** One regex for a word list; an alphabetic term also matches its plural. */
function compileTermPattern(terms: string[]): RegExp | null {
  const cleaned = [...new Set(terms.map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0))];
  if (cleaned.length === 0) return null;
  cleaned.sort((a, b) => b.length - a.length);
  const body = cleaned.map((t) => (/[a-z]$/.test(t) ? `${escapeTerm(t)}(?:e?s)?` : escapeTerm(t))).join('|');
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${body})(?![\\p{L}\\p{N}_])`, 'giu');
}

function countDistinct(pattern: RegExp | null, text: string): Set<string> {
  const found = new Set<string>();
  if (pattern === null || text.length === 0) return found;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) found.add(m[0].toLowerCase());
  return found;
}

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
      ambiguous: ambiguous.has(text),
      strict: strict.has(text),
      caseSensitive: cs,
      titleCase: /^\p{Lu}\p{Ll}/u.test(text) && !rules.personLike,
    });
  }
  return out;
}

export function createLinker(input: LinkableEntity[]): Linker {
  const entities = input.map((e) => ({ ...e, disambiguation: Disambiguation.parse(e.disambiguation) }));
  const index = new Map(entities.map((e, i) => [e.slug, i] as const));
  const ancestors = resolveAncestors(entities, index);
  const entityRules: EntityRules[] = entities.map((e, i) => ({
    slug: e.slug,
    ancestors: ancestors[i] ?? [],
    prior: e.disambiguation.prior ?? 0,
    personLike: e.disambiguation.personLike ?? false,
    context: compileTermPattern(e.disambiguation.context),
    antiContext: compileTermPattern(e.disambiguation.antiContext),
    antiPrefix: toLowerSet(e.disambiguation.antiPrefix),
    contextPrefix: toLowerSet(e.disambiguation.contextPrefix),
    antiSuffix: toLowerSet(e.disambiguation.antiSuffix),
  }));

  const rulesByKey = new Map<string, AliasRule[]>();
  entities.forEach((entity, i) => {
    const rules = entityRules[i];
    if (rules === undefined) return;
    for (const rule of buildAliasRules(entity, i, rules)) {
      for (const key of listAliasKeys(rule.surface)) {
        const list = rulesByKey.get(key) ?? [];
        list.push(rule);
        rulesByKey.set(key, list);
      }
    }
  });

  return { link: (text) => linkText(text, rulesByKey, entityRules) };
}

function findOccurrences(masked: string, rulesByKey: Map<string, AliasRule[]>): Occurrence[] {
  const found: Occurrence[] = [];
  const words = new RegExp(WORD_PATTERN.source, WORD_PATTERN.flags);
  for (let m = words.exec(masked); m !== null; m = words.exec(masked)) {
    const candidates = rulesByKey.get(keyOfWord(m[0]));
    if (candidates === undefined) continue;
    let bestLength = 0;
    let best: AliasRule[] = [];
    for (const rule of candidates) {
      rule.pattern.lastIndex = m.index;
      const hit = rule.pattern.exec(masked);
      if (hit === null) continue;
      const length = hit[0].length;
      if (length > bestLength) {
        bestLength = length;
        best = [rule];
      } else if (length === bestLength && !best.some((b) => b.entity === rule.entity && b.ambiguous === rule.ambiguous)) {
        best.push(rule);
      }
    }
    if (bestLength === 0) continue;
    const firm = best.filter((r) => !r.ambiguous);
    const start = m.index;
    found.push({
      start,
      end: start + bestLength,
      text: masked.slice(start, start + bestLength),
      rules: firm.length > 0 ? firm : best,
      entity: -1,
    });
    words.lastIndex = start + bestLength;
  }
  return found;
}

interface DocumentEvidence {
  masked: string;
  accepted: Set<number>;
  docContext: Map<number, { context: number; anti: number }>;
}

function readDocumentContext(doc: DocumentEvidence, entity: number, rules: EntityRules): { context: number; anti: number } {
  let counts = doc.docContext.get(entity);
  if (counts === undefined) {
    counts = {
      context: countDistinct(rules.context, doc.masked).size,
      anti: countDistinct(rules.antiContext, doc.masked).size,
    };
    doc.docContext.set(entity, counts);
  }
  return counts;
}

function scoreCandidate(occ: Occurrence, rule: AliasRule, rules: EntityRules, doc: DocumentEvidence): number {
  const { masked } = doc;
  if (hasCodePrefix(masked, occ.start)) return -Infinity;
  const window = masked.slice(Math.max(0, occ.start - CONTEXT_WINDOW), occ.start) + ' | ' + masked.slice(occ.end, occ.end + CONTEXT_WINDOW);
  const localContext = countDistinct(rules.context, window).size;
  const localAnti = countDistinct(rules.antiContext, window).size;
  const previous = readPreviousWord(masked, occ.start);
  const next = readNextWord(masked, occ.end);
  const sameElsewhere = doc.accepted.has(rule.entity);
  const prefixSupports = previous !== null && rules.contextPrefix.has(previous);
  if (rule.strict && ((localContext === 0 && !sameElsewhere && !prefixSupports) || localAnti > 0)) return -Infinity;

  const lower = occ.text === occ.text.toLowerCase();
  const title = /^\p{Lu}\p{Ll}/u.test(occ.text);
  const strongPenalty = lower || rules.personLike ? 3 : 1.5;
  let score = rules.prior;
  if (rule.titleCase) {
    if (title) score += isSentenceStart(masked, occ.start) ? (rule.caseSensitive ? -1 : 0) : 1;
    else if (lower) score -= 0.5;
  }
  if (previous !== null && rules.antiPrefix.has(previous)) score -= strongPenalty;
  if (prefixSupports) score += 1;
  if (next !== null && rules.antiSuffix.has(next)) score -= strongPenalty;
  score += 1.5 * Math.min(localContext, 2) - 3 * Math.min(localAnti, 2);
  const wide = readDocumentContext(doc, rule.entity, rules);
  score += 0.5 * Math.min(Math.max(wide.context - localContext, 0), 2);
  score -= Math.min(Math.max(wide.anti - localAnti, 0), 2);
  if (sameElsewhere) score += 2;
  for (const other of doc.accepted) {
    if (other !== rule.entity) {
      score += 1;
      break;
    }
  }
  return score;
}

function resolveAmbiguous(pending: Occurrence[], entityRules: EntityRules[], doc: DocumentEvidence): void {
  for (let round = 0; round < 2; round += 1) {
    const acceptedNow: number[] = [];
    for (const occ of pending) {
      if (occ.entity >= 0) continue;
      let bestScore = -Infinity;
      let bestEntity = -1;
      for (const rule of occ.rules) {
        const rules = entityRules[rule.entity];
        if (rules === undefined) continue;
        const score = scoreCandidate(occ, rule, rules, doc);
        if (score > bestScore) {
          bestScore = score;
          bestEntity = rule.entity;
        }
      }
      if (bestScore >= ACCEPT_SCORE) {
        occ.entity = bestEntity;
        acceptedNow.push(bestEntity);
      }
    }
    if (acceptedNow.length === 0) break;
    for (const e of acceptedNow) doc.accepted.add(e);
  }
}

/** "Anthropic's Claude", "Google Gemini": a vendor naming its own product is not a separate mention. */
function isModifierOfNext(occ: Occurrence, next: Occurrence | undefined, masked: string, entityRules: EntityRules[]): boolean {
  if (next === undefined) return false;
  const gap = masked.slice(occ.end, next.start);
  if (!/^(?:['’]s?)?\s{1,2}$/.test(gap)) return false;
  return entityRules[next.entity]?.ancestors.includes(occ.entity) ?? false;
}

function linkText(text: string, rulesByKey: Map<string, AliasRule[]>, entityRules: EntityRules[]): LinkedMention[] {
  const masked = maskNonProse(text);
  const occurrences = findOccurrences(masked, rulesByKey);
  if (occurrences.length === 0) return [];

  const doc: DocumentEvidence = { masked, accepted: new Set(), docContext: new Map() };
  const pending: Occurrence[] = [];
  for (const occ of occurrences) {
    const firm = occ.rules.find((r) => !r.ambiguous);
    if (firm !== undefined) {
      occ.entity = firm.entity;
      doc.accepted.add(firm.entity);
    } else {
      pending.push(occ);
    }
  }
  if (pending.length > 0) resolveAmbiguous(pending, entityRules, doc);

  const linked = occurrences.filter((o) => o.entity >= 0);
  const direct = new Map<number, Occurrence[]>();
  linked.forEach((occ, i) => {
    if (isModifierOfNext(occ, linked[i + 1], masked, entityRules)) return;
    const list = direct.get(occ.entity) ?? [];
    list.push(occ);
    direct.set(occ.entity, list);
  });

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
