/**
 * The version an author names for a linked entity: model generations ("Sonnet 4.5" -> "4.5",
 * "DeepSeek R1" -> "r1") and client releases ("Claude Code 2.0.55", "Version: 2.0.55" in the tool's
 * own issue form). Normalised as labels/flows/ANNOTATION.md says. Precision first: a number is a
 * version only when the text ties it to the entity; sizes, dates, prices and counts never are.
 */

export interface VersionSpan {
  start: number;
  end: number;
}

/** A linked mention as the extractor reads it (the linker's LinkedMention fits). */
export interface VersionTarget {
  slug: string;
  start: number;
  end: number;
  /** False for an ancestor implied by a descendant: it names no version of its own. */
  direct?: boolean;
  /** Every occurrence; the first occurrence alone when absent. */
  spans?: VersionSpan[];
  /** Vendors name no versions, models name generations, tools name releases. */
  kind: 'model' | 'tool' | 'vendor';
}

export interface VersionContext {
  /** The post's address: an issue in a tool's own tracker ties a bare "Version:" field to the tool. */
  url?: string | null;
}

export interface FoundVersion {
  version: string;
  start: number;
  end: number;
  /** A version field of an issue form ("### Claude Code Version 2.0.55"): what the report is about. */
  field: boolean;
}

/** GitHub repositories whose issues are about one tracked tool. */
const ISSUE_TRACKERS: Record<string, string> = {
  'anthropics/claude-code': 'claude-code',
  'openai/codex': 'codex-cli',
  'google-gemini/gemini-cli': 'gemini-cli',
  'cline/cline': 'cline',
  'roocodeinc/roo-code': 'roo-code',
  'roovetgit/roo-code': 'roo-code',
  'aider-ai/aider': 'aider',
  'paul-gauthier/aider': 'aider',
  'zed-industries/zed': 'zed',
  'continuedev/continue': 'continue',
  'ollama/ollama': 'ollama',
  'getcursor/cursor': 'cursor',
  'microsoft/vscode-copilot-release': 'github-copilot',
  'kirodotdev/kiro': 'kiro',
};

/** The command each tool is run as, for "`claude --version` -> 1.0.51". */
const COMMANDS: Record<string, string> = {
  'claude-code': 'claude',
  'codex-cli': 'codex',
  'gemini-cli': 'gemini',
  cursor: 'cursor',
  aider: 'aider',
  ollama: 'ollama',
  kiro: 'kiro',
};

/** The tracked tool whose issue tracker a URL points into, if any. */
export function issueTrackerOf(url: string | null | undefined): string | null {
  const match = /^https?:\/\/(?:www\.)?github\.com\/([\w.-]+\/[\w.-]+)\/(?:issues|pull|discussions)\//i.exec(url ?? '');
  return match ? (ISSUE_TRACKERS[match[1]!.toLowerCase()] ?? null) : null;
}

// ---- models ---------------------------------------------------------------------------------

/** Entities that are one model: no version to read ("gpt-4o", "o3"), or a product, not a generation. */
const UNVERSIONED = new Set(['gpt-4o', 'gpt-4-1', 'o3', 'chatgpt']);

const S = '[\\s_-]?';

interface ModelGrammar {
  /** Sticky patterns tried at a mention's start; groups name the version parts. */
  patterns: RegExp[];
  build(groups: Record<string, string | undefined>): string | null;
}

const generation = (g: Record<string, string | undefined>): string | null =>
  g.major ? normaliseModelVersion(g.minor ? `${g.major}.${g.minor}` : g.major) : null;

function claudeFamily(name: string): ModelGrammar {
  return {
    patterns: [
      // "Claude 3.5 Sonnet", "claude-3-5-sonnet", "claude 3 opus"
      new RegExp(`claude${S}(?<major>\\d)(?:[.-](?<minor>\\d)(?!\\d))?${S}${name}`, 'iy'),
      // "Sonnet 4.5", "claude-sonnet-4-5-20250929", "opus-4-1", "Opus4.1", "claude-sonnet-4-20250514"
      new RegExp(`(?:claude${S})?${name}${S}(?<major>\\d)(?:[.-](?<minor>\\d)(?!\\d|\\.\\d))?(?!\\d)`, 'iy'),
    ],
    build: generation,
  };
}

