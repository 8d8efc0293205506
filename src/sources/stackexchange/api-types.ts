import { z } from 'zod';

/** The wrapper every Stack Exchange response shares; items are checked one by one later. */
export const StackExchangeWrapper = z.object({
  items: z.array(z.unknown()),
  has_more: z.boolean(),
  quota_max: z.number().int(),
  quota_remaining: z.number().int(),
  backoff: z.number().int().nonnegative().optional(),
});
export type StackExchangeWrapper = z.infer<typeof StackExchangeWrapper>;

/** Errors arrive as a body (usually with HTTP 400), not only as a status. */
export const StackExchangeErrorBody = z.object({
  error_id: z.number().int(),
  error_name: z.string(),
  error_message: z.string(),
});
export type StackExchangeErrorBody = z.infer<typeof StackExchangeErrorBody>;

export const StackExchangeOwner = z.object({
  account_id: z.number().int().optional(),
  user_id: z.number().int().optional(),
  display_name: z.string().optional(),
  user_type: z.string().optional(),
  link: z.string().optional(),
});
export type StackExchangeOwner = z.infer<typeof StackExchangeOwner>;

export const StackExchangeQuestion = z.object({
  question_id: z.number().int().positive(),
  title: z.string(),
  link: z.string(),
  creation_date: z.number().int().nonnegative(),
  last_activity_date: z.number().int().optional(),
  score: z.number().int(),
  answer_count: z.number().int().nonnegative(),
  view_count: z.number().int().nonnegative().optional(),
  is_answered: z.boolean().optional(),
  tags: z.array(z.string()).optional(),
  owner: StackExchangeOwner.optional(),
  body: z.string().optional(),
});
export type StackExchangeQuestion = z.infer<typeof StackExchangeQuestion>;

/** The wrapper of `/questions/{ids}/answers`: the shared envelope; each answer is checked on its own. */
export const StackExchangeAnswersWrapper = StackExchangeWrapper;
export type StackExchangeAnswersWrapper = z.infer<typeof StackExchangeAnswersWrapper>;

/** One answer as `filter=withbody` returns it; the body is required because it is all an answer says. */
export const StackExchangeAnswer = z.object({
  answer_id: z.number().int().positive(),
  question_id: z.number().int().positive(),
  creation_date: z.number().int().nonnegative(),
  last_activity_date: z.number().int().optional(),
  score: z.number().int(),
  is_accepted: z.boolean().optional(),
  link: z.string().optional(),
  owner: StackExchangeOwner.optional(),
  body: z.string(),
});
export type StackExchangeAnswer = z.infer<typeof StackExchangeAnswer>;
