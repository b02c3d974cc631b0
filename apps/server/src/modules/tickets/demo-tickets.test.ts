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
      // The report facts moved into the past with the tickets they describe.
      const { rows } = await context.database.pool.query<{ kind: string; off: number; total: number }>(`
        select e.kind, count(*) filter (where e.occurred_at <> case e.kind when 'ticket_created' then t.created_at
                 when 'ticket_resolved' then t.resolved_at else coalesce(t.fr_due_at, t.res_due_at, t.esc_due_at) end
                 and e.kind in ('ticket_created', 'ticket_resolved'))::int as off,
               count(*)::int as total
        from reporting_events e join tickets t on t.id = e.ticket_id
        where e.kind in ('ticket_created', 'ticket_resolved', 'ticket_sla_breached')
        group by e.kind`);
      expect(rows.find((r) => r.kind === 'ticket_created')).toMatchObject({ off: 0, total: 30 });
      expect(rows.find((r) => r.kind === 'ticket_resolved')).toMatchObject({ off: 0 });
      const breaches = await context.database.pool.query<{ n: number }>(`
        select count(*)::int as n from reporting_events e join tickets t on t.id = e.ticket_id
        where e.kind = 'ticket_sla_breached' and e.occurred_at > now() - interval '1 minute'
          and e.occurred_at > case e.dim when 'first_response' then t.fr_due_at when 'resolution' then t.res_due_at
                                          else t.esc_due_at end + interval '1 minute'`);
      expect(breaches.rows[0]!.n).toBe(0);
      // Resolved ones took minutes to a day, and the report's resolution times say so (sample history aside).
      const resolution = await context.database.pool.query<{
        n: number;
        shortest: number;
        longest: number;
        median: number;
      }>(`
        select count(*)::int as n, min(value)::float8 as shortest, max(value)::float8 as longest,
               percentile_cont(0.5) within group (order by value)::float8 as median
        from reporting_events e join tickets t on t.id = e.ticket_id where e.kind = 'ticket_resolved'`);
      expect(resolution.rows[0]).toMatchObject({ n: 11 });
      expect(resolution.rows[0]!.shortest).toBeGreaterThanOrEqual(10 * 60);
      expect(resolution.rows[0]!.longest).toBeLessThanOrEqual(24 * 3600);
      expect(resolution.rows[0]!.median).toBeGreaterThan(3600);
      const spans = await context.database.pool.query<{ off: number }>(`
        select count(*)::int as off from reporting_events e join tickets t on t.id = e.ticket_id
        where e.kind = 'ticket_resolved' and t.resolved_at is not null
          and abs(extract(epoch from t.resolved_at - t.created_at) - e.value) > 1`);
      expect(spans.rows[0]!.off).toBe(0);
    },
    DEMO_SEED_TIMEOUT_MS,
  );
});
