import type { LockTiming } from '../../src/db/lock-file.ts';

/** The shortest timing proper-lockfile allows, so takeovers happen within seconds in tests. */
export const FAST_LOCK: LockTiming = { staleMs: 2_000, updateMs: 1_000 };
