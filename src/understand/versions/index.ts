export { extractVersion, extractVersions, findVersions, issueTrackerOf, normaliseModelVersion } from './extract-versions.ts';
export type { FoundVersion, VersionContext, VersionSpan, VersionTarget } from './extract-versions.ts';
export { findArrival, titleNamesVersion } from './release-titles.ts';
