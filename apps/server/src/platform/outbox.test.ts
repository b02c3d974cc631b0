import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace } from '../../test/harness.ts';
import { newId } from './ids.ts';
import { DeliveryError } from './outbox.ts';

const context = await createTestApp();
const { db } = context.database;
const shop = await createWorkspace(context);
const workspaceId = shop.owner.workspaceId!;

describe('outbox', () => {
  it('keeps deliveries that share an order key in order, even when the first one has to be retried', async () => {
    const sent: string[] = [];
    let failuresLeft = 2;
    context.outbox.define('test.ordered', {
      async send(row) {
        const label = String(row.payload.label);
        if (label === 'first' && failuresLeft-- > 0)
          throw new DeliveryError({ code: 'delivery.http_status', params: { status: 503 } }, '对方返回了 HTTP 503');
        sent.push(label);
        return undefined;
      },
    });
    const conversation = newId();
    await context.outbox.enqueue(
      db,
      ['first', 'second', 'third'].map((label) => ({
        workspaceId,
        kind: 'test.ordered',
        subjectId: newId(),
        payload: { label },
        orderKey: conversation,
      })),
    );

    await context.outbox.drain();

    expect(sent).toEqual(['first', 'second', 'third']);
  });

  it('sends deliveries without an order key side by side, and gives up on a permanent failure at once', async () => {
    const attempts = new Map<string, number>();
    context.outbox.define('test.unordered', {
      async send(row) {
        const label = String(row.payload.label);
        attempts.set(label, (attempts.get(label) ?? 0) + 1);
        if (label === 'bad')
          throw new DeliveryError(
            { code: 'delivery.url_refused', params: { problem: 'invalid_url' } },
            '网址格式不正确',
            {
              permanent: true,
            },
          );
        return { statusCode: 200 };
      },
    });
    const [good, bad] = await context.outbox.enqueue(db, [
      { workspaceId, kind: 'test.unordered', subjectId: newId(), payload: { label: 'good' } },
      { workspaceId, kind: 'test.unordered', subjectId: newId(), payload: { label: 'bad' } },
    ]);

    await context.outbox.drain();

    const rows = await context.database.pool.query<{ id: string; status: string; last_error: string | null }>(
      'select id, status, last_error, last_reason from deliveries where id = any($1::uuid[])',
      [[good, bad]],
    );
    const byId = new Map(rows.rows.map((row) => [row.id, row]));
    expect(byId.get(good!)).toMatchObject({ status: 'succeeded', last_error: null, last_reason: null });
    expect(byId.get(bad!)).toMatchObject({
      status: 'dead',
      last_error: '网址格式不正确',
      last_reason: { code: 'delivery.url_refused', params: { problem: 'invalid_url' } },
    });
    expect(attempts.get('bad')).toBe(1);
  });
});
