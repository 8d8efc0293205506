/**
 * Whether a release event's title names a version: "Claude Code 2.0.55", "Introducing Claude Sonnet
 * 4.5", "v1.4", "DeepSeek-R1". The number must stand alone: "4" is not named by "Opus 4.1" or "40",
 * and a normalised "2" is named by "2.0" (versions drop a trailing ".0", see normaliseModelVersion).
 */
export function titleNamesVersion(title: string, version: string): boolean {
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.])v?${escaped}(?:\\.0)*(?![\\w%]|\\.\\d)`, 'i').test(title);
}

/** The earliest of the events whose title names the version: when the version arrived. */
export function findArrival<T extends { title: string; occurredAt: Date }>(events: readonly T[], version: string): T | null {
  let found: T | null = null;
  for (const event of events) {
    if (titleNamesVersion(event.title, version) && (found === null || event.occurredAt < found.occurredAt)) found = event;
  }
  return found;
}