const MODELS: Record<string, ModelGrammar> = {
  'gpt-5': {
    patterns: [/(?:chat\s?)?gpt[\s_-]?5(?:\.(?<minor>\d{1,2}))?(?!\d)/iy],
    build: (g) => normaliseModelVersion(g.minor ? `5.${g.minor}` : '5'),
  },
  claude: { patterns: [new RegExp(`claude${S}(?<major>\\d)(?:\\.(?<minor>\\d))?(?!\\d)`, 'iy')], build: generation },
  'claude-opus': claudeFamily('opus'),
  'claude-sonnet': claudeFamily('sonnet'),
  'claude-haiku': claudeFamily('haiku'),
  gemini: {
    patterns: [new RegExp(`(?:google${S})?gemini${S}(?:(?:pro|flash|ultra|nano)${S})?(?<major>\\d)(?:\\.(?<minor>\\d))?(?!\\d)`, 'iy')],
    build: generation,
  },
  llama: { patterns: [new RegExp(`(?:meta${S})?llama${S}(?<major>\\d)(?:\\.(?<minor>\\d))?(?!\\d)`, 'iy')], build: generation },
  qwen: { patterns: [new RegExp(`qwen${S}(?<major>\\d)(?:\\.(?<minor>\\d))?(?!\\d)`, 'iy')], build: generation },
  grok: { patterns: [new RegExp(`grok${S}(?<major>\\d)(?:\\.(?<minor>\\d))?(?!\\d)`, 'iy')], build: generation },
  // Only "Mistral <size> N": Devstral, Magistral and Codestral number their own product lines.
  mistral: {
    patterns: [new RegExp(`mistral(?:${S}(?:small|medium|large|nemo))?${S}(?<major>\\d)(?:\\.(?<minor>\\d))?(?!\\d)`, 'iy')],
    build: generation,
  },
  deepseek: {
    patterns: [
      // "DeepSeek V3.1", "deepseek-r1:14b", "deepseek-coder-v2"
      /deep[\s_-]?seek[\s_-]?(?:coder[\s_-]?)?(?<line>[vr])(?<major>\d)(?:\.(?<minor>\d))?(?!\d)/iy,
      // the strict aliases alone: "R1", "V3", "V3.1"
      /(?<line>[VR])(?<major>\d)(?:\.(?<minor>\d))?(?!\d)/y,
      // "DeepSeek 3.1": its generations are V-numbered
      /deep[\s_-]?seek[\s_-]?(?<major>\d)\.(?<minor>\d)(?!\d)/iy,
    ],
    build: (g) =>
      g.major ? `${(g.line ?? 'v').toLowerCase()}${normaliseModelVersion(g.minor ? `${g.major}.${g.minor}` : g.major)}` : null,
  },
};

/** "4.0" and "4" are one generation: "Claude 4.0" and "Claude 4" count together (so do "Claude Code 2.0" and "2"). */
export function normaliseModelVersion(version: string): string {
  return version.toLowerCase().replace(/\.0$/, '');
}

/**
 * What may follow a number that is not a version: a size or multiplier ("7b", "20x", "8x7B"),
 * a unit or count ("3 days", "2 times", "50%"), a date ("4/15"), more digits.
 */
const NOT_AFTER_VERSION =
  /^(?:\d|[.,]\d|\s?(?:b|k|m|t|x|gb|mb|tb|bn|bpw|%)(?![a-z])|\s?[x×]\d|\/\d{2}|\s+(?:days?|hours?|hrs?|h|minutes?|mins?|seconds?|secs?|s|times|weeks?|months?|years?|yrs?|requests?|reqs?|prompts?|messages?|msgs?|tokens?|calls?|dollars?|bucks|usd|eur|people|users|seats|files|lines|sessions|agents|instances|tabs|windows|percent|points?|stars?|of|out|mil+|mill?ions?|billions?|thousands?)\b|-?shots?\b)/i;

