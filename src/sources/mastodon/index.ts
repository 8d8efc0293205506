export { createMastodonSource, type MastodonSourceOptions } from './source.ts';
export { MASTODON_RATE_LIMIT, type MastodonInstance } from './client.ts';
export { deriveHashtags } from './mapper.ts';
