/**
 * Exit codes, the same for every command: 0 done; 1 a run failed (a source or the disk, the
 * database unreachable or in use); 2 bad input (flags, arguments, an unreadable input file,
 * rejected lines); 78 bad configuration (sysexits EX_CONFIG); 130 a second Ctrl-C.
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, config: 78, interrupted: 130 } as const;
