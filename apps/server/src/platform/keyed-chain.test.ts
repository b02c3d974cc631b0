import { describe, expect, it } from 'vitest';
import { createKeyedChain } from './keyed-chain.ts';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('keyed chain', () => {
  it('runs tasks of one key in order, other keys alongside, and goes on after a failure', async () => {
    const chain = createKeyedChain();
    const log: string[] = [];
    const task =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await tick(ms);
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const a1 = chain.run('a', task('a1', 20, true));
    const a2 = chain.run('a', task('a2', 1));
    const b1 = chain.run('b', task('b1', 1));
    await expect(a1).rejects.toThrow('a1');
    expect(await a2).toBe('a2');
    expect(await b1).toBe('b1');
    await chain.idle();
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('end b1')).toBeLessThan(log.indexOf('end a1'));
  });
});
