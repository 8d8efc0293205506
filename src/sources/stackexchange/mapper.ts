import type { NormalizedPost } from '../../core/post.ts';
import type { Rejection } from '../types.ts';
import { decodeEntities, htmlToText } from '../text.ts';
import { StackExchangeQuestion } from './api-types.ts';

export type QuestionResult =
  | { kind: 'post'; post: NormalizedPost; createdAtSeconds: number; questionId: number }
  | { kind: 'rejected'; rejection: Rejection };

/** `so` for Stack Overflow (the documented id shape), the site name for every other site. */
export function getSitePrefix(site: string): string {
  return site === 'stackoverflow' ? 'so' : site;
}

export function formatQuestionId(site: string, questionId: number): string {
  return `${getSitePrefix(site)}:q:${questionId}`;
}

/** One raw item of a `/search/advanced` page to a post, or the reason it cannot be used. */
export function mapQuestion(raw: unknown, site: string): QuestionResult {
  const parsed = StackExchangeQuestion.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: 'rejected',
      rejection: {
        externalId: readQuestionId(raw, site),
        reason: `invalid question at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      },
    };
  }
  const item = parsed.data;
  const owner = item.owner;
  const author = owner && owner.user_type !== 'does_not_exist' && owner.display_name ? decodeEntities(owner.display_name) : null;
  return {
    kind: 'post',
    createdAtSeconds: item.creation_date,
    questionId: item.question_id,
    post: {
      source: 'stackexchange',
      externalId: formatQuestionId(site, item.question_id),
      url: item.link,
      author,
      title: decodeEntities(item.title),
      body: htmlToText(item.body),
      createdAt: new Date(item.creation_date * 1000),
      score: item.score,
      comments: item.answer_count,
      parentId: null,
      threadId: null,
    },
  };
}

function readQuestionId(raw: unknown, site: string): string | null {
  if (typeof raw !== 'object' || raw === null || !('question_id' in raw)) return null;
  const id = raw.question_id;
  return typeof id === 'number' && Number.isInteger(id) ? formatQuestionId(site, id) : null;
}
