import { describe, expect, it } from 'vitest';
import { idFloorAt, newId } from './ids.ts';

describe('newId', () => {
  it('makes UUIDv7s that increase strictly within a millisecond and across the random pool refills', () => {
    const before = idFloorAt(new Date());
    const ids = Array.from({ length: 5000 }, () => newId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]! >= before).toBe(true);
    expect(ids.at(-1)! < idFloorAt(new Date(Date.now() + 1000))).toBe(true);
  });

  it('draws fresh random bits for each id (two processes cannot collide by sharing a counter)', () => {
    const tails = new Set(Array.from({ length: 1000 }, () => newId().slice(-12)));
    expect(tails.size).toBe(1000);
  });
});
