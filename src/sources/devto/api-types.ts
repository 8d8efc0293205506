import { z } from 'zod';

/** `/articles/latest` is a bare array; articles are parsed one by one with `DevtoArticle`. */
export const DevtoArticleList = z.array(z.unknown());
export type DevtoArticleList = z.infer<typeof DevtoArticleList>;

/** List responses send tag_list as an array and tags as a string; the single-article response swaps them. */
const TagField = z.union([z.array(z.string()), z.string()]).nullish();

export const DevtoArticle = z.object({
  id: z.number().int().positive(),
  title: z.string(),
  description: z.string().nullish(),
  url: z.string(),
  published_at: z.iso.datetime({ offset: true }),
  tag_list: TagField,
  tags: TagField,
  user: z.object({ username: z.string() }).nullish(),
  public_reactions_count: z.number().int().nullish(),
  positive_reactions_count: z.number().int().nullish(),
  comments_count: z.number().int().nullish(),
  body_html: z.string().nullish(),
  body_markdown: z.string().nullish(),
});
export type DevtoArticle = z.infer<typeof DevtoArticle>;

/** `/comments?a_id=` is a bare array of top-level comments; each is parsed with `DevtoComment`. */
export const DevtoCommentList = z.array(z.unknown());
export type DevtoCommentList = z.infer<typeof DevtoCommentList>;

/** Replies sit in `children`; a deleted or hidden comment keeps its slot with `user: {}`. */
export const DevtoComment = z.object({
  id_code: z.string().min(1),
  created_at: z.iso.datetime({ offset: true }),
  body_html: z.string().nullish(),
  user: z.object({ username: z.string().optional() }).nullish(),
  children: z.array(z.unknown()).nullish(),
});
export type DevtoComment = z.infer<typeof DevtoComment>;
