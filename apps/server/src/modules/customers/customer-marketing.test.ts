import { describe, expect, it } from 'vitest';
import { countRows, createTestApp, createWorkspace, insertCustomer } from '../../../test/harness.ts';

const context = await createTestApp();
const { pool } = context.database;

async function shop() {
  const workspace = await createWorkspace(context, '营销店');
  const workspaceId = workspace.owner.workspaceId!;
  const customerId = await insertCustomer(context, workspaceId, { name: '王小明', phone: '13800138000' });
  return { ...workspace, workspaceId, customerId };
}

const marketingEvents = async (customerId: string) =>
  (
    await pool.query(
      `select kind, actor_id, details from customer_events where customer_id = $1 and kind like 'marketing_%'
        order by id`,
      [customerId],
    )
  ).rows;

describe('marketing SMS opt-out', () => {
  it('shows when a customer unsubscribed, in the profile and the list', async () => {
    const { owner, customerId } = await shop();
    expect((await owner.get(`/api/v1/customers/${customerId}`)).json().marketingOptOutAt).toBeNull();
    await pool.query(`update customers set marketing_opt_out_at = '2026-11-20T08:30:00Z' where id = $1`, [customerId]);
    expect((await owner.get(`/api/v1/customers/${customerId}`)).json().marketingOptOutAt).toBe(
      '2026-11-20T08:30:00.000Z',
    );
    const listed = (await owner.get('/api/v1/customers')).json().items;
    expect(listed.find((item: { id: string }) => item.id === customerId).marketingOptOutAt).toBe(
      '2026-11-20T08:30:00.000Z',
    );
  });

  it('lets a supervisor unsubscribe a customer and subscribe them again, on the timeline and in the audit log', async () => {
    const { addUser, customerId } = await shop();
    const supervisor = await addUser('supervisor');
    const optedOut = await supervisor.patch(`/api/v1/customers/${customerId}`, { marketingOptOut: true });
    expect(optedOut.statusCode, optedOut.body).toBe(200);
    const at = optedOut.json().marketingOptOutAt as string;
    expect(Date.now() - Date.parse(at)).toBeLessThan(60_000);
    // Saying it again changes nothing (the first date stays).
    const again = await supervisor.patch(`/api/v1/customers/${customerId}`, { marketingOptOut: true, region: '杭州' });
    expect(again.json()).toMatchObject({ marketingOptOutAt: at, region: '杭州' });

    const optedIn = await supervisor.patch(`/api/v1/customers/${customerId}`, { marketingOptOut: false });
    expect(optedIn.json().marketingOptOutAt).toBeNull();
    expect(await marketingEvents(customerId)).toEqual([
      { kind: 'marketing_opted_out', actor_id: supervisor.userId, details: { channel: 'manual' } },
      { kind: 'marketing_opted_in', actor_id: supervisor.userId, details: { channel: 'manual' } },
    ]);
    const audit = await pool.query(
      `select action, actor_id from audit_log where target_id = $1 and action like 'customers.marketing_%' order by id`,
      [customerId],
    );
    expect(audit.rows).toEqual([
      { action: 'customers.marketing_opted_out', actor_id: supervisor.userId },
      { action: 'customers.marketing_opted_in', actor_id: supervisor.userId },
    ]);
    const timeline = (await supervisor.get(`/api/v1/customers/${customerId}/timeline`)).json().items;
    expect(timeline.map((entry: { kind: string }) => entry.kind)).toEqual(
      expect.arrayContaining(['marketing_opted_out', 'marketing_opted_in']),
    );
  });

  it('refuses agents, changing nothing else of the same edit', async () => {
    const { addUser, customerId } = await shop();
    const agent = await addUser('agent');
    const refused = await agent.patch(`/api/v1/customers/${customerId}`, { marketingOptOut: true, region: '上海' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('auth.forbidden');
    const after = (await agent.get(`/api/v1/customers/${customerId}`)).json();
    expect(after).toMatchObject({ marketingOptOutAt: null, region: null });
    // The rest of the profile stays theirs to edit.
    expect((await agent.patch(`/api/v1/customers/${customerId}`, { region: '上海' })).statusCode).toBe(200);
    expect(await marketingEvents(customerId)).toEqual([]);
  });

  it("refuses a malformed value, and answers 404 for another workspace's customer", async () => {
    const { owner, customerId } = await shop();
    for (const value of ['yes', 1, null]) {
      const invalid = await owner.patch(`/api/v1/customers/${customerId}`, { marketingOptOut: value });
      expect(invalid.statusCode, String(value)).toBe(400);
      expect(invalid.json().error.message).toEqual(expect.any(String));
    }
    const other = await createWorkspace(context, '隔壁店');
    const foreign = await other.owner.patch(`/api/v1/customers/${customerId}`, { marketingOptOut: true });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('customer.not_found');
    expect(
      await countRows(context, 'from customers where id = $1 and marketing_opt_out_at is not null', [customerId]),
    ).toBe(0);
  });
});
