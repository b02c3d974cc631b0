import { describe, expect, it } from 'vitest';
import { createTestApp, DEMO_SEED_TIMEOUT_MS, login } from '../../../test/harness.ts';

const context = await createTestApp();

describe('demo tickets', () => {
  it(
    'seeds SLA policies and tickets in every state with believable data',
    async () => {
      const { seedDemoWorkspace } = await import('../../db/demo-seed.ts');
      const { email, password } = await seedDemoWorkspace(context, context.database);
      const owner = await login(context, email, password);
      const policies = (await owner.get('/api/v1/sla-policies')).json().items.map((p: { name: string }) => p.name);
      expect(policies).toEqual(expect.arrayContaining(['咨询首响1小时', '退换货24小时解决', '投诉4小时升级主管']));
      const tickets = (await owner.get('/api/v1/tickets?limit=100')).json().items as {
        status: string;
        clocks: { state: string; breachedAt: string | null }[];
        conversationId: string | null;
      }[];
      expect(tickets).toHaveLength(30);
      expect(new Set(tickets.map((t) => t.status))).toEqual(
        new Set(['new', 'open', 'waiting_customer', 'waiting_third_party', 'resolved', 'closed']),
      );
      expect(tickets.some((t) => t.clocks.some((c) => c.breachedAt))).toBe(true);
      expect(tickets.some((t) => t.clocks.some((c) => c.state === 'green'))).toBe(true);
      expect(tickets.filter((t) => t.conversationId).length).toBeGreaterThan(15);
      expect((await owner.get('/api/v1/tickets?sla=breached')).json().items.length).toBeGreaterThan(0);
    },
    DEMO_SEED_TIMEOUT_MS,
  );
});
