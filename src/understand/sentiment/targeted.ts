export interface TextSpan {
  start: number;
  end: number;
}

interface Segment {
  start: number;
  end: number;
  sentence: number;
}

const SENTENCE_BREAK = /[.!?]+(?=\s|$)|\n+/g;
const CLAUSE_BREAK = /\b(?:but|however|whereas|although|though|while|yet|except)\b|;/gi;
/** How many following sentences without a mention of their own still speak about the last mention. */
const FOLLOWING_SENTENCES = 2;

function splitSegments(text: string): Segment[] {
  const sentenceEnds: number[] = [];
  for (const match of text.matchAll(SENTENCE_BREAK)) sentenceEnds.push(match.index + match[0].length);
  sentenceEnds.push(text.length);
  const segments: Segment[] = [];
  let start = 0;
  sentenceEnds.forEach((end, sentence) => {
    if (end <= start) return;
    const body = text.slice(start, end);
    let clauseStart = 0;
    for (const match of body.matchAll(CLAUSE_BREAK)) {
      if (match.index > clauseStart && body.slice(clauseStart, match.index).trim()) {
        segments.push({ start: start + clauseStart, end: start + match.index, sentence });
        clauseStart = match.index;
      }
    }
    segments.push({ start: start + clauseStart, end, sentence });
    start = end;
  });
  return segments;
}

/**
 * For each span, the text that speaks about it: its own clause (split at sentence ends and at
 * contrast markers, which stay with the clause they open), plus the clauses and up to two sentences
 * after it that mention no other span; a leading clause with no mention joins the first mention.
 */
export function selectTargetContexts(text: string, spans: readonly TextSpan[]): string[] {
  const segments = splitSegments(text);
  const segmentOf = (offset: number): number => {
    const index = segments.findIndex((segment) => offset < segment.end);
    return index < 0 ? segments.length - 1 : index;
  };
  const mentioned = new Set(spans.map((span) => segmentOf(span.start)));
  return spans.map((span) => {
    const own = segmentOf(span.start);
    let first = own;
    while (first > 0 && !mentioned.has(first - 1) && segments[first - 1]?.sentence === segments[own]?.sentence) {
      const earlier = [...mentioned].some((m) => m < first - 1 && segments[m]?.sentence === segments[own]?.sentence);
      if (earlier) break;
      first -= 1;
    }
    let last = own;
    const lastSentence = (segments[own]?.sentence ?? 0) + FOLLOWING_SENTENCES;
    while (last + 1 < segments.length && !mentioned.has(last + 1) && (segments[last + 1]?.sentence ?? 0) <= lastSentence) {
      last += 1;
    }
    return text.slice(segments[first]?.start ?? 0, segments[last]?.end ?? text.length).trim();
  });
}
