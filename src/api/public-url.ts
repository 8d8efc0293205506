import type { AppDeps } from './app.ts';

/** Where messages link back to: PUBLIC_URL (the server's own address when unset), or the default address for an app built without it. */
export const publicUrlOf = (deps: Pick<AppDeps, 'settings'>): string => deps.settings.publicUrl ?? 'http://127.0.0.1:8080';
