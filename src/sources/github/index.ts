export { createGithubSource, toGithubQueryKey, toGithubBackfillKey, type GithubSourceOptions } from './source.ts';
export { GITHUB_API_URL, GITHUB_CORE_RATE_LIMIT, GITHUB_SEARCH_RATE_LIMIT, GITHUB_SEARCH_RATE_LIMIT_ANONYMOUS } from './client.ts';
