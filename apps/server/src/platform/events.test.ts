import { describe, expect, it } from 'vitest';
import { createEventBus, type DomainEvent } from './events.ts';

const updated = (): DomainEvent => ({
  type: 'customer.updated',
  workspaceId: 'w1',
  performedBy: null,
  customerId: 'c1',
  fields: ['region'],
});

describe('event bus: in-transaction subscribers', () => {
  it('runs them for their types inside the given transaction, then the others once published', async () => {
    const bus = createEventBus((error) => {
      throw error;
    });
    const seen: string[] = [];
    const tx = {} as Parameters<typeof bus.record>[0];
    bus.subscribeInTransaction(['customer.updated'], async (executor, event) => {
      expect(executor).toBe(tx);
      seen.push(`in transaction: ${event.type}`);
    });
    bus.subscribe((event) => {
      seen.push(`published: ${event.type}`);
    });
    const event = updated();
    await bus.record(tx, event);
    await bus.record(tx, { type: 'user.disabled', workspaceId: 'w1', performedBy: null, userId: 'u1' });
    bus.publish(event);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['in transaction: customer.updated', 'published: customer.updated']);
  });

  it('reports an event of a recorded type that was published without record (its deliveries were never written)', () => {
    const errors: string[] = [];
    const bus = createEventBus((error, event) => errors.push(`${event.type}: ${(error as Error).message}`));
    bus.subscribeInTransaction(['customer.updated'], async () => {});
    bus.publish(updated());
    bus.publish({ type: 'user.disabled', workspaceId: 'w1', performedBy: null, userId: 'u1' });
    expect(errors).toEqual([
      'customer.updated: customer.updated was published without being recorded in its transaction',
    ]);
  });
});
