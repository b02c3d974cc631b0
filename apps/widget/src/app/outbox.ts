/**
 * Messages the visitor has written that the server has not acknowledged yet, oldest first.
 * Kept in Storage (localStorage in the widget) so they survive a reload and are sent, in order, once the
 * connection is back. Each carries a clientMsgId so a resend after a lost ack is stored only once.
 */

/** A file the visitor sends: what is kept of it across a reload (its bytes live only in the page that picked it). */
export type OutboxFile = { name: string; size: number; type: string };

export type OutboxItem = { clientMsgId: string; content: string; createdAt: string; file?: OutboxFile };

export type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

export type Outbox = {
  /** Items in the order they were written. */
  list(): OutboxItem[];
  has(clientMsgId: string): boolean;
  enqueue(content: string, clientMsgId?: string, file?: OutboxFile): OutboxItem;
  /** Drops an item once the server has stored it; false when it was not (or no longer) queued. */
  remove(clientMsgId: string): boolean;
};

export function createOutbox(storage: StorageLike, key: string): Outbox {
  // Used alone once the storage refuses a write (quota, private mode), so a message is never lost
  // between a failed write and the next read.
  let memory: OutboxItem[] = [];
  let isStorageUsable = true;

  const read = (): OutboxItem[] => {
    if (!isStorageUsable) return memory;
    try {
      const parsed: unknown = JSON.parse(storage.getItem(key) ?? '[]');
      memory = Array.isArray(parsed) ? parsed.filter(isOutboxItem) : [];
    } catch {
      memory = [];
    }
    return memory;
  };

  const write = (items: OutboxItem[]) => {
    memory = items;
    if (!isStorageUsable) return;
    try {
      storage.setItem(key, JSON.stringify(items));
    } catch {
      isStorageUsable = false;
    }
  };

  return {
    list: () => [...read()],
    has: (clientMsgId) => read().some((item) => item.clientMsgId === clientMsgId),
    enqueue(content, clientMsgId = newClientMsgId(), file) {
      const items = read();
      const existing = items.find((item) => item.clientMsgId === clientMsgId);
      if (existing) return existing;
      const item: OutboxItem = { clientMsgId, content, createdAt: new Date().toISOString(), ...(file ? { file } : {}) };
      write([...items, item]);
      return item;
    },
    remove(clientMsgId) {
      const items = read();
      const rest = items.filter((item) => item.clientMsgId !== clientMsgId);
      if (rest.length === items.length) return false;
      write(rest);
      return true;
    },
  };
}

function isOutboxItem(value: unknown): value is OutboxItem {
  const item = value as OutboxItem | null;
  return (
    typeof item?.clientMsgId === 'string' &&
    typeof item.content === 'string' &&
    typeof item.createdAt === 'string' &&
    (item.file === undefined || (typeof item.file?.name === 'string' && typeof item.file.size === 'number'))
  );
}

/**
 * A unique id for one visitor message (≤ 64 chars). crypto.randomUUID only exists on https pages, and
 * self-hosted Huike often runs on plain http inside a LAN, so build it from getRandomValues.
 */
export function newClientMsgId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  let random = '';
  for (const byte of bytes) random += byte.toString(16).padStart(2, '0');
  return `w-${Date.now().toString(36)}-${random}`;
}
