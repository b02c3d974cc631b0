import type { AuditEntry } from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { decodeCursor, type Executor, encodeCursor } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { newId, sha256 } from '../../platform/ids.ts';
import * as repo from './audit.repository.ts';

export type AuditRecord = {
  workspaceId: string;
  /** The user who acted; null for the system (jobs, timers). */
  actorId: string | null;
  /** `<module>.<past-tense>`, e.g. `customers.pii_revealed`. */
  action: string;
  targetType?: string;
  targetId?: string;
  /** Facts for a reviewer — counts, field names, filters. Never secrets or revealed values. */
  details?: Record<string, unknown>;
};

const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted at every level: jsonb reorders keys, and the hash must survive the round trip. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const entryHash = (prevHash: string, row: Omit<repo.AuditRow, 'seq' | 'hash' | 'prevHash'>) =>
  sha256(
    `${prevHash}\n${canonicalJson([
      row.id,
      row.workspaceId,
      row.actorId,
      row.action,
      row.targetType,
      row.targetId,
      row.details,
      row.createdAt.toISOString(),
    ])}`,
  );

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The target's name as recorded with the entry (most modules record `name`; articles record `title`). */
function recordedName(details: Record<string, unknown>): string | null {
  for (const key of ['name', 'title'] as const) {
    const value = details[key];
    if (typeof value === 'string' && value.trim()) return value;
  }
  return null;
}

const toEntry = (
  { entry, actorName }: { entry: repo.AuditRow; actorName: string | null },
  currentName: string | undefined,
): AuditEntry => {
  const details = entry.details as Record<string, unknown>;
  return {
    id: entry.id,
    actor: entry.actorId ? { id: entry.actorId, name: actorName ?? '' } : null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    targetName: recordedName(details) ?? currentName ?? null,
    details,
    createdAt: entry.createdAt.toISOString(),
  };
};

export type AuditService = ReturnType<typeof createAuditService>;

export function createAuditService({ db }: { db: Db }) {
  return {
    /**
     * Appends an entry to the workspace's hash chain. Call it inside the transaction of the change it records,
     * so the change and its record commit together or not at all.
     */
    async record(executor: Executor, record: AuditRecord) {
      await repo.lockChain(executor, record.workspaceId);
      const prevHash = (await repo.lastHash(executor, record.workspaceId)) ?? GENESIS;
      const row = {
        id: newId(),
        workspaceId: record.workspaceId,
        actorId: record.actorId,
        action: record.action,
        targetType: record.targetType ?? null,
        targetId: record.targetId ?? null,
        details: JSON.parse(JSON.stringify(record.details ?? {})),
        createdAt: new Date(),
      };
      await repo.insertEntry(executor, { ...row, prevHash, hash: entryHash(prevHash, row) });
    },

    async list(
      actor: Actor,
      query: { action?: string; targetType?: string; targetId?: string; limit: number; cursor?: string },
    ) {
      assertCan(actor, 'audit:read');
      const beforeSeq = decodeCursor(query.cursor)?.[0];
      if (beforeSeq !== undefined && !Number.isSafeInteger(beforeSeq))
        throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
      const rows = await repo.listEntries(
        db,
        actor.workspaceId,
        query,
        beforeSeq as number | undefined,
        query.limit + 1,
      );
      const page = rows.slice(0, query.limit);
      // Entries recorded without a name (older ones, or modules that record only ids) show the target's name today.
      const unnamed = new Map<repo.NamedTargetType, Set<string>>();
      for (const { entry } of page) {
        if (!repo.isNamedTargetType(entry.targetType) || !entry.targetId || !UUID.test(entry.targetId)) continue;
        if (recordedName(entry.details as Record<string, unknown>)) continue;
        unnamed.set(entry.targetType, (unnamed.get(entry.targetType) ?? new Set()).add(entry.targetId));
      }
      const names = new Map<string, string>();
      for (const [type, ids] of unnamed) {
        for (const [id, name] of await repo.currentNames(db, actor.workspaceId, type, [...ids]))
          names.set(`${type}:${id}`, name);
      }
      return {
        items: page.map((row) => toEntry(row, names.get(`${row.entry.targetType}:${row.entry.targetId}`))),
        nextCursor: rows.length > query.limit ? encodeCursor([page.at(-1)!.entry.seq]) : null,
      };
    },

    /** Recomputes the whole chain: a row edited or deleted behind the app's back breaks it from there on. */
    async verify(actor: Actor) {
      assertCan(actor, 'audit:read');
      let prevHash = GENESIS;
      let afterSeq = 0;
      let checked = 0;
      for (;;) {
        const rows = await repo.chainPage(db, actor.workspaceId, afterSeq, 1000);
        for (const row of rows) {
          if (row.prevHash !== prevHash || entryHash(prevHash, row) !== row.hash)
            return { isIntact: false, checked, firstBrokenId: row.id };
          prevHash = row.hash;
          checked += 1;
        }
        if (rows.length < 1000) return { isIntact: true, checked, firstBrokenId: null };
        afterSeq = rows.at(-1)!.seq;
      }
    },
  };
}
