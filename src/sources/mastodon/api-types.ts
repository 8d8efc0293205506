import { z } from 'zod';

/** A timeline page: an array of statuses, each checked on its own. */
export const MastodonTimeline = z.array(z.unknown());
export type MastodonTimeline = z.infer<typeof MastodonTimeline>;

export const MastodonAccount = z.looseObject({
  id: z.string(),
  username: z.string(),
  acct: z.string(),
  display_name: z.string().optional(),
  url: z.string().optional(),
  bot: z.boolean().optional(),
});
export type MastodonAccount = z.infer<typeof MastodonAccount>;

const StatusFields = {
  id: z.string().regex(/^\d+$/, 'a numeric string'),
  uri: z.string().min(1),
  url: z.string().nullable().optional(),
  created_at: z.string(),
  content: z.string(),
  spoiler_text: z.string().optional(),
  visibility: z.string().optional(),
  in_reply_to_id: z.string().nullable().optional(),
  account: MastodonAccount,
  replies_count: z.number().int().optional(),
  reblogs_count: z.number().int().optional(),
  favourites_count: z.number().int().optional(),
};

/** The status that was boosted; it carries no `reblog` of its own. */
export const MastodonInnerStatus = z.looseObject(StatusFields);
export type MastodonInnerStatus = z.infer<typeof MastodonInnerStatus>;

export const MastodonStatus = z.looseObject({ ...StatusFields, reblog: MastodonInnerStatus.nullable().optional() });
export type MastodonStatus = z.infer<typeof MastodonStatus>;
