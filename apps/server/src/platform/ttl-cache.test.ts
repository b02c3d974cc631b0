import { describe, expect, it, vi } from 'vitest';
import { createTtlCache } from './ttl-cache.ts';

describe('ttl cache', () => {
  it('runs a lazy thenable (a query builder) once however often it is read, until it expires', async () => {
    vi.useFakeTimers();
    try {
      let runs = 0;
      const lazyQuery: PromiseLike<number> = {
        // biome-ignore lint/suspicious/noThenProperty: a Drizzle query builder is such a thenable, run on each `then`
        then: (onFulfilled, onRejected) => Promise.resolve(++runs).then(onFulfilled, onRejected),
      };
      const cache = createTtlCache<number>(1_000);
      const reads = await Promise.all([1, 2, 3].map(() => cache.get('k', () => lazyQuery)));
      expect(reads).toEqual([1, 1, 1]);
      expect(await cache.get('k', () => lazyQuery)).toBe(1);
      vi.advanceTimersByTime(1_001);
      expect(await cache.get('k', () => lazyQuery)).toBe(2);
      cache.delete('k');
      expect(await cache.get('k', () => lazyQuery)).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not keep a failed load, and forgets keys by predicate', async () => {
    const cache = createTtlCache<string>(60_000);
    await expect(cache.get('w1:a', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('w1:a', async () => 'up')).toBe('up');
    expect(await cache.get('w2:a', async () => 'other')).toBe('other');
    cache.deleteWhere((key) => key.startsWith('w1:'));
    expect(await cache.get('w1:a', async () => 'reloaded')).toBe('reloaded');
    expect(await cache.get('w2:a', async () => 'not read')).toBe('other');
  });
});
