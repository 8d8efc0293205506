import { splitSentences } from '../aspects/text-scope.ts';
import type { AspectName, TextSpan } from '../aspects/types.ts';
import { findReasonCues } from './reason.ts';
import type { Flow, FlowKind, FlowMention } from './types.ts';

/**
 * Switching statements, read by rules that prefer missing a flow to inventing one: a movement verb
 * with the entities in fixed slots ("switched from X to Y", "cancelled my X sub", "went back to X",
 * "use Y alongside X"), said by the author or people they speak for, as a thing done or decided.
 * Questions, conditionals, intentions, advice, other people's trends and negated moves are not flows.
 *
 * Each sentence is matched as a skeleton in which every entity mention is replaced by a marker
 * (\uE000<index>\uE001), so the patterns read as "verb from ENTITY to ENTITY" whatever the names.
 */

const OPEN = '\uE000';
const CLOSE = '\uE001';

/** Plan or product words that may follow an entity's name ("Claude Max sub", "Codex CLI"). */
const PLAN_WORDS =
  'pro|max|plus|ultra|team|business|enterprise|premium|subscription|subscriptions|subs?|plan|account|license|seat|seats|membership|ide|cli|extension|\\$?\\d+x?';
/** An entity slot: an optional determiner (and price), the marker, and optional plan or product words after it. */
const ENT = `(?:(?:my|our|the|a|an|their|his|her|its)\\s+(?:\\$?\\d+(?:x|\\$)?\\s+)?)?${OPEN}(\\d+)${CLOSE}(?:\\s+(?:${PLAN_WORDS}))*`;
/** Adverbs and objects that may sit between a movement verb and its entity. */
const FILL = `(?:(?:[a-z]+ly(?<!only|early)|fully|completely|entirely|finally|just|recently|officially|permanently|now|already|basically|pretty much|totally|all|everything|over|full time|100%|ultimately|eventually|happily|quickly|immediately|our (?:whole |entire )?team|my (?:whole |entire )?team|the (?:whole )?team|us|our (?:whole )?company|my workflow|our workflow|my daily driver|(?:the|my|our)\\s+(?:default\\s+)?models?|my setup|our stack|my stack|my subscription|my sub)\\s+)*`;
const USING = `(?:(?:using|to using)\\s+)?`;
const SWITCH_VERB = `(?:switch(?:ed|ing)?|mov(?:ed|ing)|migrat(?:ed|ing)|jump(?:ed|ing)(?:\\s+(?:the\\s+)?ship)?|transition(?:ed|ing)|went|gone|port(?:ed|ing)|convert(?:ed|ing)|churn(?:ed|ing))`;
/** The verbs of "<verb> to Y" with no origin: "went to" and "ported to" say too little alone. */
const SWITCH_TO_VERB = `(?:switch(?:ed|ing)?|mov(?:ed|ing)|migrat(?:ed|ing)|jump(?:ed|ing)(?:\\s+(?:the\\s+)?ship)?|transition(?:ed|ing))`;
const LEAVE_VERB = `(?:ditch(?:ed|ing)?|dump(?:ed|ing)|dropp(?:ed|ing)|left|leaving|quit(?:ting)?|abandon(?:ed|ing)|replac(?:ed|ing)|traded|swapped)`;
const STOP_VERB = `(?:cancel+(?:ed|ing)?(?:\\s+(?:my|our)\\s+(?:\\w+\\s+)?(?:subscription|sub|plan|membership|account)\\s+(?:to|for|with|of|on))?|unsubscrib(?:ed|ing)\\s+from|uninstall(?:ed|ing)|ditch(?:ed|ing)|dump(?:ed|ing)|dropp(?:ed|ing)|quit(?:ting)?|abandon(?:ed|ing)|stopped\\s+(?:using|paying\\s+for)|gave\\s+up\\s+on|given\\s+up\\s+on|no\\s+longer\\s+(?:use|using|pay(?:ing)?\\s+for|(?:feel\\s+the\\s+)?need(?:\\s+for)?)|left\\s+using|done\\s+with|finished\\s+with|churned\\s+from|(?:moved|switched|migrated)\\s+(?:away\\s+from|from|off(?:\\s+of)?))`;
const TO = `(?:over\\s+)?(?:to|onto|into|over\\s+to)\\s+`;
const FROM = `(?:away\\s+)?(?:from|off(?:\\s+of)?)\\s+`;

interface Rule {
  name: string;
  kind: FlowKind;
  pattern: RegExp;
  /** Which captured entity is the flow's from and to (1-based group numbers), or null for none. */
  from: number | null;
  to: number | null;
  confidence: number;
  /** The statement needs an explicit first-person subject (bare or imperative forms: "switch to Y"). */
  needsSubject?: boolean;
  /**
   * Only half a move: kept when another statement of its sentence gives the other side ("cancelled X
   * and upgraded to Y"), or when an origin is found before it ("now I'm on Y"), else dropped.
   */
  half?: 'join' | 'origin';
  /** A pair named in no order ("use both X and Y"): from is the one the post named first. */
  symmetric?: boolean;
  /** A second `to` group ("using GPT-5 in Cursor while running CC": both are added). */
  also?: number;
}

const rule = (
  name: string,
  kind: FlowKind,
  source: string,
  from: number | null,
  to: number | null,
  confidence: number,
  extra: Partial<Rule> = {},
): Rule => ({
  name,
  kind,
  pattern: new RegExp(source, 'gu'),
  from,
  to,
  confidence,
  ...extra,
});

