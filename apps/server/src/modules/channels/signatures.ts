import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_WINDOW_SECONDS = 300;

export const hmacHex = (secret: string, payload: string): string =>
  createHmac('sha256', secret).update(payload, 'utf8').digest('hex');

/** Compares two secrets (or their hashes) in constant time. */
export const isEqualSecret = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * A website visitor's token: base64url HMAC-SHA256(inbox secret, "visitor:" + sourceId). Verifiable without a stored
 * row, so a visitor who only views pages costs nothing.
 */
export const visitorTokenFor = (secret: string, sourceId: string): string =>
  createHmac('sha256', secret).update(`visitor:${sourceId}`, 'utf8').digest('base64url');

/** A shop user id signed by the shop's backend: hex HMAC-SHA256(inbox secret, identifier). */
export const isValidIdentifierHash = (secret: string, identifier: string, hash: string): boolean =>
  isEqualSecret(hmacHex(secret, identifier), hash.toLowerCase());

/**
 * Checks `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + payload)>` with a ±5 minute window,
 * so a captured request cannot be replayed later.
 */
export function isValidTimestampedSignature(
  secret: string,
  header: string,
  payload: string,
  now = Date.now(),
): boolean {
  const parts = Object.fromEntries(
    header.split(',').map((part) => {
      const [key, ...value] = part.trim().split('=');
      return [key, value.join('=')];
    }),
  );
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1) return false;
  if (Math.abs(now / 1000 - timestamp) > SIGNATURE_WINDOW_SECONDS) return false;
  return isEqualSecret(hmacHex(secret, `${parts.t}.${payload}`), parts.v1.toLowerCase());
}
