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

/** What a merge needs to know of a channel: which paths are secret, and the schema saying which keys are optional. */
export type ConfigShape = { secretKeys: readonly string[]; config?: unknown };

/** The schema of one key of an object schema (zod 4: `shape`; an optional object is unwrapped to reach its keys). */
function fieldSchema(schema: unknown, key: string): unknown {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape?.[key];
}

function objectSchema(schema: unknown): unknown {
  const unwrap = (schema as { unwrap?: () => unknown } | undefined)?.unwrap;
  return typeof unwrap === 'function' ? unwrap.call(schema) : schema;
}

/** A key the schema lets be absent; an unknown key (the schema refuses it anyway) counts as not optional. */
function isOptional(schema: unknown): boolean {
  const parse = (schema as { safeParse?: (value: unknown) => { success: boolean } } | undefined)?.safeParse;
  return typeof parse === 'function' && parse.call(schema, undefined).success;
}

/**
 * A patch over a stored config. Nested objects merge, so a secret left out (or sent empty, as a form leaves a
 * 「留空则不修改」 field) keeps its stored (encrypted) value. `null` or `""` clears a key the schema lets be absent: a
 * whole section (`imap: null`) or an optional field (a display name, a marketing template). A required key sent
 * `null` or `""` becomes `""`, so the channel's schema answers with that field's own message.
 */
export function mergeConfig(stored: Json, patch: Json, shape: ConfigShape = { secretKeys: [] }, prefix = ''): Json {
  const merged: Json = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const path = `${prefix}${key}`;
    const schema = fieldSchema(shape.config, key);
    if (value === '' && shape.secretKeys.includes(path) && stored[key] !== undefined) continue;
    if (value === null || value === '') {
      if (isOptional(schema)) delete merged[key];
      else merged[key] = '';
    } else if (isObject(value)) {
      merged[key] = mergeConfig(
        isObject(stored[key]) ? stored[key] : {},
        value,
        { secretKeys: shape.secretKeys, config: objectSchema(schema) },
        `${path}.`,
      );
    } else {
      merged[key] = value;
    }
  }
  return merged;
}
