import { Readable } from 'node:stream';
import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { fileChunks, files as filesTable } from '../db/schema.ts';
import { type Actor, can } from './access.ts';
import type { Executor } from './db-helpers.ts';
import { AppError } from './errors.ts';
import { newId } from './ids.ts';

const CHUNK_BYTES = 1024 * 1024;
/**
 * Uploads and job outputs are working files, not an archive: the worker removes them after this long.
 * Attachments (purpose 'attachment': sent in messages, kept in templates) are kept.
 */
const RETENTION_DAYS = 7;

/** Content types we serve as themselves; anything else is downloaded as opaque bytes. */
const SERVED_TYPES = new Set([
  'text/csv; charset=utf-8',
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
]);

export type StoredFile = { id: string; size: number };

/** Regroups any stream of buffers into chunks of CHUNK_BYTES (the last may be shorter). */
async function* rechunk(data: Buffer | AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(data)) {
    for (let offset = 0; offset < data.length; offset += CHUNK_BYTES) yield data.subarray(offset, offset + CHUNK_BYTES);
    return;
  }
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of data) {
    pending.push(piece);
    pendingBytes += piece.length;
    while (pendingBytes >= CHUNK_BYTES) {
      const joined = Buffer.concat(pending);
      yield joined.subarray(0, CHUNK_BYTES);
      pending = [joined.subarray(CHUNK_BYTES)];
      pendingBytes = joined.length - CHUNK_BYTES;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

export type Files = ReturnType<typeof createFiles>;

/** Files kept in PostgreSQL (1 MB bytea chunks), so every app process can serve what another stored. */
export function createFiles({ db }: { db: Db }) {
  async function findRow(workspaceId: string, id: string) {
    const row = (
      await db
        .select()
        .from(filesTable)
        .where(and(eq(filesTable.workspaceId, workspaceId), eq(filesTable.id, id)))
    )[0];
    if (!row) throw new AppError('file.not_found', '文件不存在或已过期');
    return row;
  }

  function streamChunks(fileId: string): Readable {
    let nextSeq = 0;
    return new Readable({
      async read() {
        try {
          const [chunk] = await db
            .select({ data: fileChunks.data })
            .from(fileChunks)
            .where(and(eq(fileChunks.fileId, fileId), eq(fileChunks.seq, nextSeq)));
          nextSeq += 1;
          this.push(chunk ? chunk.data : null);
        } catch (error) {
          this.destroy(error as Error);
        }
      },
    });
  }

  return {
    /**
     * Stores a file. With a Buffer or stream larger than `maxBytes`, throws `request.too_large` and nothing is
     * kept (pass the caller's transaction, or let this one roll back).
     */
    async save(
      executor: Executor,
      input: {
        workspaceId: string;
        createdBy: string | null;
        name: string;
        contentType: string;
        data: Buffer | AsyncIterable<Buffer>;
        maxBytes?: number;
        /** 'working' (default): pruned after RETENTION_DAYS; 'attachment': kept. */
        purpose?: 'working' | 'attachment';
      },
    ): Promise<StoredFile> {
      const store = async (tx: Executor) => {
        const id = newId();
        await tx.insert(filesTable).values({
          id,
          workspaceId: input.workspaceId,
          createdBy: input.createdBy,
          name: input.name,
          contentType: input.contentType,
          purpose: input.purpose ?? 'working',
        });
        let size = 0;
        let seq = 0;
        for await (const chunk of rechunk(input.data)) {
          size += chunk.length;
          if (input.maxBytes !== undefined && size > input.maxBytes)
            throw new AppError('request.too_large', `文件超过 ${Math.floor(input.maxBytes / 1024 / 1024)} MB 上限`);
          await tx.insert(fileChunks).values({ workspaceId: input.workspaceId, fileId: id, seq, data: chunk });
          seq += 1;
        }
        await tx.update(filesTable).set({ size }).where(eq(filesTable.id, id));
        return { id, size };
      };
      return executor === db ? db.transaction(store) : store(executor);
    },

    /** A stored file of the workspace, as a stream. For jobs and services; downloads go through `download`. */
    async open(workspaceId: string, id: string) {
      const row = await findRow(workspaceId, id);
      return { name: row.name, contentType: row.contentType, size: row.size, stream: streamChunks(id) };
    },

    /** Attachments (purpose 'attachment') of the workspace among `ids`, with what a message records of them. */
    async findAttachments(executor: Executor, workspaceId: string, ids: string[]) {
      if (ids.length === 0) return [];
      return executor
        .select({
          fileId: filesTable.id,
          name: filesTable.name,
          contentType: filesTable.contentType,
          size: filesTable.size,
        })
        .from(filesTable)
        .where(
          and(
            eq(filesTable.workspaceId, workspaceId),
            inArray(filesTable.id, ids),
            eq(filesTable.purpose, 'attachment'),
          ),
        );
    },

    /** An attachment of the workspace as a stream (the caller checks who may read it). */
    async openAttachment(workspaceId: string, id: string) {
      const row = await findRow(workspaceId, id);
      if (row.purpose !== 'attachment') throw new AppError('file.not_found', '文件不存在或已过期');
      return { name: row.name, contentType: row.contentType, size: row.size, stream: streamChunks(id) };
    },

    /** A file for its creator or an admin to download; served as an attachment, never rendered. */
    async download(actor: Actor, id: string) {
      const row = await findRow(actor.workspaceId, id);
      if (row.createdBy !== actor.userId && !can(actor, 'workspace:manage'))
        throw new AppError('file.not_found', '文件不存在或已过期');
      return {
        name: row.name,
        contentType: SERVED_TYPES.has(row.contentType) ? row.contentType : 'application/octet-stream',
        size: row.size,
        stream: streamChunks(id),
      };
    },

    /** Removes files past retention, a batch at a time (idempotent; the worker calls it periodically). */
    async pruneExpired() {
      const old = sql`now() - make_interval(days => ${RETENTION_DAYS})`;
      const expired = await db
        .select({ id: filesTable.id })
        .from(filesTable)
        .where(and(lt(filesTable.createdAt, old), eq(filesTable.purpose, 'working')))
        .orderBy(asc(filesTable.id))
        .limit(100);
      for (const { id } of expired) await db.delete(filesTable).where(eq(filesTable.id, id));
      return expired.length;
    },
  };
}
