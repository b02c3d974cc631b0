import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Encrypts and decrypts single field values (ID-card and bank-card numbers) with AES-256-GCM. */
export type FieldCipher = {
  encrypt(plaintext: string): string;
  decrypt(stored: string): string;
};

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A 32-byte key written as base64 (44 characters) or hex (64 characters). */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error('HUIKE_ENCRYPTION_KEY must be 32 bytes, written as base64 (44 characters) or hex (64 characters)');
  }
  return key;
}

/**
 * The key from config, else `<dataDir>/encryption.key`, created (mode 600) on first start. Deployments with
 * several app processes on one external database must set HUIKE_ENCRYPTION_KEY so every process shares it.
 */
export function loadEncryptionKey(config: { encryptionKey?: string; dataDir: string }): Buffer {
  if (config.encryptionKey) return parseEncryptionKey(config.encryptionKey);
  const file = path.join(config.dataDir, 'encryption.key');
  try {
    return parseEncryptionKey(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    // 'wx': another process starting at the same moment must not overwrite the key this one wrote.
    fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return parseEncryptionKey(fs.readFileSync(file, 'utf8'));
}

/** Stored form: `v1:` + base64(iv ‖ tag ‖ ciphertext); a fresh random IV per value. */
export function createFieldCipher(key: Buffer): FieldCipher {
  if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  return {
    encrypt(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
    },
    decrypt(stored) {
      const [version, body] = stored.split(':', 2);
      if (version !== VERSION || !body) throw new Error('unknown ciphertext format');
      const bytes = Buffer.from(body, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}
