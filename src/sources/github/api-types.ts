import { z } from 'zod';

/** `GET /search/issues`; items are parsed one by one with `GithubIssue`. */
export const GithubSearchResponse = z.object({
  total_count: z.number().int(),
  incomplete_results: z.boolean(),
  items: z.array(z.unknown()),
});
export type GithubSearchResponse = z.infer<typeof GithubSearchResponse>;

export const GithubIssue = z.object({
  node_id: z.string().min(1),
  number: z.number().int(),
  title: z.string(),
  body: z.string().nullish(),
  html_url: z.string(),
  repository_url: z.string(),
  user: z.object({ login: z.string() }).nullish(),
  comments: z.number().int().nullish(),
  created_at: z.iso.datetime({ offset: true }),
  state: z.string().optional(),
  pull_request: z.object({}).passthrough().optional(),
  reactions: z.object({ total_count: z.number().int() }).passthrough().optional(),
});
export type GithubIssue = z.infer<typeof GithubIssue>;

/** GraphQL answers 200 even on errors (rate limits included): `data` may be null beside `errors`. */
export const GithubGraphqlResponse = z.object({
  data: z
    .object({
      search: z.object({
        discussionCount: z.number().int(),
        pageInfo: z.object({ endCursor: z.string().nullable(), hasNextPage: z.boolean() }),
        nodes: z.array(z.unknown()),
      }),
    })
    .nullish(),
  errors: z.array(z.object({ message: z.string(), type: z.string().optional() }).passthrough()).optional(),
});
export type GithubGraphqlResponse = z.infer<typeof GithubGraphqlResponse>;

export const GithubDiscussion = z.object({
  id: z.string().min(1),
  number: z.number().int(),
  title: z.string(),
  body: z.string().nullish(),
  bodyText: z.string().nullish(),
  url: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  author: z.object({ login: z.string() }).nullish(),
  comments: z.object({ totalCount: z.number().int() }).nullish(),
  upvoteCount: z.number().int().nullish(),
  repository: z.object({ nameWithOwner: z.string() }),
});
export type GithubDiscussion = z.infer<typeof GithubDiscussion>;

/** `GET /repos/{owner}/{repo}/issues/{number}/comments`: an array, items parsed one by one with `GithubComment`. */
export const GithubCommentList = z.array(z.unknown());
export type GithubCommentList = z.infer<typeof GithubCommentList>;

export const GithubComment = z.object({
  node_id: z.string().min(1),
  html_url: z.string(),
  body: z.string().nullish(),
  user: z.object({ login: z.string() }).nullish(),
  created_at: z.iso.datetime({ offset: true }),
  reactions: z.object({ total_count: z.number().int() }).passthrough().optional(),
});
export type GithubComment = z.infer<typeof GithubComment>;