/** In priority order: where two matches overlap, the earlier rule wins. */
const RULES: Rule[] = [
  rule(
    'back-from-to',
    'return',
    `\\b${SWITCH_VERB}\\s+${FILL}${FROM}${USING}${ENT}\\s+${FILL}back\\s+(?:to|onto)\\s+${USING}${ENT}`,
    1,
    2,
    0.9,
  ),
  rule(
    'from-to',
    'switch',
    `\\b${SWITCH_VERB}\\s+${FILL}${FROM}${USING}${ENT}\\s+${FILL}(?:over\\s+)?(?:to|onto|into|for)\\s+${USING}${ENT}`,
    1,
    2,
    0.92,
  ),
  rule('to-from', 'switch', `\\b${SWITCH_VERB}\\s+${FILL}${TO}${USING}${ENT}\\s+(?:from|instead\\s+of)\\s+${ENT}`, 2, 1, 0.9),
  rule('replace-with', 'switch', `\\breplac(?:ed|ing)\\s+${FILL}${ENT}\\s+(?:with|by|for)\\s+${ENT}`, 1, 2, 0.92),
  rule(
    'replaced-for-me',
    'switch',
    `${ENT}\\s+(?:has\\s+)?(?:completely\\s+|fully\\s+|basically\\s+|now\\s+)?replaced\\s+${ENT}\\s+(?:for\\s+(?:me|us)|in\\s+(?:my|our)\\s+(?:workflow|stack|setup))`,
    2,
    1,
    0.85,
  ),
  rule(
    'leave-for',
    'switch',
    `\\b${LEAVE_VERB}\\s+${ENT}\\s+(?:for|in\\s+favou?r\\s+of|and\\s+(?:switched|moved|went)\\s+(?:over\\s+)?to)\\s+${USING}${ENT}`,
    1,
    2,
    0.9,
  ),
  rule(
    'instead-of',
    'switch',
    `\\b(?:now|switched\\s+to|moved\\s+to)\\s+(?:(?:use|using|pay(?:ing)?\\s+for|on)\\s+)?${ENT}\\s+instead\\s+of\\s+${ENT}`,
    2,
    1,
    0.85,
  ),
  rule(
    'back-to',
    'return',
    `\\b(?:(?:went|going|gone|came|coming|switched|switching|moved|moving|headed|heading|crawl(?:ed|ing)|ran|running|run|returned|returning|fell|falling|reverted|reverting|am|i'm|im|we're|i've|ive|we've|(?:had|decided|chose)\\s+to\\s+(?:go|switch|move)|ended\\s+up\\s+(?:going|switching|moving))\\s+${FILL})?back\\s+(?:to|onto)\\s+${USING}${ENT}(?:\\s+(?:after|from)\\s+(?:(?:a|one|two|three|four|a\\s+few|several|a\\s+couple\\s+of|\\d+)\\s+(?:days?|weeks?|months?|hours?)\\s+(?:of|with|on|using|trying)\\s+|trying\\s+|using\\s+)?${ENT})?`,
    2,
    1,
    0.88,
  ),
  rule('returned-to', 'return', `\\breturn(?:ed|ing)\\s+to\\s+${USING}${ENT}`, null, 1, 0.85),
  // "ended up re-subscribing to ChatGPT": coming back to a subscription once left.
  rule('resubscribed', 'return', `\\bre-?(?:subscrib|activat|join)(?:ed|ing)\\s+(?:to\\s+|for\\s+)?${ENT}`, null, 1, 0.8),
  rule(
    'both',
    'adds',
    `\\b(?:use|using|run|running|pay\\s+for|paying\\s+for|keep|keeping|juggl(?:e|ing)|alternat(?:e|ing)\\s+between)\\s+(?:${FILL})both\\s+${ENT}\\s+(?:and|&|\\+)\\s+${ENT}`,
    1,
    2,
    0.8,
    { symmetric: true },
  ),
  rule(
    'in-parallel',
    'adds',
    `\\b(?:use|using|run|running)\\s+${ENT}\\s+(?:and|&|\\+|with)\\s+${ENT}\\s+(?:together|in\\s+parallel|side\\s+by\\s+side|in\\s+tandem)`,
    1,
    2,
    0.8,
    { symmetric: true },
  ),
  rule(
    'between',
    'adds',
    `\\b(?:cross[\\s-]?check(?:ing|ed)?|alternat(?:e|es|ed|ing)|(?:go|going|went|switch|switching|switched|bounce|bouncing|flip|flipping)\\s+back\\s+and\\s+forth)\\s+between\\s+${ENT}\\s+(?:and|&|\\+|/)\\s+${ENT}`,
    1,
    2,
    0.8,
    { symmetric: true },
  ),
  rule(
    'while',
    'adds',
    `\\b(?:use|using|run|running)\\s+${ENT}(?:\\s+in\\s+${ENT})?(?:\\s+[\\w-]+){0,3}?\\s+while\\s+(?:also\\s+|still\\s+)?(?:running|using|keeping)\\s+${ENT}`,
    3,
    1,
    0.75,
    { also: 2 },
  ),
  rule('parallel-with', 'adds', `\\b(?:use|using|run|running)\\s+${ENT}\\s+in\\s+parallel\\s+(?:with|to)\\s+${ENT}`, 2, 1, 0.8),
  // "It replaced, for now, deepseek-r1 for me": the new thing is the post's untracked subject.
  rule(
    'it-replaced',
    'switch',
    `\\b(?:it|this|that)\\s+(?:has\\s+)?replaced\\s*(?:,[^,]{0,24},\\s*)?${ENT}(?:\\s+[\\w-]+){0,3}?\\s+for\\s+(?:me|us)\\b`,
    1,
    null,
    0.75,
  ),
  rule('kept-added', 'adds', `\\bkept\\s+${ENT}(?:\\s+[\\w']+){0,4}?\\s+(?:and|but)\\s+(?:also\\s+)?added\\s+${ENT}`, 1, 2, 0.9),
  rule('added-to', 'adds', `\\badd(?:ed|ing)\\s+${ENT}\\s+(?:to|on\\s+top\\s+of|alongside|next\\s+to)\\s+${ENT}`, 2, 1, 0.85),
  rule(
    'alongside',
    'adds',
    `\\b(?:use|using|run|running|pair|pairing|paired|added|adding|keep|keeping|have)\\s+${ENT}\\s+(?:alongside|in\\s+addition\\s+to|in\\s+tandem\\s+with|together\\s+with|on\\s+top\\s+of|next\\s+to)\\s+${ENT}`,
    2,
    1,
    0.85,
  ),
  rule(
    'complement',
    'adds',
    `\\b(?:use|using|run|running|added|adding|keep|keeping|have)\\s+${ENT}(?:\\s+[\\w']+){0,2}?\\s*,?\\s+as\\s+(?:an?\\s+|my\\s+)?(?:complement|compliment|supplement|backup|fallback|second\\s+opinion|reviewer)\\s+(?:to|for)\\s+${ENT}`,
    2,
    1,
    0.85,
  ),
  rule(
    'primary-fallback',
    'adds',
    `${ENT}\\s+(?:being|as|is)\\s+(?:the|my|our)\\s+(?:primary|main|daily\\s+driver|main\\s+driver)\\s*,?\\s+(?:and|with)\\s+${ENT}\\s+(?:as\\s+)?(?:the|my|our)\\s+(?:fallback|backup|secondary|second\\s+opinion|reviewer)`,
    1,
    2,
    0.85,
  ),
  rule('added-as-well', 'adds', `\\b(?:integrat|add)(?:ed|ing)\\s+${ENT}\\s+(?:as\\s+well|too)\\b`, null, 1, 0.75),
  rule(
    'added-setup',
    'adds',
    `\\badded\\s+${ENT}\\s+(?:to\\s+(?:my|our|the)\\s+(?:\\w+\\s+)?(?:setup|stack|workflow|toolkit|toolbox|arsenal|rotation)|as\\s+well)`,
    null,
    1,
    0.75,
  ),
  rule('to', 'switch', `\\b${SWITCH_TO_VERB}\\s+${FILL}${TO}${USING}${ENT}`, null, 1, 0.85),
  // "now I'm on Qwen3", "started using Codex full time": a move when something came before it.
  rule('now-on', 'switch', `\\bnow\\s+(?:i'm|im|i\\s+am|we're|we\\s+are)\\s+(?:on|using|with)\\s+(?:[\\w-]+\\s+)?${ENT}`, null, 1, 0.75, {
    half: 'origin',
  }),
  rule('full-time', 'switch', `\\bstarted\\s+using\\s+${ENT}\\s+(?:full[\\s-]?time|exclusively|instead)`, null, 1, 0.8),
  // "cancelled X and upgraded to Y": the second half of a move, never one alone.
  rule(
    'to-half',
    'switch',
    `\\b(?:upgrad(?:ed|ing)|subscrib(?:ed|ing)|signed\\s+up|went\\s+all[\\s-]in)\\s+(?:to|for|on)\\s+${ENT}`,
    null,
    1,
    0.8,
    {
      half: 'join',
    },
  ),
  rule('stop', 'switch', `\\b${STOP_VERB}\\s+${FILL}${USING}${ENT}`, 1, null, 0.85),
];

/** "I cancelled my subscription" with no entity in its sentence: what was cancelled is what the post is about. */
const BARE_CANCEL =
  /\b(?:cancel+ed|unsubscribed|churned)(?:\s+(?:my|our)\s+(?:[\w-]+\s+)?(?:subscription|sub|plan|membership|account))?(?=\s*(?:$|[,;.!]|\band\b|\btoday\b|\byesterday\b|\blast\b|\bthis\b))/u;

