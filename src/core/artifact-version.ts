import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The `version` of a committed weights file, read from its first bytes (the encoders write it first)
 * without reading or decoding the weights: commands that only name the model stay cheap.
 */
export function readArtifactVersion(url: URL, what: string): string {
  const head = Buffer.alloc(256);
  const fd = openSync(url, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const match = /"version":\s*"([^"]+)"/.exec(head.toString('utf8'));
  if (!match?.[1]) throw new Error(`${what} artifact has no version`);
  return match[1];
}
