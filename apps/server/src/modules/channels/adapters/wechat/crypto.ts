import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * WeChat's message signatures and the 安全模式 message encryption (Tencent's WXBizMsgCrypt scheme):
 * - signature     = sha1 of the sorted, concatenated [token, timestamp, nonce] (server verification, plain mode);
 * - msg_signature = the same over [token, timestamp, nonce, Encrypt] (safe mode);
 * - Encrypt       = base64(AES-256-CBC(16 random bytes + 4-byte big-endian length + message + appId)), key =
 *   base64(EncodingAESKey + '='), IV = the key's first 16 bytes, PKCS#7 padding to 32-byte blocks.
 */

const BLOCK = 32;

/** Thrown for anything that does not decrypt into a message for this appId; callers answer one uniform error. */
export class WechatCryptoError extends Error {}

export const wechatSignature = (...parts: string[]): string =>
  createHash('sha1')
    .update([...parts].sort().join(''), 'utf8')
    .digest('hex');

/** Constant-time compare of a computed hex signature with one from the request. */
export function isSameSignature(expected: string, given: string | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function aesKeyOf(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (encodingAesKey.length !== 43 || key.length !== 32) throw new WechatCryptoError('EncodingAESKey 无效');
  return key;
}

function pkcs7Pad(data: Buffer): Buffer {
  const amount = BLOCK - (data.length % BLOCK);
  return Buffer.concat([data, Buffer.alloc(amount, amount)]);
}

function pkcs7Unpad(data: Buffer): Buffer {
  const amount = data[data.length - 1] ?? 0;
  if (amount < 1 || amount > BLOCK || amount > data.length) throw new WechatCryptoError('bad padding');
  return data.subarray(0, data.length - amount);
}

/** Encrypts a message for WeChat (a passive reply in safe mode); `random` only for reproducible tests. */
export function encryptMessage(key: Buffer, appId: string, message: string, random = randomBytes(16)): string {
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = pkcs7Pad(Buffer.concat([random, length, body, Buffer.from(appId, 'utf8')]));
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/** Decrypts an `Encrypt` value and checks it was made for this appId; answers the message. */
export function decryptMessage(key: Buffer, appId: string, encrypted: string): string {
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) throw new WechatCryptoError('bad ciphertext length');
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = pkcs7Unpad(Buffer.concat([decipher.update(data), decipher.final()]));
  } catch (error) {
    if (error instanceof WechatCryptoError) throw error;
    throw new WechatCryptoError('cannot decrypt');
  }
  if (plain.length < 20) throw new WechatCryptoError('too short');
  const length = plain.readUInt32BE(16);
  if (20 + length > plain.length) throw new WechatCryptoError('bad length');
  const receivedAppId = plain.subarray(20 + length);
  const expectedAppId = Buffer.from(appId, 'utf8');
  if (receivedAppId.length !== expectedAppId.length || !timingSafeEqual(receivedAppId, expectedAppId)) {
    throw new WechatCryptoError('appId mismatch');
  }
  return plain.subarray(20, 20 + length).toString('utf8');
}
