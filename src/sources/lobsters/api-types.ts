import { z } from 'zod';

/** A story list page (`/newest.json`, `/t/{tags}.json`): an array whose items are checked one by one. */
export const LobstersStoryList = z.array(z.unknown());
export type LobstersStoryList = z.infer<typeof LobstersStoryList>;

/** Older Lobsters versions serialised users as objects, current ones as the username. */
const LobstersUser = z.union([z.string(), z.looseObject({ username: z.string() })]);

export const LobstersStory = z.looseObject({
  short_id: z.string().min(1),
  short_id_url: z.string(),
  created_at: z.string(),
  title: z.string(),
  url: z.string().optional(),
  score: z.number().int().optional(),
  comment_count: z.number().int().optional(),
  description: z.string().optional(),
  description_plain: z.string().optional(),
  submitter_user: LobstersUser.optional(),
  tags: z.array(z.string()).optional(),
  comments_url: z.string().optional(),
});
export type LobstersStory = z.infer<typeof LobstersStory>;

export const LobstersComment = z.looseObject({
  short_id: z.string().min(1),
  short_id_url: z.string().optional(),
  url: z.string().optional(),
  created_at: z.string(),
  is_deleted: z.boolean().optional(),
  is_moderated: z.boolean().optional(),
  score: z.number().int().optional(),
  parent_comment: z.string().nullable().optional(),
  comment: z.string().optional(),
  comment_plain: z.string().optional(),
  depth: z.number().int().optional(),
  commenting_user: LobstersUser.optional(),
});
export type LobstersComment = z.infer<typeof LobstersComment>;

/** `/s/{short_id}.json`: the story with its flat comment list. */
export const LobstersStoryWithComments = z.looseObject({ short_id: z.string(), comments: z.array(z.unknown()) });
export type LobstersStoryWithComments = z.infer<typeof LobstersStoryWithComments>;
