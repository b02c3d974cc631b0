import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.ts';

type Item = { key: string; n: number };

/** A run that takes a few milliseconds (more for some batches, so a later one could overtake) and logs what it saw. */
function recordingRun() {
  const batches: Item[][] = [];
  const running = new Set<Item[]>();
  let mostAtOnce = 0;
  let sameKeyAtOnce = false;
  const run = async (items: Item[]) => {
    for (const other of running) {
      if (other.some((a) => items.some((b) => a.key === b.key))) sameKeyAtOnce = true;
    }
    running.add(items);
    mostAtOnce = Math.max(mostAtOnce, running.size);
    await sleep(batches.length % 2 === 0 ? 8 : 1);
    batches.push(items);
    running.delete(items);
    return items.map((item) => item.n);
  };
  return { run, batches, mostAtOnce: () => mostAtOnce, sameKeyAtOnce: () => sameKeyAtOnce };
}

const burst = (keys: string[], perKey: number) =>
  Array.from({ length: perKey }, (_, n) => keys.map((key) => ({ key, n: n * keys.length + keys.indexOf(key) }))).flat();

describe('createBatcher', () => {
  it('sends calls made while a batch is in flight together, and answers each with its own result', async () => {
    const recorder = recordingRun();
    const call = createBatcher(recorder.run);
    const items = burst(['a'], 10);
    const results = await Promise.all(items.map(call));
    expect(results).toEqual(items.map((item) => item.n));
    expect(recorder.batches.map((batch) => batch.length)).toEqual([1, 9]);
  });

  it('keeps up to `lanes` batches in flight from one queue', async () => {
    const recorder = recordingRun();
    const call = createBatcher(recorder.run, { lanes: 2, maxBatch: 3 });
    await Promise.all(burst(['a', 'b'], 10).map(call));
    expect(recorder.mostAtOnce()).toBe(2);
  });

  it('with keyOf, runs each key in the order of the calls and never in two batches at once', async () => {
    const recorder = recordingRun();
    const call = createBatcher(recorder.run, { lanes: 2, maxBatch: 3, keyOf: (item: Item) => item.key });
    const keys = ['客户1', '客户2', '客户3', '客户4', '客户5', '客户6'];
    const items = burst(keys, 8);
    expect(await Promise.all(items.map(call))).toEqual(items.map((item) => item.n));

    expect(recorder.sameKeyAtOnce()).toBe(false);
    expect(recorder.mostAtOnce()).toBe(2);
    const done = recorder.batches.flat();
    for (const key of keys) {
      const order = done.filter((item) => item.key === key).map((item) => item.n);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('gives every item of a failed batch the error and goes on with the next', async () => {
    let calls = 0;
    const call = createBatcher(async (items: number[]) => {
      calls++;
      if (calls === 1) throw new Error('boom');
      return items;
    });
    const outcomes = await Promise.allSettled([1, 2, 3].map(call));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  });
});
