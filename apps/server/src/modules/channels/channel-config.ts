import type { FieldCipher } from '../../platform/crypto.ts';

/*
 * Channel configs are JSON objects; the keys an adapter names as secret (dot paths such as 'imap.password') are
 * stored encrypted, left out of API responses, and kept when an update leaves them out.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function mapPath(config: Json, path: string, change: (value: unknown) => unknown | undefined): Json {
  const [head, ...rest] = path.split('.');
  if (!head || !(head in config)) return config;
  const copy = { ...config };
  if (rest.length === 0) {
    const next = change(copy[head]);
    if (next === undefined) delete copy[head];
    else copy[head] = next;
  } else if (isObject(copy[head])) {
    copy[head] = mapPath(copy[head], rest.join('.'), change);
  }
  return copy;
}

const each = (config: Json, keys: readonly string[], change: (value: unknown) => unknown | undefined) =>
  keys.reduce((current, key) => mapPath(current, key, change), config);

export const encryptSecrets = (config: Json, keys: readonly string[], cipher: FieldCipher) =>
  each(config, keys, (value) =>
    typeof value === 'string' && value !== '' && !value.startsWith('v1:') ? cipher.encrypt(value) : value,
  );

export const decryptSecrets = (config: Json, keys: readonly string[], cipher: FieldCipher) =>
  each(config, keys, (value) => (typeof value === 'string' && value.startsWith('v1:') ? cipher.decrypt(value) : value));

export const withoutSecrets = (config: Json, keys: readonly string[]) => each(config, keys, () => undefined);

/** A patch over a stored config: nested objects merge, so a secret left out keeps its stored (encrypted) value. */
export function mergeConfig(stored: Json, patch: Json): Json {
  const merged: Json = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    merged[key] = isObject(value) && isObject(stored[key]) ? mergeConfig(stored[key], value) : value;
  }
  return merged;
}
