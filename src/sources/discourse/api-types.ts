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
