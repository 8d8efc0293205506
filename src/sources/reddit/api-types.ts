import { z } from 'zod';

/** `{kind: "Listing", data: {after, children}}`; children are parsed one by one with `RedditThing`. */
export const RedditListing = z.object({
  kind: z.literal('Listing'),
  data: z.object({
    after: z.string().nullable(),
    before: z.string().nullish(),
    dist: z.number().nullish(),
    children: z.array(z.unknown()),
  }),
});
export type RedditListing = z.infer<typeof RedditListing>;

const Edited = z.union([z.boolean(), z.number()]);

export const RedditPost = z.object({
  id: z.string(),
  name: z.string().regex(/^t3_/),
  title: z.string(),
  selftext: z.string().nullish(),
  selftext_html: z.string().nullish(),
  url: z.string().nullish(),
  permalink: z.string(),
  author: z.string().nullish(),
  subreddit: z.string().nullish(),
  created_utc: z.number(),
  score: z.number().nullish(),
  num_comments: z.number().nullish(),
  removed_by_category: z.string().nullish(),
  edited: Edited.optional(),
});
export type RedditPost = z.infer<typeof RedditPost>;

export const RedditComment = z.object({
  id: z.string(),
  name: z.string().regex(/^t1_/),
  body: z.string().nullish(),
  body_html: z.string().nullish(),
  author: z.string().nullish(),
  created_utc: z.number(),
  score: z.number().nullish(),
  parent_id: z.string(),
  link_id: z.string(),
  link_title: z.string().nullish(),
  permalink: z.string(),
  edited: Edited.optional(),
});
export type RedditComment = z.infer<typeof RedditComment>;

export const RedditThing = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('t3'), data: RedditPost }),
  z.object({ kind: z.literal('t1'), data: RedditComment }),
]);
export type RedditThing = z.infer<typeof RedditThing>;

/** `/comments/{id}`: the post's listing, then the top-level comment listing; replies nest as listings. */
export const RedditCommentsResponse = z.tuple([RedditListing, RedditListing]);
export type RedditCommentsResponse = z.infer<typeof RedditCommentsResponse>;

export const RedditToken = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number(),
  scope: z.string().optional(),
});
export type RedditToken = z.infer<typeof RedditToken>;
