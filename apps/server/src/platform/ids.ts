import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

// uuid's v7() asks the OS for 16 random bytes per id; at several ids per message that was 6% of the server's CPU
// while ingesting. The bytes come from a pool refilled 256 ids at a time, and the clock and counter follow uuid's own
// rule (RFC 9562, method 1): a new millisecond starts the counter at random, the same millisecond increments it, so
// the ids of one process stay strictly increasing.
const randomPool = new Uint8Array(16 * 256);
let poolOffset = randomPool.length;
let lastMs = Number.NEGATIVE_INFINITY;
let counter = 0;

/** Time-ordered, unguessable primary keys. */
export const newId = (): string => {
  if (poolOffset === randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  const random = randomPool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
  } else {
    counter = (counter + 1) | 0;
    if (counter === 0) lastMs++;
  }
  return v7({ random, msecs: lastMs, seq: counter });
};

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** The smallest UUIDv7 of a moment: `id >= idFloorAt(t)` selects rows created at t or later through the primary key. */
export const idFloorAt = (at: Date): string => {
  const hex = at.getTime().toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
};