/** A number spelled as a version of something else ("Cursor 3.5 Sonnet": a model, not Cursor 3.5). */
const MODEL_WORD_AFTER = /^\s*(?:sonnet|opus|haiku|gpt|claude|gemini|llama|qwen|flash|turbo|mini|pro\b|model)/i;

function isFollowedByNonVersion(text: string, end: number): boolean {
  return NOT_AFTER_VERSION.test(text.slice(end, end + 24));
}

/** Versions right after a model mention, then "/4.1" or " or 3" lists and "3.1-3.2" ranges. */
function readModelVersions(text: string, slug: string, span: VersionSpan): FoundVersion[] {
  const grammar = MODELS[slug];
  if (!grammar) return [];
  for (const pattern of grammar.patterns) {
    pattern.lastIndex = span.start;
    const match = pattern.exec(text);
    if (!match || match.index !== span.start) continue;
    const end = match.index + match[0].length;
    if (isFollowedByNonVersion(text, end)) return [];
    const version = grammar.build(match.groups ?? {});
    if (!version) return [];
    const found: FoundVersion[] = [{ version, start: span.start, end, field: false }];
    found.push(...readListedGenerations(text, end, slug === 'deepseek' ? version[0]! : ''));
    return found;
  }
  // "3.5 Sonnet", "4.1 Opus": a dotted generation right before the bare family name.
  if (slug.startsWith('claude-')) {
    const before = /(?<![\d.])(\d)\.(\d)[\s-]$/.exec(text.slice(Math.max(0, span.start - 6), span.start));
    if (before && !/^claude/i.test(text.slice(span.start, span.end))) {
      return [
        { version: normaliseModelVersion(`${before[1]}.${before[2]}`), start: span.start - before[0].length, end: span.end, field: false },
      ];
    }
  }
  return [];
}

function readListedGenerations(text: string, from: number, prefix: string): FoundVersion[] {
  const found: FoundVersion[] = [];
  const next = /(?:\s?\/\s?|\s(?:or|and|vs\.?|versus)\s|-(?=\d\.\d))(?<line>[vr]?)(?<major>\d)(?:\.(?<minor>\d))?(?!\d)/iy;
  let at = from;
  for (;;) {
    next.lastIndex = at;
    const match = next.exec(text);
    if (!match?.groups) break;
    const end = match.index + match[0].length;
    // "-3.2" only as a dotted range; "or 3 days" is a count.
    if (isFollowedByNonVersion(text, end) || /^[a-z]/i.test(text.slice(end, end + 1))) break;
    if (match.groups.line && !prefix) break;
    // "or 3" is a generation only where the sentence goes on like one ("2.5 or 3 better?"), not "and 3 other models".
    if (
      !match.groups.minor &&
      !match[0].trim().startsWith('/') &&
      !/^(?:$|[,.;:?!)]|\s(?:is|are|was|were|better|worse|both|models?)\b)/i.test(text.slice(end, end + 8))
    )
      break;
    const base = match.groups.minor ? `${match.groups.major}.${match.groups.minor}` : match.groups.major!;
    found.push({
      version: prefix ? `${(match.groups.line || prefix).toLowerCase()}${base}` : normaliseModelVersion(base),
      start: match.index,
      end,
      field: false,
    });
    at = end;
  }
  return found;
}

// ---- clients ----------------------------------------------------------------------------------

