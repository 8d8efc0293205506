import { z } from 'zod';

/** `/posts.json`: the latest posts across the forum, newest first; each item is checked on its own. */
export const DiscourseLatestPosts = z.object({ latest_posts: z.array(z.unknown()) });
export type DiscourseLatestPosts = z.infer<typeof DiscourseLatestPosts>;

export const DiscourseAction = z.looseObject({ id: z.number().int(), count: z.number().int().optional() });
export type DiscourseAction = z.infer<typeof DiscourseAction>;

export const DiscoursePost = z.looseObject({
  id: z.number().int().positive(),
  topic_id: z.number().int().positive(),
  topic_slug: z.string().optional(),
  topic_title: z.string().optional(),
  post_number: z.number().int().positive(),
  post_type: z.number().int().optional(),
  reply_to_post_number: z.number().int().nullable().optional(),
  username: z.string().optional(),
  created_at: z.string(),
  cooked: z.string().optional(),
  raw: z.string().optional(),
  reply_count: z.number().int().optional(),
  like_count: z.number().int().optional(),
  actions_summary: z.array(DiscourseAction).optional(),
  hidden: z.boolean().optional(),
  deleted_at: z.string().nullable().optional(),
  user_deleted: z.boolean().optional(),
});
export type DiscoursePost = z.infer<typeof DiscoursePost>;

/** `/search.json`: hits carry only a truncated blurb, so full posts are fetched per topic afterwards. */
export const DiscourseSearchResponse = z.looseObject({
  posts: z.array(z.unknown()).default([]),
  topics: z.array(z.unknown()).default([]),
  grouped_search_result: z.looseObject({ more_full_page_results: z.boolean().nullable().optional() }).nullable().optional(),
});
export type DiscourseSearchResponse = z.infer<typeof DiscourseSearchResponse>;

export const DiscourseSearchPost = z.looseObject({
  id: z.number().int().positive(),
  topic_id: z.number().int().positive(),
  post_number: z.number().int().positive(),
  created_at: z.string(),
});
export type DiscourseSearchPost = z.infer<typeof DiscourseSearchPost>;

export const DiscourseSearchTopic = z.looseObject({
  id: z.number().int().positive(),
  title: z.string(),
  fancy_title: z.string().optional(),
  slug: z.string(),
});
export type DiscourseSearchTopic = z.infer<typeof DiscourseSearchTopic>;

/** `/t/{id}/posts.json?post_ids[]=...`: the requested posts of one topic, in full. */
export const DiscourseTopicPosts = z.looseObject({ post_stream: z.looseObject({ posts: z.array(z.unknown()) }) });
export type DiscourseTopicPosts = z.infer<typeof DiscourseTopicPosts>;
