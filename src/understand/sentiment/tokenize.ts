/** Placeholder tokens that normalization substitutes for things whose exact text carries no sentiment. */
export const PLACEHOLDERS = {
  url: 'xxurl',
  user: 'xxuser',
  code: 'xxcode',
  number: 'xxnum',
  emoPositive: 'xxemopos',
  emoNegative: 'xxemoneg',
  emoji: 'xxemoji',
  /** A line break: ends a sentence and a clause. */
  lineBreak: 'xxbr',
} as const;

export interface Token {
  text: string;
  /** Inside the scope of a preceding negator in the same clause. */
  negated: boolean;
  /** After a contrast marker ("but", "however") in the same sentence: the clause that usually wins. */
  afterContrast: boolean;
  /** Punctuation token: [.!?,;:] runs. */
  punct: boolean;
  /** Offsets of the token in the normalized text. */
  start: number;
  end: number;
}

const POSITIVE_EMOJI = new Set(Array.from('😀😁😂😃😄😅😆😉😊😋😍😎😘🙂🙃🤗🤩🥰🥳😻👍👌👏🙌💪🎉🎊✨💯🚀❤💖💕💗💙💚💛💜🔥⭐🌟✅🏆🙏'));
const NEGATIVE_EMOJI = new Set(Array.from('😞😟😠😡😢😣😤😥😦😧😨😩😪😫😬😭😰😱😒😓😔😕😖🙁☹🤬🤮🤢💩👎💔❌🤦🙄😑😐🐛'));

const CODE_FENCE = /```[\s\S]*?(?:```|$)/g;
const INLINE_CODE = /`[^`\n]{1,200}`/g;
const URL_PATTERN = /\b(?:https?:\/\/|www\.)\S+/gi;
const USER_PATTERN = /(^|[^\w@])@[\w-]+/g;
const POSITIVE_EMOTICON = /(^|\s)(?:[:=;8][-o^']?[)\]dp}>]+|\^_?\^|<3|\(:|xd+)(?=\s|$|[.,!?])/gi;
const NEGATIVE_EMOTICON = /(^|\s)(?:[:=][-']?[([{|\\/]+|:'\(|>:\(|d:|-_-)(?=\s|$|[.,!?])/gi;
const PICTOGRAPH = /\p{Extended_Pictographic}/gu;
const ELONGATION = /([a-z])\1{2,}/g;
const TOKEN_PATTERN = /[a-z][a-z0-9_]*(?:'[a-z]+)?|[0-9]+(?:\.[0-9]+)?|[!?]+|\.{2,}|[.,;:]|\+1|-1/g;

function replaceEmoji(char: string): string {
  if (POSITIVE_EMOJI.has(char)) return ` ${PLACEHOLDERS.emoPositive} `;
  if (NEGATIVE_EMOJI.has(char)) return ` ${PLACEHOLDERS.emoNegative} `;
  return ` ${PLACEHOLDERS.emoji} `;
}

/**
 * Lower-cases and replaces code, URLs, @mentions, emoticons and emoji with placeholders, so the
 * features see "xxurl" instead of a thousand different links. Output is plain single-spaced text.
 */
export function normalizeText(raw: string): string {
  let text = raw.replace(/[\u2018\u2019\u02bc]/g, "'");
  if (text.includes('`')) {
    text = text.replace(CODE_FENCE, ` ${PLACEHOLDERS.code} `).replace(INLINE_CODE, ` ${PLACEHOLDERS.code} `);
  }
  if (text.includes('http') || text.includes('www.')) text = text.replace(URL_PATTERN, ` ${PLACEHOLDERS.url} `);
  if (text.includes('@')) text = text.replace(USER_PATTERN, `$1 ${PLACEHOLDERS.user} `);
  if (text.includes('\n')) text = text.replace(/\s*\n\s*/g, ` ${PLACEHOLDERS.lineBreak} `);
  text = text.replace(POSITIVE_EMOTICON, `$1 ${PLACEHOLDERS.emoPositive} `);
  text = text.replace(NEGATIVE_EMOTICON, `$1 ${PLACEHOLDERS.emoNegative} `);
  text = text.replace(PICTOGRAPH, replaceEmoji).replace(/\uFE0F|\u200D/g, '');
  text = text.toLowerCase().replace(ELONGATION, '$1$1');
  return text.replace(/\s+/g, ' ').trim();
}

const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'none',
  'nobody',
  'nothing',
  'neither',
  'nor',
  'nowhere',
  'cannot',
  'without',
  'hardly',
  'barely',
  'dont',
  'doesnt',
  'didnt',
  'cant',
  'wont',
  'isnt',
  'arent',
  'wasnt',
  'werent',
  'shouldnt',
  'wouldnt',
  'couldnt',
  'havent',
  'hasnt',
  'hadnt',
  'aint',
]);
/** Markers after which the rest of the sentence usually carries the writer's real opinion. */
export const CONTRAST_MARKERS = new Set([
  'but',
  'however',
  'although',
  'though',
  'nevertheless',
  'nonetheless',
  'whereas',
  'except',
  'unfortunately',
  'sadly',
]);
const SENTENCE_END = /^(?:[.!?]+|\.{2,})$/;
const NEGATION_WINDOW = 5;

export function isNegator(word: string): boolean {
  return NEGATORS.has(word) || word.endsWith("n't");
}

/**
 * Splits normalized text into tokens and marks negation scope (up to five words after a negator,
 * stopped by punctuation or a contrast marker) and the clause after a contrast marker.
 */
export function tokenize(normalized: string): Token[] {
  const tokens: Token[] = [];
  let negationLeft = 0;
  let afterContrast = false;
  for (const match of normalized.matchAll(TOKEN_PATTERN)) {
    let text = match[0];
    const punct = /^[.!?,;:]/.test(text);
    if (punct) {
      negationLeft = 0;
      if (SENTENCE_END.test(text)) afterContrast = false;
      if (text.length > 1 && text[0] !== '.') text = text.includes('?') ? (text.includes('!') ? '?!' : '??') : '!!';
      tokens.push({ text, negated: false, afterContrast, punct: true, start: match.index, end: match.index + match[0].length });
      continue;
    }
    if (text === PLACEHOLDERS.lineBreak) {
      negationLeft = 0;
      afterContrast = false;
      tokens.push({ text, negated: false, afterContrast, punct: false, start: match.index, end: match.index + match[0].length });
      continue;
    }
    if (/^[0-9]/.test(text)) text = PLACEHOLDERS.number;
    if (CONTRAST_MARKERS.has(text)) {
      negationLeft = 0;
      afterContrast = true;
      tokens.push({ text, negated: false, afterContrast, punct: false, start: match.index, end: match.index + match[0].length });
      continue;
    }
    tokens.push({ text, negated: negationLeft > 0, afterContrast, punct: false, start: match.index, end: match.index + match[0].length });
    if (isNegator(text)) negationLeft = NEGATION_WINDOW;
    else if (negationLeft > 0) negationLeft -= 1;
  }
  return tokens;
}
