import { sha256 } from './ids.ts';

/** A strong entity tag (RFC 9110) for a resource version: a hash of whatever identifies that version. */
export const entityTag = (version: unknown) => `"${sha256(JSON.stringify(version)).slice(0, 32)}"`;

/**
 * Whether an If-Match header lets a write go ahead on a resource whose current tag is `etag`: `*`, or a list that
 * names it. Comparison is strong, so a weak (W/) tag never matches.
 */
export const ifMatchAllows = (header: string, etag: string) =>
  header.trim() === '*' || header.split(',').some((tag) => tag.trim() === etag);
