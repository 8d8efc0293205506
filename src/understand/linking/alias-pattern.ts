/**
 * Turns a registry alias into a sticky regular expression.
 *
 * Alias syntax: a space, dash or underscore matches one optional separator, so "Claude Code" also
 * matches "claude-code" and "ClaudeCode"; `{v}` matches a version number ("4", "4.5", "3-5", "3.x"),
 * or several joined by slashes ("Claude 3.5/3.7/4 Sonnet"), which may carry a glued parameter count
 * ("llama70b", "Qwen 32B"). A parameter count may also be glued to the end of any alias
 * ("qwen3coder30b").
 * The match must end at a word boundary: no letter, digit or underscore follows, and no dot followed
 * by one (so "cursor.execute" and "llama.cpp" are not mentions, "v0.1" is not v0); Han, kana and
 * Hangul letters count as a boundary, since those scripts put no space around a Latin name.
 * A non-breaking hyphen ("GPT‑5") is a separator like "-".
 */

const SEPARATOR = '(?:[_\\u2010\\u2011-]|\\s{1,2})?';
const VERSION = '\\d+(?:[.-]\\d+)*(?:\\.x)?(?:\\/\\d+(?:\\.\\d+)*)*(?:[bB](?!\\p{L}))?';
const GLUED_SIZE = '(?:\\d+(?:\\.\\d+)?[bB])?';
/** Han, kana and Hangul are written without spaces, so they may touch a name: "用cursor之前". */
const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const RIGHT_BOUNDARY = `(?![^\\P{L}${CJK}]|[\\p{N}_])(?!\\.[\\p{L}\\p{N}_])`;

function isSeparator(ch: string | undefined): boolean {
  return ch === ' ' || ch === '-' || ch === '_';
}

function escapeRegExp(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

/** `plural`: the alias may take a glued "s", as a plural or an apostrophe-less possessive ("ChatGPTs app"). */
export function compileAliasSource(alias: string, plural = false): string {
  let out = '';
  let i = 0;
  const text = alias.trim();
  while (i < text.length) {
    if (text.startsWith('{v}', i)) {
      out += VERSION;
      i += 3;
      continue;
    }
    if (isSeparator(text[i])) {
      while (isSeparator(text[i])) i += 1;
      out += SEPARATOR;
      continue;
    }
    out += escapeRegExp(text[i] ?? '');
    i += 1;
  }
  return out + GLUED_SIZE + (plural ? 's?' : '') + RIGHT_BOUNDARY;
}

export function compileAliasPattern(alias: string, caseSensitive: boolean, plural = false): RegExp {
  return new RegExp(compileAliasSource(alias, plural), caseSensitive ? 'uy' : 'iuy');
}

const KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_';

/**
 * The lookup keys under which a word in the text may start this alias: the first two characters
 * of the word, lower-cased. An alias whose first word has one character ("Q Developer") may meet a
 * one-character word or a longer run ("QDeveloper"), so it is filed under every such key.
 */
export function listAliasKeys(alias: string): string[] {
  const first = /^[\p{L}\p{N}_]+/u.exec(alias.trim().replace(/\{v\}/g, '0'))?.[0]?.toLowerCase();
  if (!first) return [];
  if (first.length >= 2) return [first.slice(0, 2)];
  return [first, ...Array.from(KEY_CHARS, (c) => first + c)];
}

const NON_ASCII_WORD = /[\p{L}\p{N}]/u;
const CJK_LETTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Letters, digits and underscore, in any script; ASCII is checked without a regex. */
export function isWordCode(code: number): boolean {
  if (code < 128) {
    return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
  }
  return NON_ASCII_WORD.test(String.fromCharCode(code));
}

/** A letter of a script written without spaces: a name may start right after it ("用cursor"). */
export function isCjkCode(code: number): boolean {
  return code >= 0x1100 && CJK_LETTER.test(String.fromCharCode(code));
}

function lowerCode(code: number): number {
  if (code >= 65 && code <= 90) return code + 32;
  return code < 128 ? code : String.fromCharCode(code).toLowerCase().charCodeAt(0);
}

/** The lookup key of the word spanning [start, end): its first two characters lower-cased, as a number. */
export function readWordKey(text: string, start: number, end: number): number {
  const first = lowerCode(text.charCodeAt(start));
  return end - start >= 2 ? first * 65536 + lowerCode(text.charCodeAt(start + 1)) : first * 65536;
}

/** The numeric form of a key from listAliasKeys, comparable with readWordKey. */
export function toNumericKey(key: string): number {
  return readWordKey(key, 0, key.length);
}

/** The alias up to its first separator or version slot, lower-cased: a cheap test before the regex. */
export function readLiteralPrefix(alias: string): string {
  const prefix = /^[^\s_{-]*/.exec(alias.trim())?.[0] ?? '';
  return /^[\x20-\x7e]*$/.test(prefix) ? prefix.toLowerCase() : '';
}

export function startsWithFolded(text: string, at: number, lowerPrefix: string, caseSensitivePrefix: string | null): boolean {
  if (caseSensitivePrefix !== null) return text.startsWith(caseSensitivePrefix, at);
  for (let j = 0; j < lowerPrefix.length; j += 1) {
    const code = text.charCodeAt(at + j);
    if ((code >= 65 && code <= 90 ? code + 32 : code) !== lowerPrefix.charCodeAt(j)) return false;
  }
  return true;
}
