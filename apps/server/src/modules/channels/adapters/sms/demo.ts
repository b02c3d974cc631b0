import { sql } from 'drizzle-orm';
import type { Db } from '../../../../db/database.ts';
import { conversations, customerEvents, customerIdentities, jobs, messages } from '../../../../db/schema.ts';
import { newId } from '../../../../platform/ids.ts';
import { SMS_CAMPAIGN_JOB } from './campaigns.ts';

/*
 * Demo data for SMS: last week's campaign to the 已下单 segment (delivered, a few still 已发送, one 用户关机), and
 * three buyers who replied 退订 to it — their replies in the SMS inbox, unsubscribed, on their timelines — so the
 * campaign dialog's preview shows 已退订 and the customer panel shows why.
 */

const CAMPAIGN_PARAMS = { activity: '双12老客回馈', coupon: '满199减30' };
/** The reason of the demo's undelivered sends, as a delivery report gives it (callbacks.ts). */
const DEMO_FAILURE = { code: 'sms.phone_unreachable', params: { providerCode: 'MK:0001', reply: '用户关机' } };

/** Adds the SMS demo to a seeded workspace whose SMS inbox exists (the omnichannel demo makes one). */
export async function seedDemoSms(db: Db, workspaceId: string, ownerId: string) {
  const inbox = await db.execute<{ id: string; template: string | null }>(sql`
    select id, channel_config -> 'templates' ->> 'marketing' as template from inboxes
     where workspace_id = ${workspaceId} and channel_type = 'sms' order by created_at limit 1`);
  const smsInbox = inbox.rows[0];
  if (!smsInbox?.template) return;
  const buyers = await db.execute<{ id: string; phone: string }>(sql`
    select id, phone from customers
     where workspace_id = ${workspaceId} and merged_into_id is null and order_count >= 1
       and phone ~ '^1[3-9][0-9]{9}$' and marketing_opt_out_at is null
     order by id`);
  if (buyers.rows.length < 5) return;
  const sentAt = new Date(Date.now() - 6 * 24 * 3_600_000);
  const campaignId = newId();
  const jobId = newId();
  const unsubscribed = buyers.rows.filter((_, i) => i % 11 === 4).slice(0, 3);

  await db.transaction(async (tx) => {
    await tx.insert(jobs).values({
      id: jobId,
      workspaceId,
      kind: SMS_CAMPAIGN_JOB,
      status: 'succeeded',
      payload: { campaignId },
      progressDone: buyers.rows.length,
      progressTotal: buyers.rows.length,
      result: { campaignId, recipients: buyers.rows.length, optedOut: 0, withoutPhone: 0, queued: buyers.rows.length },
      attempts: 1,
      createdBy: ownerId,
      startedAt: sentAt,
      finishedAt: sentAt,
      createdAt: sentAt,
      updatedAt: sentAt,
    });
    await tx.execute(sql`
      insert into sms_campaigns (id, workspace_id, inbox_id, segment_id, segment_name, template_code, template_params,
                                 job_id, recipients, opted_out, without_phone, created_by, created_at, updated_at)
      select ${campaignId}, ${workspaceId}, ${smsInbox.id}, s.id, '已下单', ${smsInbox.template},
             ${JSON.stringify(CAMPAIGN_PARAMS)}::jsonb, ${jobId}, ${buyers.rows.length}, 0, 0, ${ownerId},
             ${sentAt.toISOString()}, ${sentAt.toISOString()}
        from (select (select id from segments where workspace_id = ${workspaceId} and name = '已下单' limit 1) as id) s`);
    await tx.execute(sql`
      insert into sms_campaign_recipients (id, workspace_id, campaign_id, customer_id, phone, status, error, reason,
                                           sent_at, created_at, updated_at)
      select gen_random_uuid(), ${workspaceId}, ${campaignId}, b.id, b.phone,
             case when b.n % 17 = 5 then 'failed' when b.n % 9 = 2 then 'sent' else 'delivered' end,
             case when b.n % 17 = 5 then '号码为空号、停机或关机（MK:0001：用户关机）' end,
             case when b.n % 17 = 5 then ${JSON.stringify(DEMO_FAILURE)}::jsonb end,
             ${sentAt.toISOString()}::timestamptz, ${sentAt.toISOString()}::timestamptz, now()
        from (select id, phone, row_number() over (order by id) as n
                from unnest(${sql.param(buyers.rows.map((row) => row.id))}::uuid[],
                            ${sql.param(buyers.rows.map((row) => row.phone))}::text[]) as t(id, phone)) b`);

    for (const [i, buyer] of unsubscribed.entries()) {
      const repliedAt = new Date(sentAt.getTime() + (i + 1) * 23 * 60_000);
      const conversationId = newId();
      const content = ['退订', 'TD', '退订，谢谢'][i]!;
      await tx
        .insert(customerIdentities)
        .values({
          id: newId(),
          workspaceId,
          inboxId: smsInbox.id,
          customerId: buyer.id,
          kind: 'source',
          externalId: buyer.phone,
        })
        .onConflictDoNothing();
      await tx.insert(conversations).values({
        id: conversationId,
        workspaceId,
        inboxId: smsInbox.id,
        customerId: buyer.id,
        status: 'resolved',
        resolvedAt: repliedAt,
        lastMessageAt: repliedAt,
        lastMessagePreview: content,
        createdAt: repliedAt,
        updatedAt: repliedAt,
      });
      await tx.insert(messages).values({
        id: newId(),
        workspaceId,
        conversationId,
        direction: 'inbound',
        senderKind: 'customer',
        content,
        clientMsgId: `sms:demo-td-${i}`,
        externalId: `sms:demo-td-${i}`,
        channelMeta: { msgType: 'sms', optOut: true },
        createdAt: repliedAt,
      });
      await tx.execute(sql`
        update customers set marketing_opt_out_at = ${repliedAt.toISOString()}::timestamptz
         where workspace_id = ${workspaceId} and id = ${buyer.id}`);
      await tx.insert(customerEvents).values({
        id: newId(),
        workspaceId,
        customerId: buyer.id,
        kind: 'marketing_opted_out',
        actorId: null,
        details: { channel: 'sms', inboxId: smsInbox.id, inboxName: '订单短信' },
        createdAt: repliedAt,
      });
    }
  });
}
