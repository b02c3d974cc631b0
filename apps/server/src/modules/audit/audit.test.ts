import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace } from '../../../test/harness.ts';

const context = await createTestApp();
const { db, pool } = context.database;
const { audit } = context.services;

/** Every workspace starts with one entry: the harness creates its website inbox through the API. */
const HARNESS_INBOX = 'inboxes.created';

async function shopWithHistory(actions: string[]) {
  const shop = await createWorkspace(context);
  for (const action of actions) {
    await audit.record(db, {
      workspaceId: shop.owner.workspaceId!,
      actorId: shop.owner.userId!,
      action,
      targetType: 'customer',
      targetId: 'c-1',
      details: { fields: ['phone'], count: 3, nested: { z: 1, a: '二' } },
    });
  }
  return shop;
}

describe('audit log', () => {
  it('lists what happened newest first, with who did it', async () => {
    const shop = await shopWithHistory(['customers.pii_revealed', 'customers.exported']);
    const page = (await shop.owner.get('/api/v1/audit-log')).json();
    expect(page.items.map((entry: { action: string }) => entry.action)).toEqual([
      'customers.exported',
      'customers.pii_revealed',
      HARNESS_INBOX,
    ]);
    expect(page.items[0]).toMatchObject({
      actor: { id: shop.owner.userId, name: '店长' },
      targetType: 'customer',
      details: { fields: ['phone'], count: 3 },
    });
  });

  it('pages and filters the log', async () => {
    const shop = await shopWithHistory(['a.one', 'a.two', 'a.three', 'b.other']);
    const first = (await shop.owner.get('/api/v1/audit-log?limit=2')).json();
    const second = (await shop.owner.get(`/api/v1/audit-log?limit=2&cursor=${first.nextCursor}`)).json();
    const third = (await shop.owner.get(`/api/v1/audit-log?limit=2&cursor=${second.nextCursor}`)).json();
    expect([...first.items, ...second.items, ...third.items].map((entry: { action: string }) => entry.action)).toEqual([
      'b.other',
      'a.three',
      'a.two',
      'a.one',
      HARNESS_INBOX,
    ]);
    expect(third.nextCursor).toBeNull();
    const filtered = (await shop.owner.get('/api/v1/audit-log?action=a.two')).json().items;
    expect(filtered).toHaveLength(1);
  });

  it('keeps an intact hash chain, and notices an entry removed behind its back', async () => {
    const shop = await shopWithHistory(['x.first', 'x.second', 'x.third']);
    expect((await shop.owner.get('/api/v1/audit-log/verify')).json()).toEqual({
      isIntact: true,
      checked: 4,
      firstBrokenId: null,
    });
    const { rows } = await pool.query<{ id: string; action: string }>(
      `select id, action from audit_log where workspace_id = $1 order by seq`,
      [shop.owner.workspaceId],
    );
    expect(rows.map((row) => row.action)).toEqual([HARNESS_INBOX, 'x.first', 'x.second', 'x.third']);
    await pool.query('delete from audit_log where id = $1', [rows[2]!.id]);
    expect((await shop.owner.get('/api/v1/audit-log/verify')).json()).toMatchObject({
      isIntact: false,
      firstBrokenId: rows[3]!.id,
    });
  });

  it('refuses to rewrite an entry in place', async () => {
    const shop = await shopWithHistory(['y.once']);
    await expect(
      pool.query(`update audit_log set action = 'y.changed' where workspace_id = $1`, [shop.owner.workspaceId]),
    ).rejects.toThrow(/append-only/);
  });

  it('records nothing when the change it belongs to rolls back', async () => {
    const shop = await createWorkspace(context);
    await expect(
      db.transaction(async (tx) => {
        await audit.record(tx, { workspaceId: shop.owner.workspaceId!, actorId: null, action: 'z.rolled_back' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow();
    const actions = (await shop.owner.get('/api/v1/audit-log'))
      .json()
      .items.map((entry: { action: string }) => entry.action);
    expect(actions).toEqual([HARNESS_INBOX]);
  });

  it('is for admins only', async () => {
    const shop = await createWorkspace(context);
    for (const role of ['supervisor', 'agent', 'analyst'] as const) {
      const member = await shop.addUser(role);
      expect((await member.get('/api/v1/audit-log')).statusCode).toBe(403);
      expect((await member.get('/api/v1/audit-log/verify')).statusCode).toBe(403);
    }
    const admin = await shop.addUser('admin');
    expect((await admin.get('/api/v1/audit-log')).statusCode).toBe(200);
  });
});
