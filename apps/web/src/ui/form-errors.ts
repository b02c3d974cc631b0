import type { FormInstance } from 'antd';
import { ApiError } from '../api/client.ts';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Puts the server's per-field errors (400 details `[{path: '/channelConfig/imap/host', message}]`) next to the
 * fields; answers whether any landed, so the caller can decide whether a general message is still needed.
 */
export function applyServerFieldErrors(
  form: FormInstance,
  error: unknown,
  /** Where an error on a path without its own field goes ('channelConfig.imap' → the IMAP host field). */
  aliases: Record<string, (string | number)[]> = {},
): boolean {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return false;
  const fields: { name: (string | number)[]; errors: string[] }[] = [];
  for (const detail of error.details) {
    if (!isObject(detail) || typeof detail.path !== 'string') continue;
    const name = detail.path
      .split('/')
      .filter(Boolean)
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
    if (name.length === 0) continue;
    const alias = aliases[name.join('.')];
    const message = typeof detail.message === 'string' && detail.message ? detail.message : error.message;
    fields.push({ name: alias ?? name, errors: [message] });
  }
  if (fields.length === 0) return false;
  form.setFields(fields);
  return true;
}
