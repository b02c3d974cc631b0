import { describe, expect, it } from 'vitest';
import { hmacHex, isValidIdentifierHash, isValidTimestampedSignature } from './signatures.ts';

const secret = 'inbox-secret';
const payload = '{"sourceId":"crm-1","content":"你好"}';
const signed = (t: number, body = payload, key = secret) => `t=${t},v1=${hmacHex(key, `${t}.${body}`)}`;
const now = 1_800_000_000_000;
const nowSeconds = now / 1000;

describe('timestamped signatures', () => {
  it('accepts a signature exactly five minutes old or ahead, and refuses one a second beyond', () => {
    expect(isValidTimestampedSignature(secret, signed(nowSeconds - 300), payload, now)).toBe(true);
    expect(isValidTimestampedSignature(secret, signed(nowSeconds + 300), payload, now)).toBe(true);
    expect(isValidTimestampedSignature(secret, signed(nowSeconds - 301), payload, now)).toBe(false);
    expect(isValidTimestampedSignature(secret, signed(nowSeconds + 301), payload, now)).toBe(false);
  });

  it('refuses another body, another secret and malformed headers', () => {
    expect(isValidTimestampedSignature(secret, signed(nowSeconds, '{}'), payload, now)).toBe(false);
    expect(isValidTimestampedSignature(secret, signed(nowSeconds, payload, 'other'), payload, now)).toBe(false);
    for (const header of ['', 'garbage', `t=${nowSeconds}`, `v1=${hmacHex(secret, payload)}`, 't=x,v1=00']) {
      expect(isValidTimestampedSignature(secret, header, payload, now)).toBe(false);
    }
  });
});

describe('shop user identifier hashes', () => {
  it('accepts HMAC-SHA256(secret, id) in any hex case and nothing else', () => {
    const hash = hmacHex(secret, 'user-42');
    expect(isValidIdentifierHash(secret, 'user-42', hash)).toBe(true);
    expect(isValidIdentifierHash(secret, 'user-42', hash.toUpperCase())).toBe(true);
    expect(isValidIdentifierHash(secret, 'user-43', hash)).toBe(false);
    expect(isValidIdentifierHash(secret, 'user-42', hash.slice(2))).toBe(false);
  });
});
