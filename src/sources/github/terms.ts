/** Search qualifiers want second-precision UTC timestamps. */
export function toSearchTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
