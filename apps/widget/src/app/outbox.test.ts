import { describe, expect, it } from 'vitest';
import { createOutbox, newClientMsgId, type StorageLike } from './outbox.ts';

function fakeStorage(): StorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => {
      data.set(key, String(value));
    },
  };
}

describe('outbox', () => {
  it('lists queued messages in the order they were written', () => {
    const outbox = createOutbox(fakeStorage(), 'huike:inbox-1:outbox');
    outbox.enqueue('你好', 'a');
    outbox.enqueue('请问什么时候发货？', 'b');
    outbox.enqueue('订单号 20240101', 'c');

    expect(outbox.list().map((item) => item.clientMsgId)).toEqual(['a', 'b', 'c']);
    expect(outbox.list().map((item) => item.content)).toEqual(['你好', '请问什么时候发货？', '订单号 20240101']);
  });

  it('keeps the queue across a reload through the storage it was given', () => {
    const storage = fakeStorage();
    createOutbox(storage, 'k').enqueue('第一条', 'a');
    createOutbox(storage, 'k').enqueue('第二条', 'b');

    const afterReload = createOutbox(storage, 'k');
    expect(afterReload.list().map((item) => item.content)).toEqual(['第一条', '第二条']);
    expect(afterReload.has('b')).toBe(true);
  });

  it('removes only the acknowledged message and keeps the order of the rest', () => {
    const storage = fakeStorage();
    const outbox = createOutbox(storage, 'k');
    outbox.enqueue('1', 'a');
    outbox.enqueue('2', 'b');
    outbox.enqueue('3', 'c');

    expect(outbox.remove('b')).toBe(true);
    expect(outbox.remove('b')).toBe(false);
    expect(outbox.remove('unknown')).toBe(false);
    expect(
      createOutbox(storage, 'k')
        .list()
        .map((item) => item.clientMsgId),
    ).toEqual(['a', 'c']);
  });

  it('never queues the same clientMsgId twice', () => {
    const outbox = createOutbox(fakeStorage(), 'k');
    const first = outbox.enqueue('一次', 'same');
    const second = outbox.enqueue('两次', 'same');

    expect(second).toEqual(first);
    expect(outbox.list()).toHaveLength(1);
  });

  it('gives every message its own clientMsgId when none is passed', () => {
    const outbox = createOutbox(fakeStorage(), 'k');
    const a = outbox.enqueue('a');
    const b = outbox.enqueue('b');

    expect(a.clientMsgId).not.toBe(b.clientMsgId);
    expect(a.clientMsgId.length).toBeLessThanOrEqual(64);
    expect(new Set(Array.from({ length: 1000 }, newClientMsgId)).size).toBe(1000);
  });

  it('keeps inboxes apart by key', () => {
    const storage = fakeStorage();
    createOutbox(storage, 'huike:one:outbox').enqueue('x', 'a');

    expect(createOutbox(storage, 'huike:two:outbox').list()).toEqual([]);
  });

  it('starts empty when the stored value is corrupt and drops malformed entries', () => {
    const storage = fakeStorage();
    storage.setItem('broken', '{not json');
    storage.setItem('mixed', JSON.stringify([{ clientMsgId: 'a', content: 'ok', createdAt: 't' }, { nope: 1 }, 7]));

    expect(createOutbox(storage, 'broken').list()).toEqual([]);
    expect(
      createOutbox(storage, 'mixed')
        .list()
        .map((item) => item.clientMsgId),
    ).toEqual(['a']);
  });

  it('keeps messages in memory when the storage refuses to write', () => {
    const storage = fakeStorage();
    const outbox = createOutbox(
      {
        getItem: storage.getItem,
        setItem: () => {
          throw new Error('QuotaExceededError');
        },
      },
      'k',
    );
    outbox.enqueue('离线时写的', 'a');
    outbox.enqueue('第二条', 'b');
    outbox.remove('a');

    expect(outbox.list().map((item) => item.content)).toEqual(['第二条']);
  });
});

describe('outbox with files', () => {
  it('keeps a file item in order between text messages, with what it needs after a reload', () => {
    const storage = fakeStorage();
    const outbox = createOutbox(storage, 'k');
    outbox.enqueue('看这张图', 'a');
    outbox.enqueue('', 'b', { name: '破损.png', size: 2048, type: 'image/png' });
    outbox.enqueue('包装破了', 'c');

    const reloaded = createOutbox(storage, 'k').list();
    expect(reloaded.map((item) => item.clientMsgId)).toEqual(['a', 'b', 'c']);
    expect(reloaded[1]?.file).toEqual({ name: '破损.png', size: 2048, type: 'image/png' });
    expect(reloaded[0]?.file).toBeUndefined();
  });

  it('drops stored items whose file description is malformed', () => {
    const storage = fakeStorage();
    storage.setItem(
      'k',
      JSON.stringify([
        { clientMsgId: 'a', content: '', createdAt: '2024-01-01T00:00:00Z', file: { name: 1 } },
        { clientMsgId: 'b', content: 'ok', createdAt: '2024-01-01T00:00:00Z' },
      ]),
    );
    expect(
      createOutbox(storage, 'k')
        .list()
        .map((item) => item.clientMsgId),
    ).toEqual(['b']);
  });
});
