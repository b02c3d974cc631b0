/**
 * Runs tasks with the same key one after another, in the order they were added; different keys run
 * concurrently. A failed task does not stop the ones behind it (its caller gets the error).
 */
export function createKeyedChain() {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(task);
      tails.set(key, next);
      // Forget the key either way; `finally` would derive a second promise that rejects unhandled (the caller
      // handles the failure of `next` itself), and an unhandled rejection ends a Node process.
      const forget = () => {
        if (tails.get(key) === next) tails.delete(key);
      };
      next.then(forget, forget);
      return next;
    },
    /** Resolves when every task added so far has finished. */
    async idle() {
      while (tails.size > 0) await Promise.allSettled([...tails.values()]);
    },
  };
}
