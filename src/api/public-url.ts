import { DEFAULT_PUBLIC_URL } from '../config/settings.ts';
import type { AppDeps } from './app.ts';

/** Where messages link back to: PUBLIC_URL (the server's own address when unset), or the default one for an app built without it. */
export const publicUrlOf = (deps: Pick<AppDeps, 'settings'>): string => deps.settings.publicUrl ?? DEFAULT_PUBLIC_URL;
