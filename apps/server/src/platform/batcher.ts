/**
 * Group commit in the app: calls made while `lanes` batches are in flight wait and leave together as
 * the next batch. An idle system sends each call at once; a busy one sends one round trip for many calls.
 * `run` answers one result per item, in order; if it throws, every item of that batch gets the error.
 *
 * With `keyOf`, each lane has its own queue and one batch in flight, and an item always joins the lane of its key:
 * calls with the same key run in the order they were made, never in two batches at once (two lanes sharing one queue
 * may finish a later batch first).
 */
export function createBatcher<Item, Result>(
  run: (items: Item[]) => Promise<Result[]>,
  { lanes = 1, maxBatch = 200, keyOf }: { lanes?: number; maxBatch?: number; keyOf?: (item: Item) => string } = {},
) {
  type Queued = { item: Item; resolve(result: Result): void; reject(error: unknown): void };
  type Lane = { queue: Queued[]; inFlight: number };
  const shared = keyOf === undefined;
  const laneList: Lane[] = Array.from({ length: shared ? 1 : lanes }, () => ({ queue: [], inFlight: 0 }));
  const drainsPerLane = shared ? lanes : 1;

  async function drain(lane: Lane) {
    lane.inFlight++;
    while (lane.queue.length > 0) {
      const batch = lane.queue.splice(0, maxBatch);
      try {
        const results = await run(batch.map((queued) => queued.item));
        for (const [i, queued] of batch.entries()) queued.resolve(results[i]!);
      } catch (error) {
        for (const queued of batch) queued.reject(error);
      }
    }
    lane.inFlight--;
  }

  return (item: Item): Promise<Result> =>
    new Promise((resolve, reject) => {
      const lane = laneList[shared ? 0 : hash(keyOf(item)) % laneList.length]!;
      lane.queue.push({ item, resolve, reject });
      if (lane.inFlight < drainsPerLane) void drain(lane);
    });
}

/** FNV-1a over UTF-16 code units: spreads keys over lanes. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