/** "X -> Y" on a short line of its own (a title or a list item). */
const ARROW = new RegExp(
  `^[^\\p{L}\\p{N}${OPEN}]*(?:[\\p{L}']+\\s+){0,3}?${ENT}\\s*(?:->|→|=>|-->|➡️?|⇒)\\s*${ENT}(?:[\\s\\p{P}]*|\\s+(?:[\\p{L}']+\\s*){0,4}[\\p{P}]*)$`,
  'u',
);

/** Sentence openers that make the whole sentence a question when it ends with "?". */
const QUESTION_OPENER =
  /^\s*(?:\W\s*)*(?:should|would|could|can|do|does|did|is|are|was|were|has|have|had|anyone|anybody|any\s+one|why|how|what|which|who|where|when|will|worth|thoughts)\b/u;
/** Anywhere before the move in its sentence: the move is hypothetical or conditional. */
const CONDITIONAL = /\b(?:if|unless|whether|in\s+case|otherwise|or\s+else|imagine|suppose|hypothetically|as\s+soon\s+as)\b/u;
/** Right after the move, in its clause: a habit ("I switch to X when...") or a purpose ("back to X to review"), not a move. */
const HABIT_AFTER =
  /^[^,;.!?]*?\b(?:when|whenever|for\s+(?:some|certain|simple|small|quick|easy)|to\s+(?:review|check|plan|debug|fix|verify|double[\s-]check))\b/u;
/** In the move's own clause, before the verb: someone other than the author, a wish, a plan or a denial. */
const NOT_DONE = new RegExp(
  [
    'should',
    "shouldn't",
    'would',
    "wouldn't",
    'could',
    "couldn't",
    'might',
    'may',
    'must',
    'will',
    "won't",
    'wont',
    'shall',
    "i'll",
    'ill',
    "we'll",
    "i'd",
    "we'd",
    "you'd",
    'gonna',
    'wanna',
    'going\\s+to',
    'want\\s+to',
    'wants\\s+to',
    'wanted\\s+to',
    'plan\\s+to',
    'planning\\s+(?:to|on)',
    'plans\\s+to',
    'thinking',
    'think',
    'considering',
    'consider',
    'contemplating',
    'tempted',
    'about\\s+to',
    'ready\\s+to',
    'need\\s+to',
    'needs\\s+to',
    'have\\s+to',
    'has\\s+to',
    'debating',
    'try',
    'tried',
    'trying',
    'tries',
    'hoping',
    'hope',
    'wish',
    'wondering',
    'worth',
    'maybe',
    'probably',
    'perhaps',
    'possibly',
    'keep',
    'keeps',
    'time\\s+to',
    'can',
    'cannot',
    "can't",
    'cant',
    'able\\s+to',
    'not',
    'never',
    "didn't",
    'didnt',
    "don't",
    'dont',
    "haven't",
    'havent',
    "hasn't",
    "isn't",
    "aren't",
    "wasn't",
    'no\\s+reason',
    'nobody',
    'no\\s+one',
    'without',
    'you',
    'your',
    'ya',
    "y'all",
    'u',
    'they',
    "they're",
    'theyre',
    'he',
    'she',
    "he's",
    "she's",
    'people',
    'everyone',
    'everybody',
    'folks',
    'users',
    'devs',
    'developers',
    'customers',
    'others',
    'many',
    'most',
    'lots',
    'anyone',
    'anybody',
    'someone',
    'somebody',
    'who',
    'why',
    'how',
    'what',
    'when',
    'let',
    "let's",
    'lets',
    'please',
    'just\\s+(?=switch\\b|move\\b|use\\b|cancel\\b)',
  ]
    .join('|')
    .replace(/^/, '\\b(?:')
    .concat(')\\b'),
  'u',
);
const FIRST_PERSON =
  /\b(?:i|i've|ive|i'm|im|i\s+am|me|we|we've|weve|we're|us|our\s+(?:\w+\s+)?(?:team|company|org|startup|shop|devs|engineers)|my\s+(?:\w+\s+)?(?:team|company|org|boss|manager|colleague|cofounder|co-founder|wife|husband|partner|friend|employer))\b/u;
