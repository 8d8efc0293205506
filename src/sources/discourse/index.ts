export { createDiscourseSource, type DiscourseSourceOptions } from './source.ts';
export { DISCOURSE_RATE_LIMIT, type DiscourseForum } from './client.ts';
