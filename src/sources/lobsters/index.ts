export { createLobstersSource, type LobstersSourceOptions } from './source.ts';
export { LOBSTERS_BASE_URL, LOBSTERS_RATE_LIMIT } from './client.ts';
