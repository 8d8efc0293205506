import { z } from 'zod';

export const BlueskySession = z.looseObject({
  accessJwt: z.string().min(1),
  refreshJwt: z.string().min(1),
  did: z.string(),
  handle: z.string(),
});
export type BlueskySession = z.infer<typeof BlueskySession>;

/** XRPC errors: `{error, message}` with a 4xx status (ExpiredToken, InvalidToken, AuthenticationRequired, ...). */
export const XrpcError = z.looseObject({ error: z.string(), message: z.string().optional() });
export type XrpcError = z.infer<typeof XrpcError>;

/** `app.bsky.feed.searchPosts`: posts are checked one by one. */
export const BlueskySearchResponse = z.looseObject({
  posts: z.array(z.unknown()),
  cursor: z.string().optional(),
  hitsTotal: z.number().int().optional(),
});
export type BlueskySearchResponse = z.infer<typeof BlueskySearchResponse>;

const StrongRef = z.looseObject({ uri: z.string(), cid: z.string().optional() });

export const BlueskyPostRecord = z.looseObject({
  $type: z.string().optional(),
  text: z.string(),
  createdAt: z.string(),
  langs: z.array(z.string()).optional(),
  reply: z.looseObject({ root: StrongRef, parent: StrongRef }).optional(),
  embed: z
    .looseObject({
      $type: z.string().optional(),
      external: z.looseObject({ uri: z.string().optional(), title: z.string().optional() }).optional(),
    })
    .optional(),
});
export type BlueskyPostRecord = z.infer<typeof BlueskyPostRecord>;

export const BlueskyPostView = z.looseObject({
  uri: z.string().regex(/^at:\/\/[^/]+\/app\.bsky\.feed\.post\/[^/]+$/, 'an at:// post uri'),
  cid: z.string().optional(),
  author: z.looseObject({ did: z.string(), handle: z.string(), displayName: z.string().optional() }),
  record: BlueskyPostRecord,
  replyCount: z.number().int().optional(),
  repostCount: z.number().int().optional(),
  likeCount: z.number().int().optional(),
  quoteCount: z.number().int().optional(),
  indexedAt: z.string().optional(),
  labels: z.array(z.looseObject({ val: z.string() })).optional(),
});
export type BlueskyPostView = z.infer<typeof BlueskyPostView>;
