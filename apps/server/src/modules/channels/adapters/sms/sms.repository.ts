import { and, eq, type SQL, sql } from 'drizzle-orm';
import { smsCampaignRecipients, smsCampaigns } from '../../../../db/schema.ts';
import type { Executor } from '../../../../platform/db-helpers.ts';
import type { DeliveryFailure } from '../../../../platform/outbox.ts';

/*
 * SQL of the SMS channel: linking a replying phone to its customer, unsubscribing, campaigns and their recipients.
 */

/** A stored mainland mobile (customers' phones are stored normalised: 11 digits). */
const MOBILE_PATTERN = '^1[3-9][0-9]{9}$';

/**
 * A phone that texts the inbox is vouched for by the carrier: when the inbox does not know it yet and exactly one
 * live customer has it, the phone becomes that customer's identity in the inbox (so the reply joins their history).
 */
export async function linkPhoneToCustomer(db: Executor, workspaceId: string, inboxId: string, phone: string) {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`identity:${inboxId}:source:${phone}`}))`);
  const known = await db.execute(sql`
    select 1 from customer_identities
     where workspace_id = ${workspaceId} and inbox_id = ${inboxId} and kind = 'source' and external_id = ${phone}`);
  if (known.rows.length > 0) return;
  const owners = await db.execute<{ id: string }>(sql`
    select id from customers
     where workspace_id = ${workspaceId} and merged_into_id is null and (phone = ${phone} or ${phone} = any(phones))
     limit 2`);
  if (owners.rows.length !== 1) return;
  await db.execute(sql`
    insert into customer_identities (id, workspace_id, inbox_id, customer_id, kind, external_id)
    values (gen_random_uuid(), ${workspaceId}, ${inboxId}, ${owners.rows[0]!.id}, 'source', ${phone})
    on conflict do nothing`);
}

export async function customerOfMessage(db: Executor, workspaceId: string, messageId: string) {
  const result = await db.execute<{ customer_id: string }>(sql`
    select c.customer_id from messages m join conversations c on c.id = m.conversation_id
     where m.workspace_id = ${workspaceId} and m.id = ${messageId} and c.workspace_id = ${workspaceId}`);
  return result.rows[0]?.customer_id;
}

/** Marks the customer, and every live customer with this phone, unsubscribed; answers those that changed. */
export async function optOutByPhone(db: Executor, workspaceId: string, customerId: string, phone: string) {
  const result = await db.execute<{ id: string }>(sql`
    update customers set marketing_opt_out_at = now(), updated_at = now()
     where workspace_id = ${workspaceId} and merged_into_id is null and marketing_opt_out_at is null
       and (id = ${customerId} or phone = ${phone} or ${phone} = any(phones))
    returning id`);
  return result.rows.map((row) => row.id);
}

// Campaigns ------------------------------------------------------------------------------------------------------

/** Exact counts of what a campaign to the customers matching `where` would do now. */
export async function countAudience(db: Executor, where: SQL) {
  const result = await db.execute<{ recipients: number; opted_out: number; without_phone: number }>(sql`
    select count(*) filter (where marketing_opt_out_at is null and phone ~ ${MOBILE_PATTERN})::int as recipients,
           count(*) filter (where marketing_opt_out_at is not null)::int as opted_out,
           count(*) filter (where marketing_opt_out_at is null and (phone is null or phone !~ ${MOBILE_PATTERN}))::int
             as without_phone
      from customers where ${where}`);
  const row = result.rows[0]!;
  return { recipients: row.recipients, optedOut: row.opted_out, withoutPhone: row.without_phone };
}

export const insertCampaign = (db: Executor, row: typeof smsCampaigns.$inferInsert) =>
  db.insert(smsCampaigns).values(row);

export const setCampaignCounts = (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: { jobId?: string; recipients: number; optedOut: number; withoutPhone: number },
) =>
  db
    .update(smsCampaigns)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(smsCampaigns.workspaceId, workspaceId), eq(smsCampaigns.id, id)));

/** Freezes a campaign's audience, one row per customer, each classified (pending, opted_out, no_phone). */
export async function snapshotRecipients(db: Executor, workspaceId: string, campaignId: string, where: SQL) {
  const result = await db.execute<{ status: string; count: number }>(sql`
    with inserted as (
      insert into sms_campaign_recipients (id, workspace_id, campaign_id, customer_id, phone, status)
      select gen_random_uuid(), ${workspaceId}, ${campaignId}, id, phone,
             case when marketing_opt_out_at is not null then 'opted_out'
                  when phone ~ ${MOBILE_PATTERN} then 'pending'
                  else 'no_phone' end
        from customers where ${where}
      on conflict do nothing
      returning status)
    select status, count(*)::int as count from inserted group by status`);
  const count = (status: string) => result.rows.find((row) => row.status === status)?.count ?? 0;
  return { recipients: count('pending'), optedOut: count('opted_out'), withoutPhone: count('no_phone') };
}

export const findCampaign = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(smsCampaigns)
      .where(and(eq(smsCampaigns.workspaceId, workspaceId), eq(smsCampaigns.id, id)))
  )[0];

/**
 * Takes the next pending recipients of a campaign and marks them queued (the caller queues their sends in the same
 * transaction): a recipient leaves 'pending' once, so a job run twice queues nobody twice.
 */
export async function takePending(db: Executor, workspaceId: string, campaignId: string, limit: number) {
  const result = await db.execute<{ id: string }>(sql`
    update sms_campaign_recipients set status = 'queued', updated_at = now()
     where id in (
       select id from sms_campaign_recipients
        where workspace_id = ${workspaceId} and campaign_id = ${campaignId} and status = 'pending'
        order by id limit ${limit}
        for update skip locked)
    returning id`);
  return result.rows.map((row) => row.id);
}

export async function countByStatus(db: Executor, workspaceId: string, campaignId: string) {
  const result = await db.execute<{ status: string; count: number }>(sql`
    select status, count(*)::int as count from sms_campaign_recipients
     where workspace_id = ${workspaceId} and campaign_id = ${campaignId} group by status`);
  return Object.fromEntries(result.rows.map((row) => [row.status, row.count])) as Record<string, number>;
}

/** A queued recipient with what its send needs (customer still unsubscribed-or-not, campaign template, inbox). */
export async function recipientForSend(db: Executor, workspaceId: string, id: string) {
  const result = await db.execute<{
    id: string;
    status: string;
    phone: string | null;
    name: string | null;
    opted_out: boolean;
    inbox_id: string;
    template_code: string;
    template_params: Record<string, string>;
  }>(sql`
    select r.id, r.status, r.phone, cu.name, cu.marketing_opt_out_at is not null as opted_out, c.inbox_id, c.template_code,
           c.template_params
      from sms_campaign_recipients r
      join sms_campaigns c on c.id = r.campaign_id
      join customers cu on cu.id = r.customer_id
     where r.workspace_id = ${workspaceId} and r.id = ${id}`);
  return result.rows[0];
}

export const setRecipient = (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Pick<Partial<typeof smsCampaignRecipients.$inferInsert>, 'status' | 'error' | 'reason' | 'sentAt'>,
) =>
  db
    .update(smsCampaignRecipients)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(smsCampaignRecipients.workspaceId, workspaceId), eq(smsCampaignRecipients.id, id)));

/** A delivery report for a campaign send (outId = recipient id) of this inbox; answers whether one matched. */
export async function reportRecipient(
  db: Executor,
  workspaceId: string,
  inboxId: string,
  id: string,
  report: { status: 'delivered' | 'failed'; failure: DeliveryFailure | null },
) {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return false;
  const { failure } = report;
  const result = await db.execute(sql`
    update sms_campaign_recipients r
       set status = ${report.status}, error = ${failure?.error ?? null},
           reason = ${failure ? JSON.stringify(failure.reason) : null}::jsonb, updated_at = now()
      from sms_campaigns c
     where r.workspace_id = ${workspaceId} and r.id = ${id} and c.id = r.campaign_id and c.inbox_id = ${inboxId}
       and r.status in ('queued', 'sent', 'delivered', 'failed')`);
  return (result.rowCount ?? 0) > 0;
}

export type CampaignListRow = {
  id: string;
  inbox_id: string;
  segment_id: string | null;
  segment_name: string;
  template_code: string;
  created_at: Date | string;
  created_by: string | null;
  created_by_name: string | null;
  job_status: 'queued' | 'running' | 'succeeded' | 'failed' | null;
  targeted: number;
  waiting: number;
  sent: number;
  delivered: number;
  failed: number;
  opted_out: number;
  no_phone: number;
};

/** A page of the workspace's campaigns, newest first (ids are time-ordered), each with its recipients by status. */
export async function listCampaigns(db: Executor, workspaceId: string, before: string | undefined, limit: number) {
  const result = await db.execute<CampaignListRow>(sql`
    select c.id, c.inbox_id, c.segment_id, c.segment_name, c.template_code, c.created_at, c.created_by,
           u.name as created_by_name, j.status as job_status,
           r.targeted, r.waiting, r.sent, r.delivered, r.failed, r.opted_out, r.no_phone
      from sms_campaigns c
      left join users u on u.id = c.created_by and u.workspace_id = c.workspace_id
      left join jobs j on j.id = c.job_id and j.workspace_id = c.workspace_id
      cross join lateral (
        select count(*)::int as targeted,
               count(*) filter (where status in ('pending', 'queued'))::int as waiting,
               count(*) filter (where status = 'sent')::int as sent,
               count(*) filter (where status = 'delivered')::int as delivered,
               count(*) filter (where status = 'failed')::int as failed,
               count(*) filter (where status = 'opted_out')::int as opted_out,
               count(*) filter (where status = 'no_phone')::int as no_phone
          from sms_campaign_recipients
         where workspace_id = c.workspace_id and campaign_id = c.id) r
     where c.workspace_id = ${workspaceId} ${before ? sql`and c.id < ${before}` : sql``}
     order by c.id desc
     limit ${limit}`);
  return result.rows;
}

/**
 * A failed recipient's group in the failure summary: its reason code, with the provider's own code for the
 * catch-all ones (what else tells 空号 from 关机 there), or 'unknown' for rows stored before reasons had codes.
 */
const FAILURE_KEY = sql`case
  when r.reason is null then 'unknown'
  when r.reason->>'code' in ('sms.not_delivered', 'sms.provider_failed')
    then concat(r.reason->>'code', ':', r.reason->'params'->>'providerCode')
  else r.reason->>'code' end`;

export type RecipientRow = {
  id: string;
  customer_id: string;
  customer_name: string | null;
  customer_nickname: string | null;
  phone: string | null;
  status: (typeof smsCampaignRecipients.$inferSelect)['status'];
  reason: { code: string; params: Record<string, string | number> } | null;
  error: string | null;
  sent_at: Date | string | null;
  updated_at: Date | string;
};

/** A page of a campaign's recipients in id order, narrowed by statuses, failure group and a WHERE over customers. */
export async function listRecipients(
  db: Executor,
  workspaceId: string,
  campaignId: string,
  filter: { statuses?: readonly string[]; failureKey?: string; customerMatch?: SQL; after?: string; limit: number },
) {
  const conditions = [
    sql`r.workspace_id = ${workspaceId}`,
    sql`r.campaign_id = ${campaignId}`,
    filter.statuses
      ? sql`r.status in (${sql.join(
          filter.statuses.map((status) => sql`${status}`),
          sql`, `,
        )})`
      : undefined,
    filter.failureKey ? sql`r.status = 'failed' and ${FAILURE_KEY} = ${filter.failureKey}` : undefined,
    filter.customerMatch,
    filter.after ? sql`r.id > ${filter.after}` : undefined,
  ].filter((condition): condition is SQL => condition !== undefined);
  // `customers` unaliased: the customer search's conditions name its columns by the table.
  const result = await db.execute<RecipientRow>(sql`
    select r.id, r.customer_id, customers.name as customer_name, customers.nickname as customer_nickname, r.phone,
           r.status, r.reason, r.error, r.sent_at, r.updated_at
      from sms_campaign_recipients r
      join customers on customers.id = r.customer_id and customers.workspace_id = r.workspace_id
     where ${sql.join(conditions, sql` and `)}
     order by r.id
     limit ${filter.limit}`);
  return result.rows;
}

/** A campaign's failed recipients counted by FAILURE_KEY, most first. */
export async function countFailureReasons(db: Executor, workspaceId: string, campaignId: string) {
  const result = await db.execute<{ key: string; count: number }>(sql`
    select ${FAILURE_KEY} as key, count(*)::int as count
      from sms_campaign_recipients r
     where r.workspace_id = ${workspaceId} and r.campaign_id = ${campaignId} and r.status = 'failed'
     group by 1
     order by count desc, key`);
  return result.rows;
}
