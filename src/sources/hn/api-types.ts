import { z } from 'zod';

/** Envelope of `/search` and `/search_by_date`; hits are parsed one by one with `AlgoliaHit`. */
export const AlgoliaSearchResponse = z.object({
  hits: z.array(z.unknown()),
  nbHits: z.number(),
  page: z.number(),
  nbPages: z.number(),
  hitsPerPage: z.number(),
  message: z.string().optional(),
});
export type AlgoliaSearchResponse = z.infer<typeof AlgoliaSearchResponse>;

/** Older index entries send explicit nulls, newer ones omit the key: everything optional but the three. */
export const AlgoliaHit = z.object({
  objectID: z.string().min(1),
  created_at_i: z.number().int().nonnegative(),
  _tags: z.array(z.string()),
  created_at: z.string().nullish(),
  title: z.string().nullish(),
  url: z.string().nullish(),
  author: z.string().nullish(),
  points: z.number().nullish(),
  num_comments: z.number().nullish(),
  story_text: z.string().nullish(),
  comment_text: z.string().nullish(),
  story_id: z.number().int().nullish(),
  story_title: z.string().nullish(),
  story_url: z.string().nullish(),
  parent_id: z.number().int().nullish(),
});
export type AlgoliaHit = z.infer<typeof AlgoliaHit>;

/** `newstories.json`: up to 500 ids, newest first. */
export const FirebaseIdList = z.array(z.number().int().positive());
export type FirebaseIdList = z.infer<typeof FirebaseIdList>;

export const FirebaseItem = z.object({
  id: z.number().int().positive(),
  deleted: z.boolean().optional(),
  dead: z.boolean().optional(),
  type: z.string().optional(),
  by: z.string().optional(),
  time: z.number().int().optional(),
  text: z.string().optional(),
  parent: z.number().int().optional(),
  kids: z.array(z.number().int()).optional(),
  url: z.string().optional(),
  score: z.number().optional(),
  title: z.string().optional(),
  descendants: z.number().optional(),
});
export type FirebaseItem = z.infer<typeof FirebaseItem>;
