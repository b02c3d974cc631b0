import { describe, expect, it } from 'vitest';
import { countRows, createTestApp, DEMO_SEED_TIMEOUT_MS, login } from '../../../../../test/harness.ts';

const context = await createTestApp();

describe('SMS demo data', () => {
  it(
    'shows a sent campaign and buyers who replied 退订, skipped by the next campaign',
    async () => {
      const { seedDemoWorkspace } = await import('../../../../db/demo-seed.ts');
      const { email, password } = await seedDemoWorkspace(context, context.database);
      const owner = await login(context, email, password);
      const inboxes = (await owner.get('/api/v1/inboxes')).json().items as { id: string; channelType: string }[];
      const sms = inboxes.find((inbox) => inbox.channelType === 'sms')!;
      const segments = (await owner.get('/api/v1/segments')).json().items as { id: string; name: string }[];
      const ordered = segments.find((segment) => segment.name === '已下单')!;

      // Last week's campaign is in 短信群发记录, finished, most of it delivered.
      const campaigns = (await owner.get('/api/v1/sms/campaigns')).json().items;
      expect(campaigns).toHaveLength(1);
      expect(campaigns[0]).toMatchObject({ segmentId: ordered.id, segmentName: '已下单', status: 'completed' });
      expect(campaigns[0].createdBy).toMatchObject({ id: owner.userId });
      expect(campaigns[0].counts.delivered).toBeGreaterThan(5);
      expect(campaigns[0].counts.failed).toBeGreaterThan(0);
      expect(Date.now() - Date.parse(campaigns[0].createdAt)).toBeGreaterThan(5 * 24 * 3_600_000);

      const preview = await owner.post('/api/v1/sms/campaigns/preview', { inboxId: sms.id, segmentId: ordered.id });
      expect(preview.statusCode, preview.body).toBe(200);
      expect(preview.json().optedOut).toBe(3);
      expect(preview.json().recipients).toBeGreaterThan(10);

      const { rows } = await context.database.pool.query<{ id: string }>(
        'select id from customers where workspace_id = $1 and marketing_opt_out_at is not null limit 1',
        [owner.workspaceId],
      );
      const timeline = (await owner.get(`/api/v1/customers/${rows[0]!.id}/timeline`)).json().items;
      expect(timeline.map((entry: { kind: string }) => entry.kind)).toContain('marketing_opted_out');
      const history = (await owner.get(`/api/v1/customers/${rows[0]!.id}/messages`)).json().items;
      expect(history.some((m: { channelType: string; content: string }) => m.channelType === 'sms')).toBe(true);
      expect(await countRows(context, 'from sms_campaign_recipients where status = $1', ['delivered'])).toBeGreaterThan(
        5,
      );
    },
    DEMO_SEED_TIMEOUT_MS,
  );
});
