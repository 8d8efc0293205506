import type { NormalizedPost } from '../../core/post.ts';
import type { MappedItem } from '../batching.ts';
import type { Rejection } from '../types.ts';
import { decodeEntities, htmlToText } from '../text.ts';
import { StackExchangeAnswer, StackExchangeQuestion, type StackExchangeOwner } from './api-types.ts';

export type QuestionResult =
  { kind: 'post'; post: NormalizedPost; createdAtSeconds: number; questionId: number } | { kind: 'rejected'; rejection: Rejection };

/** `so` for Stack Overflow (the documented id shape), the site name for every other site. */
export function getSitePrefix(site: string): string {
  return site === 'stackoverflow' ? 'so' : site;
}

export function formatQuestionId(site: string, questionId: number): string {
  return `${getSitePrefix(site)}:q:${questionId}`;
}

export function formatAnswerId(site: string, answerId: number): string {
  return `${getSitePrefix(site)}:a:${answerId}`;
}

/** What an answer takes from its question: the thread it belongs to. */
export interface AnswerParent {
  externalId: string;
  url: string | null;
  title: string | null;
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
  const externalId = formatQuestionId(site, item.question_id);
  return {
    kind: 'post',
    createdAtSeconds: item.creation_date,
    questionId: item.question_id,
    post: {
      source: 'stackexchange',
      externalId,
      url: item.link,
      author: readAuthor(item.owner),
      title: decodeEntities(item.title),
      body: htmlToText(item.body),
      createdAt: new Date(item.creation_date * 1000),
      score: item.score,
      comments: item.answer_count,
      parentId: null,
      threadId: externalId,
    },
  };
}

/**
 * One raw item of a `/questions/{ids}/answers` page to a post under its question (found in `parents`
 * by question_id), or the reason it cannot be used.
 */
export function mapAnswer(raw: unknown, site: string, parents: ReadonlyMap<number, AnswerParent>): MappedItem {
  const parsed = StackExchangeAnswer.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: 'rejected',
      rejection: {
        externalId: readNumericId(raw, 'answer_id', (id) => formatAnswerId(site, id)),
        reason: `invalid answer at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      },
    };
  }
  const item = parsed.data;
  const externalId = formatAnswerId(site, item.answer_id);
  const parent = parents.get(item.question_id);
  if (!parent) {
    return { kind: 'rejected', rejection: { externalId, reason: `answer to question ${item.question_id}, which was not asked for` } };
  }
  return {
    kind: 'post',
    post: {
      source: 'stackexchange',
      externalId,
      url: item.link ?? formatAnswerUrl(parent.url, item.answer_id),
      author: readAuthor(item.owner),
      title: parent.title,
      body: htmlToText(item.body),
      createdAt: new Date(item.creation_date * 1000),
      score: item.score,
      comments: null,
      parentId: parent.externalId,
      threadId: parent.externalId,
    },
  };
}

/** The short answer link (`/a/<id>`) on the question's host, which is the site's own domain. */
function formatAnswerUrl(questionUrl: string | null, answerId: number): string | null {
  if (!questionUrl || !URL.canParse(questionUrl)) return null;
  return `${new URL(questionUrl).origin}/a/${answerId}`;
}

function readAuthor(owner: StackExchangeOwner | undefined): string | null {
  return owner && owner.user_type !== 'does_not_exist' && owner.display_name ? decodeEntities(owner.display_name) : null;
}

function readQuestionId(raw: unknown, site: string): string | null {
  return readNumericId(raw, 'question_id', (id) => formatQuestionId(site, id));
}

function readNumericId(raw: unknown, field: string, format: (id: number) => string): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id: unknown = Reflect.get(raw, field);
  return typeof id === 'number' && Number.isInteger(id) ? format(id) : null;
}
