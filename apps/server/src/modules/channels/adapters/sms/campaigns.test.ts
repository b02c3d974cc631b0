import { permissions } from '@huike/contracts';
import { describe, expect, it } from 'vitest';
import { type Client, countRows, createTestApp, createWorkspace, insertCustomer } from '../../../../../test/harness.ts';
import { createSmsInbox, now, postCallback, sendReply, startProvider } from './sms-test-support.ts';

const context = await createTestApp({ env: { HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1' } });
const provider = await startProvider();

/** A segment of the given customers (by a tag put on each). */
async function segmentOf(owner: Client, customerIds: string[], name = '老客户') {
  const group = (await owner.post('/api/v1/tag-groups', { name: `${name}组` })).json();
  const tag = (await owner.post('/api/v1/tags', { groupId: group.id, name })).json();
  for (const id of customerIds) {
    const tagged = await owner.request({
      method: 'PUT',
      url: `/api/v1/customers/${id}/tags`,
      payload: { add: [tag.id] },
    });
    if (tagged.statusCode !== 200) throw new Error(tagged.body);
  }
  const filter = { op: 'and', conditions: [{ field: 'tags', op: 'has_any', value: [tag.id] }] };
  const segment = await owner.post('/api/v1/segments', { name, filter });
  if (segment.statusCode !== 201) throw new Error(segment.body);
  return segment.json() as { id: string };
}

/**
 * A shop whose segment holds three customers with mobiles, one unsubscribed, one without a phone and one with a
 * landline (no SMS), plus a customer outside the segment.
 */
async function campaignShop() {
  const shop = await createWorkspace(context, '营销店');
  const workspaceId = shop.owner.workspaceId!;
  const smsInbox = await createSmsInbox(shop.owner, provider.url);
  const reachable = [
    await insertCustomer(context, workspaceId, { name: '李雷', phone: '13800000001' }),
    await insertCustomer(context, workspaceId, { name: '韩梅梅', phone: '13800000002' }),
    await insertCustomer(context, workspaceId, { name: '王强', phone: '13800000003' }),
  ];
  const optedOut = await insertCustomer(context, workspaceId, { name: '退订客户', phone: '13800000004' });
  await context.database.pool.query('update customers set marketing_opt_out_at = now() where id = $1', [optedOut]);
  const noPhone = await insertCustomer(context, workspaceId, { name: '无手机', email: 'a@example.com' });
  const landline = await insertCustomer(context, workspaceId, { name: '座机', phone: '0571-88888888' });
  await insertCustomer(context, workspaceId, { name: '分组外', phone: '13800000009' });
  const segment = await segmentOf(shop.owner, [...reachable, optedOut, noPhone, landline]);
  return { ...shop, smsInbox, segment, reachable, optedOut };
}

const campaignSends = () => provider.requests.filter((request) => request.body.templateCode === 'SMS_MKT_001');

describe('SMS campaigns', () => {
  it('previews the exact audience: mobiles to send to, unsubscribed and phoneless skipped', async () => {
    const { owner, smsInbox, segment } = await campaignShop();
    const preview = await owner.post('/api/v1/sms/campaigns/preview', {
      inboxId: smsInbox.id,
      segmentId: segment.id,
    });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toEqual({ recipients: 3, optedOut: 1, withoutPhone: 2 });
  });

  it('sends the marketing template once per customer, even when the job runs again', async () => {
    provider.reset();
    const { owner, smsInbox, segment, reachable } = await campaignShop();
    const created = await owner.post('/api/v1/sms/campaigns', {
      inboxId: smsInbox.id,
      segmentId: segment.id,
      templateParams: { coupon: '满100减20', date: '11月30日', greeting: '{name}您好' },
    });
    expect(created.statusCode, created.body).toBe(202);
    expect(created.json()).toMatchObject({ kind: 'sms.campaign', status: 'queued' });
    await context.jobs.drain();
    await context.outbox.drain();

    const sends = campaignSends();
    expect(sends.map((request) => (request.body.phoneNumbers as string[])[0]).sort()).toEqual([
      '13800000001',
      '13800000002',
      '13800000003',
    ]);
    for (const request of sends) {
      expect(request.body).toMatchObject({
        signName: '甲店旗舰店',
        templateParam: { coupon: '满100减20', date: '11月30日' },
      });
    }
    expect(sends.map((request) => (request.body.templateParam as { greeting: string }).greeting).sort()).toEqual(
      ['李雷您好', '王强您好', '韩梅梅您好'].sort(),
    );
    const job = (await owner.get(`/api/v1/jobs/${created.json().id}`)).json();
    expect(job).toMatchObject({ status: 'succeeded', progress: { done: 3, total: 3 } });
    expect(job.result).toMatchObject({ recipients: 3, optedOut: 1, withoutPhone: 2, queued: 3 });

    // The same job again (a worker restarted it), and a replay of its deliveries: nobody gets a second SMS.
    await context.database.pool.query(`update jobs set status = 'queued', checkpoint = null where id = $1`, [
      created.json().id,
    ]);
    await context.jobs.drain();
    await context.database.pool.query(
      `update deliveries set status = 'pending', attempts = 0 where kind = 'sms.campaign_send' and workspace_id = $1`,
      [owner.workspaceId],
    );
    await context.outbox.drain();
    expect(campaignSends()).toHaveLength(3);

    const recipients = await context.database.pool.query<{ customer_id: string; status: string }>(
      `select r.customer_id, r.status from sms_campaign_recipients r where r.workspace_id = $1 and r.status = 'sent'`,
      [owner.workspaceId],
    );
    expect(recipients.rows.map((row) => row.customer_id).sort()).toEqual([...reachable].sort());
    expect(
      await countRows(context, `from audit_log where action = 'sms_campaigns.created' and workspace_id = $1`, [
        owner.workspaceId,
      ]),
    ).toBe(1);
  });

  it('skips a buyer who replied TD, and records delivery reports on the recipient', async () => {
    provider.reset();
    const { owner, smsInbox, segment } = await campaignShop();
    const replied = await sendReply(context, smsInbox.token, '13800000002', '退订');
    expect(replied.statusCode, replied.body).toBe(200);
    const preview = (
      await owner.post('/api/v1/sms/campaigns/preview', { inboxId: smsInbox.id, segmentId: segment.id })
    ).json();
    expect(preview).toEqual({ recipients: 2, optedOut: 2, withoutPhone: 2 });

    await owner.post('/api/v1/sms/campaigns', { inboxId: smsInbox.id, segmentId: segment.id, templateParams: {} });
    await context.jobs.drain();
    await context.outbox.drain();
    const phones = campaignSends().map((request) => (request.body.phoneNumbers as string[])[0]);
    expect(phones.sort()).toEqual(['13800000001', '13800000003']);

    const outId = campaignSends()[0]!.body.outId as string;
    const reported = await postCallback(context, `/public/v1/channels/sms/${smsInbox.token}/reports`, {
      timestamp: now(),
      reports: [{ outId, status: 'delivered' }],
    });
    expect(reported.json()).toEqual({ ok: true, matched: 1 });
    const row = await context.database.pool.query('select status from sms_campaign_recipients where id = $1', [outId]);
    expect(row.rows[0].status).toBe('delivered');
  });

  it('refuses agents and analysts, and checks the inbox, segment and parameters', async () => {
    const { owner, smsInbox, segment, addUser, inbox: websiteInbox } = await campaignShop();
    const body = { inboxId: smsInbox.id, segmentId: segment.id, templateParams: {} };
    for (const member of [await addUser('agent'), await addUser('analyst')]) {
      for (const url of ['/api/v1/sms/campaigns/preview', '/api/v1/sms/campaigns']) {
        const refused = await member.post(url, body);
        expect(refused.statusCode, url).toBe(403);
        expect(refused.json().error.code).toBe('auth.forbidden');
      }
    }
    const supervisor = await addUser('supervisor');
    expect((await supervisor.post('/api/v1/sms/campaigns/preview', body)).statusCode).toBe(200);

    const invalid = [
      [{ ...body, segmentId: undefined }, 400],
      [{ ...body, templateParams: { '1bad': 'x' } }, 400],
      [{ ...body, templateParams: { coupon: 5 } }, 400],
      [{ ...body, extra: true }, 400],
      [{ ...body, inboxId: websiteInbox.id }, 400],
      [{ ...body, inboxId: '019a0000-0000-7000-8000-000000000000' }, 404],
      [{ ...body, segmentId: '019a0000-0000-7000-8000-000000000000' }, 404],
    ] as const;
    for (const [attempt, status] of invalid) {
      const answer = await owner.post('/api/v1/sms/campaigns', attempt);
      expect(answer.statusCode, JSON.stringify(attempt)).toBe(status);
      expect(answer.json().error.message).toEqual(expect.any(String));
    }
    const noMarketing = await owner.post('/api/v1/inboxes', {
      name: '通知短信',
      channelType: 'sms',
      channelConfig: {
        providerUrl: provider.url,
        accessKeyId: 'k',
        accessKeySecret: 's',
        signName: '甲店',
        templates: { notification: 'SMS_1' },
      },
    });
    const refused = await owner.post('/api/v1/sms/campaigns', { ...body, inboxId: noMarketing.json().id });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toContain('营销短信模板');
    expect(await countRows(context, 'from sms_campaigns where workspace_id = $1', [owner.workspaceId])).toBe(0);
    expect(
      await countRows(context, `from jobs where kind = 'sms.campaign' and workspace_id = $1`, [owner.workspaceId]),
    ).toBe(0);
  });

  it('lists past campaigns newest first, with their status and recipients counted by outcome', async () => {
    provider.reset();
    const { owner, smsInbox, segment, addUser } = await campaignShop();
    const empty = await owner.get('/api/v1/sms/campaigns');
    expect(empty.statusCode, empty.body).toBe(200);
    expect(empty.json()).toEqual({ items: [], nextCursor: null });

    const body = { inboxId: smsInbox.id, segmentId: segment.id, templateParams: {} };
    const supervisor = await addUser('supervisor');
    const first = await owner.post('/api/v1/sms/campaigns', body);
    expect(first.statusCode, first.body).toBe(202);
    const queued = (await owner.get('/api/v1/sms/campaigns')).json().items;
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({
      inboxId: smsInbox.id,
      segmentId: segment.id,
      segmentName: '老客户',
      templateCode: 'SMS_MKT_001',
      createdAt: expect.any(String),
      createdBy: { id: owner.userId, name: expect.any(String) },
      status: 'queued',
      counts: { targeted: 6, sent: 0, delivered: 0, failed: 0, optedOut: 1, noPhone: 2 },
    });

    // The job moved the sends to the outbox: still sending until they went out.
    await context.jobs.drain();
    expect((await owner.get('/api/v1/sms/campaigns')).json().items[0].status).toBe('sending');
    // One send is refused for good by the provider; one is reported delivered.
    provider.answerNext({ status: 400, body: { code: 'isv.MOBILE_NUMBER_ILLEGAL', message: '号码无效' } });
    await context.outbox.drain();
    const outIds = campaignSends()
      .filter((request) => request.body.outId)
      .map((request) => request.body.outId as string);
    const reported = await postCallback(context, `/public/v1/channels/sms/${smsInbox.token}/reports`, {
      timestamp: now(),
      reports: [{ outId: outIds.at(-1), status: 'delivered' }],
    });
    expect(reported.json()).toMatchObject({ matched: 1 });
    const done = (await owner.get('/api/v1/sms/campaigns')).json().items[0];
    expect(done.status).toBe('completed');
    expect(done.counts).toEqual({ targeted: 6, sent: 1, delivered: 1, failed: 1, optedOut: 1, noPhone: 2 });

    // Why a send failed is kept as a code next to the Chinese text, so each reader sees it in their own language;
    // a failed delivery report overwrites it with the provider's code and words.
    const failures = () =>
      context.database.pool
        .query(`select error, reason from sms_campaign_recipients where workspace_id = $1 and status = 'failed'`, [
          owner.workspaceId,
        ])
        .then((result) => result.rows);
    expect(await failures()).toEqual([
      { error: '短信网关拒绝了请求（HTTP 400）', reason: { code: 'sms.gateway_refused', params: { status: 400 } } },
    ]);
    await postCallback(context, `/public/v1/channels/sms/${smsInbox.token}/reports`, {
      timestamp: now(),
      reports: [{ outId: outIds.at(-1), status: 'failed', errorCode: 'MK:0001', errorMessage: '用户关机' }],
    });
    expect(await failures()).toHaveLength(2);
    expect(await failures()).toContainEqual({
      error: '号码为空号、停机或关机（MK:0001：用户关机）',
      reason: { code: 'sms.phone_unreachable', params: { providerCode: 'MK:0001', reply: '用户关机' } },
    });

    // A second campaign, by the supervisor, comes first; pages of one hold both, in order.
    const second = await supervisor.post('/api/v1/sms/campaigns', body);
    expect(second.statusCode, second.body).toBe(202);
    const page1 = (await supervisor.get('/api/v1/sms/campaigns?limit=1')).json();
    expect(page1.items).toHaveLength(1);
    expect(page1.items[0]).toMatchObject({ createdBy: { id: supervisor.userId }, status: 'queued' });
    const page2 = (await supervisor.get(`/api/v1/sms/campaigns?limit=1&cursor=${page1.nextCursor}`)).json();
    expect(page2.items.map((item: { id: string }) => item.id)).toEqual([done.id]);
    expect(page2.nextCursor).toBeNull();

    for (const member of [await addUser('agent'), await addUser('analyst')]) {
      const refused = await member.get('/api/v1/sms/campaigns');
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('auth.forbidden');
    }
    for (const query of ['?limit=0', '?limit=abc', '?cursor=bad-cursor', '?status=sent']) {
      const invalid = await owner.get(`/api/v1/sms/campaigns${query}`);
      expect(invalid.statusCode, query).toBe(400);
      expect(invalid.json().error.message).toEqual(expect.any(String));
    }
    // Another workspace sees none of them.
    const other = await createWorkspace(context, '隔壁店');
    expect((await other.owner.get('/api/v1/sms/campaigns')).json().items).toEqual([]);
    await context.jobs.drain();
    await context.outbox.drain();
  });

  it("answers 404 for another workspace's SMS inbox or segment", async () => {
    const a = await campaignShop();
    const b = await campaignShop();
    for (const body of [
      { inboxId: a.smsInbox.id, segmentId: b.segment.id },
      { inboxId: b.smsInbox.id, segmentId: a.segment.id },
    ]) {
      for (const url of ['/api/v1/sms/campaigns/preview', '/api/v1/sms/campaigns']) {
        const answer = await b.owner.post(url, { ...body, templateParams: {} });
        expect(answer.statusCode, url).toBe(404);
      }
    }
    expect(
      await countRows(context, 'from sms_campaign_recipients where workspace_id = $1', [a.owner.workspaceId]),
    ).toBe(0);
  });

  describe('recipients of a campaign (who failed and why)', () => {
    /** A sent campaign: one send refused as an invalid number, one reported 空号 by the carrier, one an unknown code. */
    async function failedCampaign() {
      provider.reset();
      const shop = await campaignShop();
      const body = { inboxId: shop.smsInbox.id, segmentId: shop.segment.id, templateParams: {} };
      expect((await shop.owner.post('/api/v1/sms/campaigns', body)).statusCode).toBe(202);
      await context.jobs.drain();
      provider.answerNext({ status: 200, body: { code: 'isv.MOBILE_NUMBER_ILLEGAL', message: '号码格式错误' } });
      await context.outbox.drain();
      const [, unreachable, odd] = campaignSends().map((request) => request.body.outId as string);
      const reported = await postCallback(context, `/public/v1/channels/sms/${shop.smsInbox.token}/reports`, {
        timestamp: now(),
        reports: [
          { outId: unreachable, status: 'failed', errorCode: 'MK:0001', errorMessage: '空号' },
          { outId: odd, status: 'failed', errorCode: 'ZZ_9' },
        ],
      });
      expect(reported.json()).toMatchObject({ matched: 2 });
      const campaignId = (await shop.owner.get('/api/v1/sms/campaigns')).json().items[0].id as string;
      return { ...shop, campaignId, url: `/api/v1/sms/campaigns/${campaignId}` };
    }

    type Row = { id: string; customer: { name: string }; phone: string | null; status: string; error: string | null };
    const names = (rows: Row[]) => rows.map((row) => row.customer.name).sort();

    it('groups failures by reason and lists each group, with the reason kept as a code', async () => {
      const { owner, url } = await failedCampaign();
      const reasons = await owner.get(`${url}/failure-reasons`);
      expect(reasons.statusCode, reasons.body).toBe(200);
      expect(reasons.json().items).toEqual(
        expect.arrayContaining([
          { key: 'sms.invalid_number', code: 'sms.invalid_number', providerCode: null, count: 1 },
          { key: 'sms.phone_unreachable', code: 'sms.phone_unreachable', providerCode: null, count: 1 },
          { key: 'sms.not_delivered:ZZ_9', code: 'sms.not_delivered', providerCode: 'ZZ_9', count: 1 },
        ]),
      );
      expect(reasons.json().items).toHaveLength(3);

      const failed = await owner.get(`${url}/recipients?status=failed`);
      expect(failed.statusCode, failed.body).toBe(200);
      expect(names(failed.json().items)).toEqual(['李雷', '王强', '韩梅梅'].sort());
      for (const row of failed.json().items) {
        expect(row).toMatchObject({ status: 'failed', phone: expect.stringMatching(/^1380000000[123]$/) });
        expect(row.reason.code).toMatch(/^sms\./);
      }

      const unreachable = (await owner.get(`${url}/recipients?status=failed&reason=sms.phone_unreachable`)).json();
      expect(unreachable.items).toHaveLength(1);
      expect(unreachable.items[0]).toMatchObject({
        error: '号码为空号、停机或关机（MK:0001：空号）',
        reason: { code: 'sms.phone_unreachable', params: { providerCode: 'MK:0001', reply: '空号' } },
        updatedAt: expect.any(String),
      });
      const odd = (await owner.get(`${url}/recipients?reason=${encodeURIComponent('sms.not_delivered:ZZ_9')}`)).json();
      expect(odd.items.map((row: Row) => row.error)).toEqual(['短信未送达（ZZ_9）']);

      const skipped = (await owner.get(`${url}/recipients?status=skipped`)).json().items as Row[];
      expect(names(skipped)).toEqual(['座机', '无手机', '退订客户'].sort());
      expect((await owner.get(`${url}/recipients?status=opted_out`)).json().items).toHaveLength(1);
      expect((await owner.get(`${url}/recipients?status=delivered`)).json()).toEqual({ items: [], nextCursor: null });
      const searched = (await owner.get(`${url}/recipients?q=${encodeURIComponent('韩梅梅')}`)).json().items;
      expect(names(searched)).toEqual(['韩梅梅']);
    });

    it('pages through every recipient once', async () => {
      const { owner, url } = await failedCampaign();
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const answer = await owner.get(`${url}/recipients?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
        expect(answer.statusCode, answer.body).toBe(200);
        const page = answer.json();
        expect(page.items.length).toBeLessThanOrEqual(4);
        seen.push(...page.items.map((row: Row) => row.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(6);
      expect(new Set(seen).size).toBe(6);
    });

    it('masks phones for a role without customers:reveal_pii, as customers do', async () => {
      const { addUser, url } = await failedCampaign();
      const supervisor = await addUser('supervisor');
      const table = permissions as Record<string, readonly string[]>;
      const granted = table['customers:reveal_pii']!;
      // Every built-in role that may send campaigns may also reveal phones; a narrower table must still mask.
      table['customers:reveal_pii'] = ['owner', 'admin'];
      try {
        const rows = (await supervisor.get(`${url}/recipients?status=failed`)).json().items as Row[];
        expect(rows.map((row) => row.phone).sort()).toEqual(['138****0001', '138****0002', '138****0003']);
        // Digits hidden by the mask find nobody; the whole number (what a buyer tells the agent) does.
        expect((await supervisor.get(`${url}/recipients?q=00000`)).json().items).toEqual([]);
        expect(names((await supervisor.get(`${url}/recipients?q=13800000001`)).json().items)).toEqual(['李雷']);
      } finally {
        table['customers:reveal_pii'] = granted;
      }
    });

    it("refuses other roles, another workspace's campaign and bad parameters", async () => {
      const { owner, addUser, url } = await failedCampaign();
      for (const member of [await addUser('agent'), await addUser('analyst')]) {
        for (const path of [`${url}/recipients`, `${url}/failure-reasons`]) {
          const refused = await member.get(path);
          expect(refused.statusCode, path).toBe(403);
          expect(refused.json().error.code).toBe('auth.forbidden');
        }
      }
      const other = await createWorkspace(context, '隔壁店');
      for (const path of [`${url}/recipients`, `${url}/failure-reasons`]) {
        const hidden = await other.owner.get(path);
        expect(hidden.statusCode, path).toBe(404);
        expect(hidden.json().error.code).toBe('sms_campaign.not_found');
      }
      const missing = await owner.get('/api/v1/sms/campaigns/019a0000-0000-7000-8000-000000000000/recipients');
      expect(missing.statusCode).toBe(404);
      for (const query of ['?status=bogus', '?limit=0', '?limit=101', '?cursor=bad-cursor', '?extra=1', '?reason=']) {
        const invalid = await owner.get(`${url}/recipients${query}`);
        expect(invalid.statusCode, query).toBe(400);
        expect(invalid.json().error.message).toEqual(expect.any(String));
      }
      const badId = await owner.get('/api/v1/sms/campaigns/not-a-uuid/recipients');
      expect(badId.statusCode).toBe(400);
    });
  });
});
