/**
 * What one process reads on every event (rules, endpoints, inbox settings) is kept for `ttlMs`: other
 * processes see a change within that time, this process at once through `delete`. Concurrent readers of a
 * missing key share one load; a failed load is not kept.
 */
export function createTtlCache<T>(ttlMs: number, maxEntries = 10_000) {
  const entries = new Map<string, { expires: number; value: Promise<T> }>();

  function prune(now: number) {
    for (const [key, entry] of entries) if (entry.expires <= now) entries.delete(key);
    if (entries.size >= maxEntries) entries.clear();
  }

  return {
    get(key: string, load: () => PromiseLike<T>): Promise<T> {
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && hit.expires > now) return hit.value;
      if (entries.size >= maxEntries) prune(now);
      // Promise.resolve runs a lazy query builder (a thenable) once; awaiting the builder itself would rerun it.
      const value = Promise.resolve(load());
      entries.set(key, { expires: now + ttlMs, value });
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      return value;
    },
    delete(key: string) {
      entries.delete(key);
    },
    deleteWhere(matches: (key: string) => boolean) {
      for (const key of entries.keys()) if (matches(key)) entries.delete(key);
    },
  };
}
