/**
 * Group commit in the app: calls made while `lanes` batches are in flight wait and leave together as
 * the next batch. An idle system sends each call at once; a busy one sends one round trip for many calls.
 * `run` answers one result per item, in order; if it throws, every item of that batch gets the error.
 */
export function createBatcher<Item, Result>(
  run: (items: Item[]) => Promise<Result[]>,
  { lanes = 1, maxBatch = 200 }: { lanes?: number; maxBatch?: number } = {},
) {
  type Queued = { item: Item; resolve(result: Result): void; reject(error: unknown): void };
  const queue: Queued[] = [];
  let inFlight = 0;

  async function drain() {
    inFlight++;
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      try {
        const results = await run(batch.map((queued) => queued.item));
        for (const [i, queued] of batch.entries()) queued.resolve(results[i]!);
      } catch (error) {
        for (const queued of batch) queued.reject(error);
      }
    }
    inFlight--;
  }

  return (item: Item): Promise<Result> =>
    new Promise((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (inFlight < lanes) void drain();
    });
}