/** A present-tense move is a habit or an order ("I switch to X for tests", "switch to Y!"): only past and -ing forms state one. */
const BARE_MOVE = /^(?:switch|move|migrate|jump|go|cancel|drop|ditch|dump|quit|leave|replace|return|uninstall|stop)\b/u;
/** A bare "use"/"add" needs "I"/"we" in front of it ("I use Y alongside X"); "use Y alongside X" alone is advice. */
const BARE_FORM = /^(?:use|add|run|pair|keep|have)\b/u;
/** Where a clause starts, for finding the move's own subject. */
const CLAUSE_START =
  /(?:[,;:()]|\s[-–—]\s|\b(?:and|but|so|then|because|cause|since|after|before|once|until|though|although|while|which|that(?!'s))\b)/gu;

interface Skeleton {
  /** The sentence lowercased, curly quotes straightened, mentions replaced by markers. */
  text: string;
  /** Offset in the original text of each skeleton position (and of its end). */
  at: number[];
  mentions: FlowMention[];
}

function buildSkeleton(text: string, span: TextSpan, mentions: readonly FlowMention[]): Skeleton {
  const inside = mentions.filter((m) => m.start >= span.start && m.end <= span.end);
  let out = '';
  const at: number[] = [];
  let i = span.start;
  inside.forEach((m, k) => {
    for (; i < m.start; i++) {
      out += text[i]!;
      at.push(i);
    }
    const marker = `${OPEN}${k}${CLOSE}`;
    for (let c = 0; c < marker.length; c++) at.push(c === marker.length - 1 ? m.end - 1 : m.start);
    out += marker;
    i = m.end;
  });
  for (; i < span.end; i++) {
    out += text[i]!;
    at.push(i);
  }
  at.push(span.end);
  return { text: out.toLowerCase().replace(/[’‘]/g, "'"), at, mentions: inside };
}

/** Mentions sorted by position with overlaps dropped (the first, then longest, wins). */
function cleanMentions(mentions: readonly FlowMention[]): FlowMention[] {
  const sorted = [...mentions].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: FlowMention[] = [];
  for (const m of sorted) if (kept.length === 0 || m.start >= kept.at(-1)!.end) kept.push(m);
  return kept;
}

/** The move's own clause before its verb: from the last clause break (or the sentence start) to `at`. */
function clauseBefore(sentence: string, at: number): string {
  const before = sentence.slice(0, at);
  let start = 0;
  CLAUSE_START.lastIndex = 0;
  for (let m = CLAUSE_START.exec(before); m !== null; m = CLAUSE_START.exec(before)) start = m.index + m[0].length;
  return before.slice(start);
}

/** Whether the words before a move make it something the author did or decided. */
function isAuthorsMove(sentence: string, at: number, matched: string): boolean {
  const whole = sentence.slice(0, at);
  if (CONDITIONAL.test(whole)) return false;
  // "that's when I switched": a time, not a question.
  const own = clauseBefore(sentence, at).replace(/\b(?:that's|thats|that\s+is|which\s+is|this\s+is)\s+when\b/gu, '');
  if (NOT_DONE.test(own)) return false;
  if (/\b(?:not|never|no)\s*$/u.test(whole)) return false;
  // "I have Cursor and use GPT-5 as a complement to CC": the subject of the first verb carries over an "and".
  const hasSubject =
    FIRST_PERSON.test(own) || (/^\s*$/u.test(own) && /\band\s*$/u.test(whole) && FIRST_PERSON.test(clauseBefore(whole, whole.length - 4)));
  const leftover = own
    .replace(
      /\b(?:promptly|quickly|immediately|instantly|gladly|happily|literally|actually|honestly|finally|eventually|just|recently|yesterday|today|honestly|basically|ultimately|so|then|also|already|officially|lol|ok|okay|well|anyway|edit|update|tl;?dr|since\s+then|after\s+that|ended\s+up|last\s+(?:week|month|year|night)|this\s+(?:week|month|year)|\d+\s+(?:days?|weeks?|months?)\s+ago)\b/gu,
      '',
    )
    .replace(/[\s\p{P}\p{S}]+/gu, '');
  if (BARE_MOVE.test(matched)) return false;
  // A bare "back to X" with no verb is a title or a terse line of its own ("Back to Cursor after a week of Kiro").
  if (/^back\b/u.test(matched)) return leftover.length === 0 && own.trim() === whole.trim();
  if (BARE_FORM.test(matched)) return hasSubject;
  // "Switched from X to Y": the subject is left out, as in a title or a terse comment.
  return hasSubject || leftover.length === 0;
}

/** "...to Y?" or a sentence opening like a question and ending with "?". */
function isQuestion(sentence: string, end: number): boolean {
  const rest = sentence.slice(end);
  const stop = rest.search(/[,;.!]/u);
  if ((stop < 0 ? rest : rest.slice(0, stop)).includes('?')) return true;
  return sentence.trimEnd().endsWith('?') && QUESTION_OPENER.test(sentence);
}

/** Where the skeleton's [start, end) lies in the post's own text. */
const textSpan = (skeleton: Skeleton, start: number, end: number): { start: number; end: number } => ({
  start: skeleton.at[start]!,
  end: skeleton.at[end - 1]! + 1,
});

interface Found {
  kind: FlowKind;
  from: string | null;
  to: string | null;
  start: number;
  end: number;
  sentence: number;
  confidence: number;
  rule: string;
  half?: 'join' | 'origin';
}

const REASON_CONNECTIVE =
  /\b(?:because|cause|cuz|coz|bc|due\s+to|over|thanks\s+to|since|as|after|given|for|sick\s+of|tired\s+of|fed\s+up\s+with|frustrated\s+with)\b/gu;

/** Words judging how well a tool does its work without naming an aspect. */
const GENERIC_QUALITY =
  /\b(?:better|worse|smarter|hits?\s+a\s+(?:wall|roadblock)|can'?t\s+(?:handle|figure|solve|fix)|struggl\w+|dumber|dumb|dumbed|just\s+works|actually\s+good|handles\s+everything|impressed|excel(?:s|led)?|solves?|solved|nails?|capable|lobotomi[sz]ed|degraded|downgraded|stuck|helped|superior|game[\s-]?changing)\b/u;

/** The reason the author gives for one move: a "because/over/due to" clause first, then its sentence, then its neighbours. */
function findReason(text: string, sentences: TextSpan[], found: Found, moves: readonly TextSpan[]): AspectName | null {
  const sentence = sentences[found.sentence]!;
  const tail = { start: found.end, end: sentence.end };
  const tailText = text.slice(tail.start, tail.end).toLowerCase();
  REASON_CONNECTIVE.lastIndex = 0;
  const connective = REASON_CONNECTIVE.exec(tailText);
  if (connective) {
    const clause = { start: tail.start + connective.index, end: tail.end };
    const hit = findReasonCues(text, clause, moves, true)[0];
    if (hit) return hit.aspect;
  }
  // The rest of the move's sentence speaks of it: "switched to Y, the limits on X were killing me".
  const after = findReasonCues(text, tail, moves, true)[0];
  if (after) return after.aspect;
  const before = { start: sentence.start, end: found.start };
  const beforeText = text.slice(before.start, before.end).toLowerCase();
  const lead = /\b(?:because|cause|due\s+to|after|since|thanks\s+to|sick\s+of|tired\s+of|fed\s+up\s+with|with)\b/u.exec(beforeText);
  if (lead) {
    const hit = findReasonCues(text, { start: before.start + lead.index, end: before.end }, moves, true)[0];
    if (hit) return hit.aspect;
  }
  const own = findReasonCues(text, sentence, moves, false);
  if (own.length > 0) return nearest(own, found).aspect;
  for (const k of [found.sentence - 1, found.sentence + 1]) {
    const neighbour = sentences[k];
    if (!neighbour) continue;
    if (moves.some((m) => m.start >= neighbour.start && m.end <= neighbour.end)) continue;
    const hits = findReasonCues(text, neighbour, moves, false);
    if (hits.length > 0) return (k < found.sentence ? hits.at(-1)! : hits[0]!).aspect;
  }
  // A judgement with no aspect word ("was much better", "just works", "gets stuck") is about how well it does the work.
  const plain = (span: TextSpan) => GENERIC_QUALITY.test(text.slice(span.start, span.end).toLowerCase());
  if (plain(sentence)) return 'performance';
  for (const k of [found.sentence + 1, found.sentence - 1]) {
    const neighbour = sentences[k];
    if (neighbour && !moves.some((m) => m.start >= neighbour.start && m.end <= neighbour.end) && plain(neighbour)) return 'performance';
  }
  return null;
}

function nearest<T extends TextSpan>(hits: T[], found: TextSpan): T {
  const distance = (h: TextSpan): number => (h.end <= found.start ? found.start - h.end : h.start - found.end);
  return hits.reduce((best, h) => (distance(h) < distance(best) ? h : best));
}

/** What the sentences around a move say, for reading who "I" is and which Claude is meant. */
interface SentenceContext {
  /** The sentence before, lowercased. */
  previous: () => string;
  /** Slugs named in this sentence and the ones next to it. */
  nearby: () => ReadonlySet<string>;
  /** Where in the post each slug is first named. */
  firstNamed: ReadonlyMap<string, number>;
}

/** A tool in trouble: "gets stuck", "can't handle it", "hits a roadblock", "keeps giving me wrong changes". */
const TROUBLE = [
  `(?:gets?|got|is|was|are|were|starts?|keeps?|seems?|goes)?\\s*(?:stuck|struggl\\w*|spinning|looping|lost|confused|down|rate[-\\s]limited|lobotomi[sz]ed|off\\s+the\\s+rails|in\\s+circles|in\\s+a\\s+loop)`,
  `can'?t|cannot|couldn'?t|can\\s+not|fails?|failed|failing|chokes?|gives?\\s+up|messes\\s+up|screws\\s+up`,
  `hits?\\s+(?:a\\s+)?(?:wall|roadblock|brick\\s+wall|dead\\s+end|limits?|(?:the|its|my|a|usage|rate)\\s+limits?)`,
  `runs?\\s+out|ran\\s+out|(?:is\\s+|keeps?\\s+)?running\\s+(?:into|out|in\\s+circles)|runs?\\s+into`,
  `keeps?\\s+(?:giving|failing|looping|breaking|making|getting|going)|doesn'?t\\s+(?:get|know|work|solve|fix)`,
].join('|');
const WHEN_TROUBLE = new RegExp(
  `\\b(?:when|whenever|every\\s+time|anytime|any\\s+time)\\s+${ENT}[\\w.]*\\s+(?:[\\w'.]+\\s+){0,2}?(?:${TROUBLE})`,
  'gu',
);
/** Whoever speaks in a fallback sentence is not the author, or it is advice or a wish. */
const NOT_OWN_HABIT =
  /\b(?:you|your|ya|u|should|would|might|if|unless|wish|want|wants|thinking\s+(?:of|about)|considering|people|everyone|they)\b/u;
const NEGATED = /\b(?:not|never|no)\b|n't\b/u;
const MARKER_START = new RegExp(OPEN, 'gu');
const markerAt = (text: string, index: number): number => Number(text.slice(index + 1, text.indexOf(CLOSE, index)));

/**
 * "I use Codex when Claude gets stuck", "When CC hits a roadblock, Gemini or ChatGPT can often help":
 * a tool the author turns to when their main one is in trouble is `adds` from the main one to it.
 */
function matchFallback(skeleton: Skeleton, index: number, context: SentenceContext): Found[] {
  const text = skeleton.text;
  if (text.includes('?') || !(FIRST_PERSON.test(text) || FIRST_PERSON.test(context.previous()))) return [];
  const found: Found[] = [];
  WHEN_TROUBLE.lastIndex = 0;
  for (let m = WHEN_TROUBLE.exec(text); m !== null; m = WHEN_TROUBLE.exec(text)) {
    let primary = skeleton.mentions[Number(m[1])]!.slug;
    // "I rely on Claude Code, but when Claude can't handle a task": the Claude of a Claude Code user is Claude Code.
    if (primary === 'claude' && context.nearby().has('claude-code')) primary = 'claude-code';
    const before = text.slice(0, m.index);
    if (NOT_OWN_HABIT.test(before) || NOT_OWN_HABIT.test(m[0])) continue;
    const after = text.slice(m.index + m[0].length);
    const candidates: { slug: string; between: string }[] = [];
    const markers = (part: string, offset: number): number[] =>
      [...part.matchAll(MARKER_START)].map((x) => markerAt(text, offset + x.index));
    const offset = m.index + m[0].length;
    const clauseStart = m.index - clauseBefore(text, m.index).length;
    const fromBefore = (k: number) => ({ k, between: text.slice(text.indexOf(`${OPEN}${k}${CLOSE}`), m.index) });
    const fromAfter = (k: number) => ({ k, between: text.slice(offset, text.indexOf(`${OPEN}${k}${CLOSE}`)) });
    const usable = (c: { k: number }) => !sameFamily(skeleton.mentions[c.k]!.slug, primary);
    // The tool turned to: in the clause before "when" ("I use Codex when..."), else after it ("..., I switch to Codex"), else earlier.
    const tiers = [
      markers(before.slice(clauseStart), clauseStart).map(fromBefore),
      markers(after, offset).map(fromAfter),
      markers(before.slice(0, clauseStart), 0).map(fromBefore),
    ];
    for (const c of tiers.find((t) => t.some(usable)) ?? []) candidates.push({ slug: skeleton.mentions[c.k]!.slug, between: c.between });
    for (const c of candidates) {
      if (sameFamily(c.slug, primary) || NEGATED.test(c.between) || NOT_OWN_HABIT.test(c.between)) continue;
      if (found.some((f) => f.to === c.slug)) continue;
      found.push({
        kind: 'adds',
        from: primary,
        to: c.slug,
        ...textSpan(skeleton, m.index, m.index + m[0].length),
        sentence: index,
        confidence: 0.75,
        rule: 'fallback',
      });
    }
  }
  return found;
}

/** "I couldn't go back to Claude Code", "never going back to Cursor/Claude Code": X is left for good. */
const NO_RETURN = new RegExp(
  `\\b(?:can't|cant|cannot|can\\s+not|couldn't|couldnt|could\\s+not|never|won't|wont|don't|dont|hard\\s+to|impossible\\s+to|no\\s+way)\\s+(?:[\\w']+\\s+){0,3}?(?:go|going|gone|come|coming|switch|switching|move|moving)\\s+back\\s+(?:to|on)\\s+(?:using\\s+)?(${OPEN}\\d+${CLOSE}|(?:[\\w'.-]+))`,
  'gu',
);
/** "after a week with Codex", "after using Claude Code": what the author moved to. */
const AFTER_USING = new RegExp(
  `\\bafter\\s+(?:(?:using|trying|switching\\s+to|moving\\s+to|working\\s+with|going\\s+with)\\s+|(?:a|one|two|three|a\\s+few|a\\s+couple\\s+of|\\d+|several)\\s+(?:days?|weeks?|months?)\\s+(?:of|with|on|using)\\s+)${ENT}`,
  'u',
);
const SOMEONE_ELSE =
  /\b(?:you|your|ya|u|they|they're|he|she|people|everyone|everybody|folks|users|nobody|someone|should|would|might|may|if|unless)\b/u;

function matchNoReturn(skeleton: Skeleton, index: number): Found[] {
  const text = skeleton.text;
  const found: Found[] = [];
  NO_RETURN.lastIndex = 0;
  for (let m = NO_RETURN.exec(text); m !== null; m = NO_RETURN.exec(text)) {
    const own = clauseBefore(text, m.index);
    if (SOMEONE_ELSE.test(own) || CONDITIONAL.test(text.slice(0, m.index)) || isQuestion(text, m.index + m[0].length)) continue;
    const object = m[1]!;
    const lefts = object.startsWith(OPEN) ? joinedSlugs(skeleton, object.slice(1, -1)) : [null];
    const using = AFTER_USING.exec(text);
    const to = using ? skeleton.mentions[Number(using[1])]!.slug : null;
    for (const from of lefts) {
      if (from === to || (from === null && to === null)) continue;
      found.push({
        kind: 'switch',
        from,
        to,
        ...textSpan(skeleton, m.index, m.index + m[0].length),
        sentence: index,
        confidence: 0.75,
        rule: 'no-return',
      });
    }
  }
  return found;
}

/** "Also, I use GPT-5 via the app for narrow issues": a tool used besides the one the post is about. */
const ALSO_USE = new RegExp(
  `(?:\\b(?:i|we)\\s+(?:also|additionally)\\s+(?:use|run|pay\\s+for|keep)|^\\W*also,?\\s+(?:i|we)\\s+(?:use|run|pay\\s+for|keep))\\s+${ENT}`,
  'gu',
);

function matchAlso(skeleton: Skeleton, index: number, context: SentenceContext): Found[] {
  const text = skeleton.text;
  const found: Found[] = [];
  ALSO_USE.lastIndex = 0;
  for (let m = ALSO_USE.exec(text); m !== null; m = ALSO_USE.exec(text)) {
    if (isQuestion(text, m.index + m[0].length) || CONDITIONAL.test(text.slice(0, m.index))) continue;
    const added = skeleton.mentions[Number(m[1])]!;
    // The kept one: the entity the post named first, when it came before this sentence.
    const kept = [...context.firstNamed]
      .filter(([slug, at]) => at < skeleton.at[0]! && !sameFamily(slug, added.slug))
      .sort((a, b) => a[1] - b[1])[0];
    if (!kept) continue;
    found.push({
      kind: 'adds',
      from: kept[0],
      to: added.slug,
      ...textSpan(skeleton, m.index, m.index + m[0].length),
      sentence: index,
      confidence: 0.7,
      rule: 'also-use',
    });
  }
  return found;
}

/** After "cancelled the X": a noun that makes it a thing of X's ("the HF download process"). */
const THINGS_OF =
  /^\s+(?!(?:and|or|but|for|because|since|as|after|today|yesterday|last|this|in|on|at|to|with|completely|entirely|altogether|too|now|a|an|the|so|then|when|which|over|instead|back)\b)[a-z]/u;

/** A move told in the past ("dropped Cursor when the dark patterns showed up"): an event, not a habit. */
const PAST_MOVE = /^\S*(?:ed|went|gone|left|quit|ran|fell|came)\b/u;

/** Entities joined to a marker by "+", "&", "/", "," or "and"/"or" ("Gemini Pro + Opus", "Cursor/Claude Code"), in order. */
function joinedSlugs(skeleton: Skeleton, group: string): string[] {
  const k = Number(group);
  const out = [k];
  for (let j = k + 1; j < skeleton.mentions.length; j++) {
    const between = skeleton.text.slice(
      skeleton.text.indexOf(CLOSE, skeleton.text.indexOf(`${OPEN}${j - 1}${CLOSE}`)) + 1,
      skeleton.text.indexOf(`${OPEN}${j}${CLOSE}`),
    );
    if (!SIDE_JOINER.test(between)) break;
    out.push(j);
  }
  const slugs = out.map((j) => skeleton.mentions[j]!.slug);
  return [...new Set(slugs)];
}

/** Words one of the rules needs: a sentence with none of them states no move (checked first, for speed). */
const MOVE_CUE =
  /switch|mov|migrat|jump|transition|went|gone|port|convert|churn|ditch|dump|drop|left|leav|quit|abandon|replac|trade|swap|cancel|subscrib|install|stop|gave|given|longer|done|finish|back|return|kept|keep|add|alongside|addition|tandem|together|top\s+of|next\s+to|complement|compliment|supplement|fallback|opinion|reviewer|primary|main|driver|instead|both|parallel|side|between|while|activat|join|now|start|upgrad|signed|all[\s-]in|when|every\s*time|any\s*time|also|integrat|check|alternat|aboard|->|→|=>|➡|⇒/u;

function matchSentence(skeleton: Skeleton, index: number, sentenceContext: SentenceContext): Found[] {
  if (!MOVE_CUE.test(skeleton.text)) return [];
  const firstNamed = (slug: string | null): number => (slug === null ? Infinity : (sentenceContext.firstNamed.get(slug) ?? Infinity));
  const found: Found[] = [];
  const taken: TextSpan[] = [];
  const slug = (group: string | undefined): string | null =>
    group === undefined ? null : (skeleton.mentions[Number(group)]?.slug ?? null);
  for (const r of RULES) {
    r.pattern.lastIndex = 0;
    for (let m = r.pattern.exec(skeleton.text); m !== null; m = r.pattern.exec(skeleton.text)) {
      const start = m.index;
      const end = m.index + m[0].length;
      if (taken.some((t) => start < t.end && t.start < end)) continue;
      // A statement refused as a whole (a question, "from X to X") is not read again in parts by a weaker rule.
      taken.push({ start, end });
      if (
        !isAuthorsMove(skeleton.text, start, m[0]) ||
        isQuestion(skeleton.text, end) ||
        (!PAST_MOVE.test(m[0]) && HABIT_AFTER.test(skeleton.text.slice(end)))
      )
        continue;
      // "dropped a Max subscription" is buying one: what is left is the author's own ("my", "our") or named bare.
      if (r.name === 'stop' && /\b(?:a|an)\s+(?:\$?\d+\S*\s+)?\uE000/u.test(m[0])) continue;
      // "cancelled the HF download": a thing of X's, not X.
      if (r.name === 'stop' && /\bthe\s+\uE000\d+\uE001$/u.test(m[0]) && THINGS_OF.test(skeleton.text.slice(end))) continue;
      // "DeepSeek suddenly dropped V3" is a release: "dropped" leaves X only said by the author or of their own X.
      if (/^dropp/u.test(m[0]) && !/\b(?:my|our)\s/u.test(m[0]) && !FIRST_PERSON.test(clauseBefore(skeleton.text, start))) continue;
      // "from Claude Code to GPT-5 pro + Codex": every entity joined on a side is a flow of its own.
      const side = (group: number | null): (string | null)[] =>
        group === null || m[group] === undefined ? [null] : joinedSlugs(skeleton, m[group]);
      let froms = side(r.from);
      let tos = r.also !== undefined && m[r.also] !== undefined ? [...side(r.to), ...side(r.also)] : side(r.to);
      if (r.symmetric && firstNamed(tos[0] ?? null) < firstNamed(froms[0] ?? null)) [froms, tos] = [tos, froms];
      for (const from of froms)
        for (const to of tos) {
          if (from === to || (from === null && to === null)) continue;
          found.push({
            kind: r.kind,
            from,
            to,
            ...textSpan(skeleton, start, end),
            sentence: index,
            confidence: r.confidence,
            rule: r.name,
            ...(r.half ? { half: r.half } : {}),
          });
        }
    }
  }
  found.push(
    ...matchFallback(skeleton, index, sentenceContext),
    ...matchNoReturn(skeleton, index),
    ...matchAlso(skeleton, index, sentenceContext),
  );
  if (found.length === 0) {
    const arrow = ARROW.exec(skeleton.text.trim());
    if (arrow && skeleton.text.trim().length <= 120 && !skeleton.text.includes('?')) {
      const from = slug(arrow[1]);
      const to = slug(arrow[2]);
      const offset = skeleton.text.indexOf(skeleton.text.trim());
      if (from !== null && to !== null && from !== to) {
        const first = skeleton.text.indexOf(OPEN, offset);
        const last = skeleton.text.lastIndexOf(CLOSE);
        found.push({
          kind: 'switch',
          from,
          to,
          ...textSpan(skeleton, first, last + 1),
          sentence: index,
          confidence: 0.7,
          rule: 'arrow',
        });
      }
    }
  }
  return found;
}

/**
 * "Cancelled Cursor and moved to Claude Code", "jumped ship to Codex, never going back to Cursor": a
 * move away from X and a move to Y in one sentence are one switch X -> Y.
 */
function joinHalves(found: Found[]): Found[] {
  const sorted = [...found].sort((a, b) => a.start - b.start);
  const isLeave = (f: Found) => f.kind === 'switch' && f.to === null && f.from !== null;
  const isArrival = (f: Found) => f.kind === 'switch' && f.from === null && f.to !== null;
  const used = new Set<Found>();
  const out: Found[] = [];
  for (const f of sorted) {
    if (!isLeave(f)) continue;
    const here = sorted.filter((a) => a.sentence === f.sentence && isArrival(a) && a.to !== f.from);
    const arrival = here.find((a) => a.start > f.start) ?? here.at(-1);
    if (!arrival) continue;
    used.add(f).add(arrival);
    out.push({
      ...f,
      to: arrival.to,
      start: Math.min(f.start, arrival.start),
      end: Math.max(f.end, arrival.end),
      confidence: Math.min(f.confidence, arrival.confidence),
    });
  }
  return [...out, ...sorted.filter((f) => !used.has(f))].sort((a, b) => a.start - b.start);
}

/** "because Codex is actually good now" after a cancellation: where the author went. */
const BECAUSE_Y = new RegExp(
  `^[^.!?]*?\\b(?:because|bc|cause|cuz|coz|since|as|now\\s+that)\\s+${ENT}\\s+(?:[\\w']+\\s+){0,3}?(?:is|are|has|just|works|does|handles|actually|gets|was)\\b`,
  'u',
);
/** An earlier sentence saying the author turned to Y. */
const TURNED_TO = new RegExp(
  `\\b(?:i|we)\\s+(?:\\w+\\s+)?(?:decided\\s+to\\s+(?:give|try|go\\s+with|use)|gave|started\\s+using|began\\s+using)\\s+${ENT}`,
  'u',
);

/** The rest of a leaving sentence naming where the author went. */
const DESTINATION_AFTER = [
  BECAUSE_Y,
  // "cancelled Claude Max today, moving to Codex", "... and will be switching to Codex"
  new RegExp(
    `^[^.!?]{0,60}?\\b(?:moving|moved|switching|switched|going|went|jumping|jumped|migrating|migrated|heading|headed)\\s+(?:(?:over|back|all[\\s-]in)\\s+)?(?:to|onto|on)\\s+${ENT}`,
    'u',
  ),
  // "stopped using 4o, replaced it with Qwen 3"
  new RegExp(`^[^.!?]{0,40}?\\breplaced\\s+(?:it|them)\\s+with\\s+(?:[\\w-]+\\s+){0,2}?${ENT}`, 'u'),
  // "dumped Claude and I'm all aboard the ChatGPT train", "... and use ChatGPT a lot more"
  new RegExp(`^[^.!?]{0,40}?\\ball\\s+aboard\\s+(?:the\\s+)?${ENT}`, 'u'),
  new RegExp(`^[^.!?]{0,30}?\\band\\s+(?:i\\s+)?(?:now\\s+)?(?:use|using|am\\s+using|i'm\\s+using)\\s+${ENT}`, 'u'),
  // "ditched Cursor too, Claude Code is awesome", "... and the experience in Codex has been far superior"
  new RegExp(
    `^[^.!?]{0,40}?(?:,|\\band\\b|\\s-|—)\\s+(?:now\\s+|the\\s+experience\\s+(?:in|with|on)\\s+)?${ENT}\\s+(?:is|has\\s+been|was|just)\\s+(?:[\\w']+\\s+){0,2}?(?:awesome|great|amazing|better|superior|good|excellent|solid|fantastic|works)\\b`,
    'u',
  ),
  // "because I was getting better output with Codex"
  new RegExp(
    `^[^.!?]{0,10}?\\b(?:because|bc|since|as)\\b[^.!?]{0,50}?\\b(?:better|superior|smarter|faster|cheaper)\\b[^.!?]{0,30}?\\b(?:with|from|in|on|using)\\s+${ENT}`,
    'u',
  ),
];

/** "Cancelled my Max plan. Codex just works.": the next sentence praising Y as its subject. */
const NEXT_PRAISED = new RegExp(
  `^\\W*(?:(?:and|but|so|now|meanwhile|honestly|tbh|imo|i\\s+find\\s+(?:that\\s+)?|i\\s+think\\s+(?:that\\s+)?)\\W*)?${ENT}(?:\\s+[\\w'*]+){0,2}?\\s+(?:just\\s+works|works|handles|does\\s+(?:it|everything|the\\s+job)|nails|solves|gets\\s+it|(?:is|was)\\s+(?:[\\w'*]+\\s+){0,2}?(?:better|great|good|amazing|solid|fine|excellent|reliable|smarter|faster|cheaper)|[^,;.!?]*\\bbetter\\b)`,
  'u',
);

/** The destination of a move that names none in its own words, from the reason or the next sentence. */
function findDestination(f: Found, skeletons: readonly (Skeleton | null)[]): Found {
  if (f.kind !== 'switch' || f.to !== null || f.from === null) return f;
  const own = skeletons[f.sentence];
  if (own) {
    const after = own.at.findIndex((x) => x >= f.end);
    const rest = after >= 0 ? own.text.slice(after) : '';
    for (const pattern of DESTINATION_AFTER) {
      const m = pattern.exec(rest);
      const slug = m ? own.mentions[Number(m[1])]!.slug : null;
      if (slug && !sameFamily(slug, f.from) && !NOT_OWN_HABIT.test(m![0]) && !NEGATED.test(m![0]))
        // "cancelled my Codex sub and am going back to CC" is a return.
        return { ...f, to: slug, kind: /\bback\s+(?:to|onto|on)\s/u.test(m![0]) ? 'return' : f.kind, rule: `${f.rule}+to` };
    }
  }
  // "So I decided to give Codex a try ... I cancelled my CC max subscription": what the author turned to just before.
  for (const k of [f.sentence - 1, f.sentence - 2]) {
    const earlier = skeletons[k];
    const m = earlier ? TURNED_TO.exec(earlier.text) : null;
    const slug = m ? earlier!.mentions[Number(m[1])]!.slug : null;
    if (slug && !sameFamily(slug, f.from) && !NOT_OWN_HABIT.test(clauseBefore(earlier!.text, m!.index)))
      return { ...f, to: slug, rule: `${f.rule}+to` };
  }
  const next = skeletons[f.sentence + 1];
  const m = next ? NEXT_PRAISED.exec(next.text) : null;
  const slug = m ? next!.mentions[Number(m[1])]!.slug : null;
  if (slug && !sameFamily(slug, f.from)) return { ...f, to: slug, rule: `${f.rule}+to` };
  return f;
}

/**
 * "Yeah I cancelled and am not coming back. Anthropic is losing subscribers": a cancellation naming
 * no entity left the one named last in the two sentences before it, or else first in the next one.
 */
function matchBareCancel(text: string, sentences: readonly TextSpan[], index: number, mentions: readonly FlowMention[]): Found | null {
  const sentence = sentences[index]!;
  const skeleton = buildSkeleton(text, sentence, []);
  const m = BARE_CANCEL.exec(skeleton.text);
  if (!m) return null;
  const start = m.index;
  const end = m.index + m[0].length;
  if (
    !isAuthorsMove(skeleton.text, start, m[0]) ||
    isQuestion(skeleton.text, end) ||
    !FIRST_PERSON.test(clauseBefore(skeleton.text, start))
  )
    return null;
  const reach = sentences[Math.max(0, index - ORIGIN_REACH)]!.start;
  const next = sentences[index + 1];
  const before = mentions.filter((x) => x.start >= reach && x.end <= sentence.start).at(-1);
  const after = next ? mentions.find((x) => x.start >= next.start && x.end <= next.end) : undefined;
  const origin = before ?? after;
  if (!origin) return null;
  return {
    kind: 'switch',
    from: origin.slug,
    to: null,
    ...textSpan(skeleton, start, end),
    sentence: index,
    confidence: 0.7,
    rule: 'cancel-bare',
  };
}

/** Sentences before a move that may still name what it left ("Started with Cursor... switched to Claude"). */
const ORIGIN_REACH = 2;

/** One family's names ("claude" and "claude-code"): a move between them is not read from context. */
const sameFamily = (a: string, b: string): boolean => a === b || a.startsWith(`${b}-`) || b.startsWith(`${a}-`);

const YARDSTICK = /\b(?:compared\s+(?:to|with)|than|vs\.?|versus|unlike)\s+(?:the\s+)?$/u;

/** Between a move and an origin named after it: a reason or a comparison ("because my employer paid for CC"), not a host ("to Sonnet in Cursor"). */
const LATER_ORIGIN = /\b(?:because|bc|cause|cuz|since|as|after|over|instead\s+of|than|from)\b/u;

/** What may stand between two entities named as one side: "Gemini Pro + Opus", "Cursor/Claude Code". */
const SIDE_JOINER = new RegExp(`^(?:\\s+(?:${PLAN_WORDS}))*\\s*(?:\\+|&|/|,|\\band\\b|\\bor\\b)\\s*$`, 'iu');

/** The mentions joined to `mentions[k]` as one side, in order. */
function sideOf(text: string, mentions: readonly FlowMention[], k: number): FlowMention[] {
  let first = k;
  let last = k;
  while (first > 0 && SIDE_JOINER.test(text.slice(mentions[first - 1]!.end, mentions[first]!.start))) first--;
  while (last < mentions.length - 1 && SIDE_JOINER.test(text.slice(mentions[last]!.end, mentions[last + 1]!.start))) last++;
  return mentions.slice(first, last + 1);
}

/**
 * "I started with Cursor... switched to Claude Pro": a move to Y with no origin in its own words
 * left the entity the author named first in its sentence, or else last in the two sentences before,
 * or else the one named after it in its sentence ("switched to Codex because my employer paid for CC").
 * Entities joined as one side ("Gemini Pro + Opus were my dream team") each give a flow.
 */
function inferOrigin(
  f: Found,
  mentions: readonly FlowMention[],
  sentences: readonly TextSpan[],
  text: string,
  all: readonly Found[],
): Found[] {
  if (f.from !== null || f.to === null) return [f];
  // "jumped to Mistral, then ..., now I'm on Qwen": a step of a chain leaves where the step before it went.
  const step = all.filter((g) => g.sentence === f.sentence && g.end <= f.start && g.to !== null && g.to !== f.to).at(-1);
  if (step) return [{ ...f, from: step.to, rule: `${f.rule}+chain` }];
  // "back to X" left whatever the post was using, however far up it was named (a title); a move to Y looks only close by.
  const reach = f.kind === 'return' ? 0 : sentences[Math.max(0, f.sentence - ORIGIN_REACH)]!.start;
  const own = sentences[f.sentence]!;
  const other = (m: FlowMention) => !sameFamily(m.slug, f.to!);
  // Before the move, a yardstick ("way off compared to Codex") is not what the author was using.
  const used = (m: FlowMention) => other(m) && !YARDSTICK.test(text.slice(Math.max(0, m.start - 16), m.start).toLowerCase());
  const before = mentions.filter((m) => m.start >= reach && m.end <= f.start && used(m));
  // In the move's own sentence the first entity named is what was being used ("I tried X (...Y...) and went back to Z").
  const origin =
    before.find((m) => m.start >= own.start) ??
    before.at(-1) ??
    (f.kind === 'switch'
      ? mentions.find(
          (m) => m.start >= f.end && m.end <= own.end && other(m) && LATER_ORIGIN.test(text.slice(f.end, m.start).toLowerCase()),
        )
      : undefined);
  if (!origin) return [f];
  const side = sideOf(text, mentions, mentions.indexOf(origin)).filter(other);
  return [...new Set(side.map((m) => m.slug))].map((slug) => ({
    ...f,
    from: slug,
    confidence: Math.round(f.confidence * 0.85 * 100) / 100,
    rule: `${f.rule}+origin`,
  }));
}

/** "my Max 200 plan", "20x Max": Claude's plans, named without Claude. */
const CLAUDE_PLAN = /\b(?:max\s*(?:\d+x?|\$\d+|plan|sub(?:scription)?|tier)|\d+x\s+max)\b/giu;

function withClaudePlans(text: string, mentions: readonly FlowMention[]): FlowMention[] {
  const extra: FlowMention[] = [];
  CLAUDE_PLAN.lastIndex = 0;
  for (let m = CLAUDE_PLAN.exec(text); m !== null; m = CLAUDE_PLAN.exec(text)) {
    const start = m.index;
    const end = m.index + m[0].length;
    // "Claude Max", "Max CC": the plan is already part of a named entity.
    const touches = (x: FlowMention) =>
      (x.start < end && start < x.end) ||
      (x.end <= start && /^[\s\w$]{0,8}$/u.test(text.slice(x.end, start))) ||
      (x.start >= end && /^[\s\w$]{0,8}$/u.test(text.slice(end, x.start)));
    if (!mentions.some(touches)) extra.push({ slug: 'claude', start, end });
  }
  return extra.length === 0 ? [...mentions] : [...mentions, ...extra];
}

/**
 * The flows a text states, given the tracked entities' mentions in it (every occurrence, with the
 * offsets the linker gives). Offsets in the result refer to `text`.
 */
export function extractFlows(text: string, mentions: readonly FlowMention[]): Flow[] {
  if (mentions.length === 0) return [];
  const clean = cleanMentions(withClaudePlans(text, mentions));
  const sentences = splitSentences(text).flatMap((s) => splitLines(text, s));
  const skeletons = sentences.map((sentence) =>
    clean.some((m) => m.start >= sentence.start && m.end <= sentence.end) ? buildSkeleton(text, sentence, clean) : null,
  );
  const found: Found[] = [];
  const firstNamed = new Map<string, number>();
  for (const m of clean) if (!firstNamed.has(m.slug)) firstNamed.set(m.slug, m.start);
  sentences.forEach((sentence, index) => {
    const skeleton = skeletons[index];
    if (!skeleton) {
      const cancelled = matchBareCancel(text, sentences, index, clean);
      if (cancelled) found.push(cancelled);
      return;
    }
    // Read only by the few sentences that need them.
    const nearby = () => new Set([index - 1, index, index + 1].flatMap((k) => skeletons[k]?.mentions.map((m) => m.slug) ?? []));
    const previous = () => (index > 0 ? text.slice(sentences[index - 1]!.start, sentences[index - 1]!.end).toLowerCase() : '');
    found.push(...matchSentence(skeleton, index, { previous, nearby, firstNamed }));
  });
  const halves = joinHalves(found).filter((f) => f.half !== 'join' || f.from !== null);
  const joined = halves
    .flatMap((f) => inferOrigin(f, clean, sentences, text, halves))
    .filter((f) => f.half !== 'origin' || f.from !== null)
    .map((f) => findDestination(f, skeletons));
  const moves = joined.map((f) => ({ start: f.start, end: f.end }));
  // A side left open in one statement and named in another ("Cancelled my Cursor sub... jumped ship to Codex, never going back to Cursor") is one move.
  const covered = (f: Found) =>
    (f.to === null && joined.some((g) => g.kind === f.kind && g.from === f.from && g.to !== null)) ||
    (f.from === null && joined.some((g) => g.kind === f.kind && g.to === f.to && g.from !== null));
  const seen = new Set<string>(joined.filter(covered).map((f) => `${f.kind}|${f.from}|${f.to}`));
  const flows: Flow[] = [];
  for (const f of joined) {
    const key = `${f.kind}|${f.from}|${f.to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const flow: Flow = {
      from: f.from,
      to: f.to,
      kind: f.kind,
      reason: findReason(text, sentences, f, moves),
      evidence: { start: f.start, end: f.end, text: text.slice(f.start, f.end) },
      confidence: f.confidence,
    };
    flows.push(flow);
  }
  return flows;
}

/** Lines inside a sentence are read apart: a title or list item rarely runs on into the next line. */
function splitLines(text: string, sentence: TextSpan): TextSpan[] {
  const out: TextSpan[] = [];
  let start = sentence.start;
  for (let i = sentence.start; i < sentence.end; i++) {
    if (text[i] === '\n') {
      if (i > start) out.push({ start, end: i });
      start = i + 1;
    }
  }
  if (start < sentence.end) out.push({ start, end: sentence.end });
  return out;
}
