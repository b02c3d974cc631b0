import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { AppError } from './errors.ts';

/** A transaction handle or the database itself: repositories accept either. */
export type Executor = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

/** The workspace's timezone (Asia/Shanghai if it has none): what its local days, hours and file dates follow. */
export async function workspaceTimezone(executor: Executor, workspaceId: string): Promise<string> {
  const result = await executor.execute<{ timezone: string | null }>(
    sql`select timezone from workspaces where id = ${workspaceId}`,
  );
  return result.rows[0]?.timezone ?? 'Asia/Shanghai';
}

/**
 * For writes that can be redone (derived data, idempotent replays; docs/ARCHITECTURE.md "Commit durability"): the
 * transaction that reads this one-row relation commits without waiting for its WAL to reach disk. A statement of its
 * own can join it (`from ${noWalFlush} as durability`) instead of paying a round trip for `commitWithoutFlush`.
 */
export const NO_WAL_FLUSH_SQL = "(select set_config('synchronous_commit', 'off', true))";
export const noWalFlush = sql.raw(NO_WAL_FLUSH_SQL);

/** The surrounding transaction's commit returns before its WAL reaches disk (see `noWalFlush`). */
export const commitWithoutFlush = (tx: Executor) => tx.execute(sql`select * from ${noWalFlush} as durability`);

/** ISO time from a driver value: Drizzle's raw `execute` answers timestamps as strings, its query builder as Dates. */
export const iso = (value: Date | string | null): string | null => (value ? new Date(value).toISOString() : null);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A keyset cursor holding one row id (lists ordered by UUIDv7 id). */
export function decodeIdCursor(cursor: string | undefined): string | undefined {
  const value = decodeCursor(cursor)?.[0];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !UUID.test(value))
    throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
  return value;
}

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

/** `text` with LIKE's wildcards (and its escape character) taken literally. */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A LIKE pattern matching `text` anywhere. */
export const containsPattern = (text: string): string => `%${escapeLike(text)}%`;

/** A LIKE pattern matching values that start with `text`. */
export const prefixPattern = (text: string): string => `${escapeLike(text)}%`;
