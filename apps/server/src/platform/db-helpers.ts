import type { Db } from '../db/database.ts';
import { AppError } from './errors.ts';

/** A transaction handle or the database itself: repositories accept either. */
export type Executor = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

export const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

/** Opaque keyset cursor: base64url of the sort values of the last row. */
export const encodeCursor = (values: unknown[]): string => Buffer.from(JSON.stringify(values)).toString('base64url');

export function decodeCursor(cursor: string | undefined): unknown[] | undefined {
  if (!cursor) return undefined;
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values)) return values;
  } catch {
    // falls through to the error below
  }
  throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
}