/** A release number: at least major.minor, or v-prefixed / after "version". */
const RELEASE = '(\\d{1,3}(?:\\.\\d{1,4}){1,3})(?![\\d.]*\\d)';

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** "Cursor 1.4", "Claude Code v2.0.14", "### Claude Code Version 2.0.55", "Claude CLI version: 2.0.53", "Cline v3". */
function readClientVersionsAt(text: string, span: VersionSpan): FoundVersion[] {
  // A versioned alias ("Cursor {v}") holds the number inside the mention: read from where the name ends.
  const inner = /[\s_-]v?\d/i.exec(text.slice(span.start, span.end));
  const nameEnd = inner ? span.start + inner.index : span.end;
  const after = text.slice(nameEnd, nameEnd + 80);
  const found: FoundVersion[] = [];
  const labelled = new RegExp(
    `^(?:\\s?\\(?(?:cli|ide|extension|plugin|app|editor|desktop)\\)?)?(?<gap>[\\s*:_]{0,4}(?<word>version|ver\\.)[\\s*:_]{0,6}(?:version[\\s*:_]{0,6})?v?|[*_]{0,2}\\s?:[\\s*_]{0,4}v?|\\s?v|[ -]?)${RELEASE}`,
    'i',
  );
  const match = labelled.exec(after);
  const bareV = /^\s?v(\d{1,3})(?![\d.]|\w)/i.exec(after);
  if (match?.groups) {
    const end = nameEnd + match[0].length;
    const version = normaliseModelVersion(match[match.length - 1]!);
    // Only a two-part number can be a model's ("Cursor 3.5 Sonnet"); "v2.0.55 Opus 4.5" is the tool's.
    const modelAfter = version.split('.').length < 3 && MODEL_WORD_AFTER.test(text.slice(end, end + 12));
    if (!isFollowedByNonVersion(text, end) && !modelAfter) {
      // A heading or label "<Tool> Version" is the issue form's field.
      found.push({ version, start: span.start, end, field: match.groups.word !== undefined });
    }
  } else if (bareV && !inner && !isFollowedByNonVersion(text, nameEnd + bareV[0].length)) {
    found.push({ version: normaliseModelVersion(bareV[1]!), start: span.start, end: nameEnd + bareV[0].length, field: false });
  }
  const before = text.slice(Math.max(0, span.start - 40), span.start);
  // "since v0.9.2 of Cline", "version 1.0.3 of Claude Code"
  const of = /(?:\bv|\bversion\s+v?)(\d{1,3}(?:\.\d{1,4}){1,3})\s+of\s+(?:the\s+)?$/i.exec(before);
  if (of) found.push({ version: normaliseModelVersion(of[1]!), start: span.start - of[0].length, end: span.end, field: false });
  // "2.0.55 (Claude Code)": the form `claude --version` prints
  const printed = /(?<![\d.])(\d{1,3}(?:\.\d{1,4}){2})\s?\($/.exec(before);
  if (printed && text.slice(span.end, span.end + 1) === ')') {
    found.push({ version: printed[1]!, start: span.start - printed[0].length, end: span.end + 1, field: true });
  }
  return found;
}

/** "`claude --version` -> 1.0.51", "$ codex --version: 0.46.0" */
function readCommandVersions(text: string, slug: string): FoundVersion[] {
  const command = COMMANDS[slug];
  if (!command) return [];
  const pattern = new RegExp(
    `\`?\\b${escapeRegExp(command)}\\s+(?:--version|-v)\`?\\s*(?:→|->|=>|:|=|returns|gives|shows|says|outputs|prints|reports|is)?\\s*\`?v?(\\d{1,3}(?:\\.\\d{1,4}){2})(?![\\d.]*\\d)`,
    'gi',
  );
  return [...text.matchAll(pattern)].map((m) => ({ version: m[1]!, start: m.index, end: m.index + m[0].length, field: true }));
}

/**
 * In an issue of the tool's own tracker: the form's "Version: 2.0.55" (its /bug report and
 * templates), "Last Working Version 2.0.49", and bare releases of the same line ("since 2.0.51").
 */
function readTrackerVersions(text: string, names: string[]): FoundVersion[] {
  const found: FoundVersion[] = [];
  // The form's "### <Tool> Version" section, whatever the reporter wrote in it ("Claude Code for VS Code (2.0.62)").
  for (const m of text.matchAll(/#{2,3}\s*(?<name>[^#\n]{0,40}?)\s*version\b(?<value>[^#]{0,160})/gi)) {
    const name = m.groups!.name!.trim().toLowerCase();
    if (name !== '' && !names.includes(name)) continue;
    const value = /(?<![\w.])v?(\d{1,3}(?:\.\d{1,4}){2})(?![\d.]*\d)/.exec(m.groups!.value!);
    if (value) found.push({ version: value[1]!, start: m.index, end: m.index + m[0].length, field: true });
  }
  const field =
    /(?:^|#{2,3}\s*|\s-\s|\n\s*[-*]?\s*)(?:\*\*)?(?<last>last working )?version(?:\*\*)?\s?:?(?:\*\*)?\s*v?(?<v>\d{1,3}(?:\.\d{1,4}){2})(?![\d.]*\d)/gi;
  for (const m of text.matchAll(field)) {
    found.push({ version: m.groups!.v!, start: m.index, end: m.index + m[0].length, field: !m.groups!.last });
  }
  const lines = new Set(found.map((f) => f.version.split('.').slice(0, 2).join('.')));
  if (lines.size === 0) return found;
  for (const m of text.matchAll(/(?<![\w@/.-])v?(\d{1,3}\.\d{1,4}\.\d{1,4})(?![\w.-]*[\w])/g)) {
    const version = m[1]!;
    if (!lines.has(version.split('.').slice(0, 2).join('.'))) continue;
    if (found.some((f) => m.index >= f.start && m.index < f.end)) continue;
    found.push({ version, start: m.index, end: m.index + m[0].length, field: false });
  }
  return found;
}

// ---- entry points ------------------------------------------------------------------------------

/** Every version the text names for the mentioned entity, in text order (repeats kept). */
export function findVersions(text: string, mention: VersionTarget, context: VersionContext = {}): FoundVersion[] {
  if (mention.direct === false || mention.kind === 'vendor' || UNVERSIONED.has(mention.slug)) return [];
  const spans = mention.spans && mention.spans.length > 0 ? mention.spans : [{ start: mention.start, end: mention.end }];
  const found: FoundVersion[] = [];
  if (MODELS[mention.slug]) {
    for (const span of spans) found.push(...readModelVersions(text, mention.slug, span));
  } else if (mention.kind === 'tool') {
    for (const span of spans) found.push(...readClientVersionsAt(text, span));
    found.push(...readCommandVersions(text, mention.slug));
    if (issueTrackerOf(context.url) === mention.slug) {
      const names = [...new Set(spans.map((s) => text.slice(s.start, s.end).toLowerCase()))];
      found.push(...readTrackerVersions(text, names));
    }
  }
  // "0.0.0" is a form's placeholder, not a release.
  return dedupeOverlaps(found.filter((f) => /[1-9]/.test(f.version))).sort((a, b) => a.start - b.start);
}

/** The distinct versions, in order of first appearance: the (entity, version) pairs of a post. */
export function extractVersions(text: string, mention: VersionTarget, context: VersionContext = {}): string[] {
  return [...new Set(findVersions(text, mention, context).map((f) => f.version))];
}

/**
 * The one version a mention's sentiment belongs to, or null: an issue form's version field when
 * there is one, else the version named most often; a tie ("Opus 4 vs Opus 4.1") is null, since one
 * reading of the post cannot be split between them.
 */
export function extractVersion(text: string, mention: VersionTarget, context: VersionContext = {}): string | null {
  const found = findVersions(text, mention, context);
  const field = found.find((f) => f.field);
  if (field) return field.version;
  const counts = new Map<string, number>();
  for (const f of found) counts.set(f.version, (counts.get(f.version) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  if (ranked.length === 0 || (ranked.length > 1 && ranked[0]![1] === ranked[1]![1])) return null;
  return ranked[0]![0];
}

function dedupeOverlaps(found: FoundVersion[]): FoundVersion[] {
  const kept: FoundVersion[] = [];
  for (const f of [...found].sort((a, b) => Number(b.field) - Number(a.field) || a.start - b.start)) {
    if (kept.some((k) => k.version === f.version && f.start < k.end && k.start < f.end)) continue;
    kept.push(f);
  }
  return kept;
}
