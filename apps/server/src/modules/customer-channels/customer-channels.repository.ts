import { and, desc, eq, getTableColumns, lt, sql } from 'drizzle-orm';
import { conversations, customerIdentities, customers, inboxes, messages, users } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import { contactMatchArms } from '../customers/index.ts';

/*
 * SQL of "one customer, every channel": reads across the customer's identities, conversations and messages, always
 * scoped by workspace and customer.
 */

export const findLiveCustomer = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select({
        id: customers.id,
        name: customers.name,
        phone: customers.phone,
        phones: customers.phones,
        email: customers.email,
        emails: customers.emails,
        mergedIntoId: customers.mergedIntoId,
      })
      .from(customers)
      .where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, id)))
  )[0];

/** Inboxes with their stored channel config (secrets still encrypted: read for what the inbox can do, never returned). */
const inboxColumns = {
  id: inboxes.id,
  name: inboxes.name,
  channelType: inboxes.channelType,
  channelConfig: inboxes.channelConfig,
};

export const listInboxes = (db: Executor, workspaceId: string) =>
  db.select(inboxColumns).from(inboxes).where(eq(inboxes.workspaceId, workspaceId)).orderBy(inboxes.createdAt);

export const findInbox = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select(inboxColumns)
      .from(inboxes)
      .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.id, id)))
  )[0];

/** The customer's identities that belong to an inbox, newest first. */
export const listInboxIdentities = (db: Executor, workspaceId: string, customerId: string) =>
  db
    .select({
      inboxId: customerIdentities.inboxId,
      kind: customerIdentities.kind,
      externalId: customerIdentities.externalId,
    })
    .from(customerIdentities)
    .where(
      and(
        eq(customerIdentities.workspaceId, workspaceId),
        eq(customerIdentities.customerId, customerId),
        sql`${customerIdentities.inboxId} is not null`,
      ),
    )
    .orderBy(desc(customerIdentities.createdAt));

/** Per inbox: the customer's latest conversation (an unresolved one first) and their last activity there. */
export async function conversationsByInbox(db: Executor, workspaceId: string, customerId: string) {
  const result = await db.execute<{ inbox_id: string; id: string; last_at: string }>(sql`
    select distinct on (inbox_id) inbox_id, id,
           max(last_message_at) over (partition by inbox_id) as last_at
      from conversations
     where workspace_id = ${workspaceId} and customer_id = ${customerId}
     order by inbox_id, (status <> 'resolved') desc, id desc`);
  return result.rows;
}

/** The inbox of the customer's latest inbound message. */
export async function lastInboundInbox(db: Executor, workspaceId: string, customerId: string) {
  const result = await db.execute<{ inbox_id: string }>(sql`
    select c.inbox_id
      from conversations c
      cross join lateral (
        select m.id from messages m
         where m.workspace_id = c.workspace_id and m.conversation_id = c.id and m.direction = 'inbound'
         order by m.id desc limit 1) last
     where c.workspace_id = ${workspaceId} and c.customer_id = ${customerId}
     order by last.id desc
     limit 1`);
  return result.rows[0]?.inbox_id ?? null;
}

/** Public messages of all the customer's conversations, newest first, keyset on id (UUIDv7 is time-ordered). */
export const listHistory = (
  db: Executor,
  workspaceId: string,
  customerId: string,
  before: string | undefined,
  limit: number,
) =>
  db
    .select({
      ...getTableColumns(messages),
      senderName: users.name,
      inboxId: inboxes.id,
      inboxName: inboxes.name,
      channelType: inboxes.channelType,
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .leftJoin(users, eq(users.id, messages.senderId))
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(conversations.workspaceId, workspaceId),
        eq(conversations.customerId, customerId),
        eq(messages.private, false),
        before ? lt(messages.id, before) : undefined,
      ),
    )
    .orderBy(desc(messages.id))
    .limit(limit);

/**
 * The owner of an address in an inbox (an SMS phone, an email address), making it this customer's identity when the
 * inbox does not know it yet. Inside the caller's transaction; answers who owns it now.
 */
export async function claimInboxAddress(
  db: Executor,
  input: { workspaceId: string; inboxId: string; customerId: string; externalId: string },
) {
  await db.execute(
    sql`select pg_advisory_xact_lock(hashtext(${`identity:${input.inboxId}:source:${input.externalId}`}))`,
  );
  await db.execute(sql`
    insert into customer_identities (id, workspace_id, inbox_id, customer_id, kind, external_id)
    values (gen_random_uuid(), ${input.workspaceId}, ${input.inboxId}, ${input.customerId}, 'source', ${input.externalId})
    on conflict do nothing`);
  const result = await db.execute<{ customer_id: string }>(sql`
    select customer_id from customer_identities
     where workspace_id = ${input.workspaceId} and inbox_id = ${input.inboxId} and kind = 'source'
       and external_id = ${input.externalId}`);
  return result.rows[0]!.customer_id;
}

/**
 * Who else owns one of these addresses (a phone, a lower-case email address) as their identity in these inboxes: the
 * addresses the customer could not be reached at there. Through the identities' unique key.
 */
export async function addressOwners(
  db: Executor,
  workspaceId: string,
  customerId: string,
  inboxIds: string[],
  addresses: string[],
) {
  if (inboxIds.length === 0 || addresses.length === 0) return [];
  const result = await db.execute<{ inbox_id: string; external_id: string; customer_id: string; name: string | null }>(
    sql`
    select i.inbox_id, i.external_id, i.customer_id, c.name
      from customer_identities i
      join customers c on c.workspace_id = i.workspace_id and c.id = i.customer_id
     where i.workspace_id = ${workspaceId} and i.kind = 'source'
       and i.inbox_id = any(${sql.param(inboxIds)}::uuid[])
       and i.external_id = any(${sql.param(addresses)}::text[])
       and i.customer_id <> ${customerId}`,
  );
  return result.rows;
}

/**
 * Other live customers with one of these phones or emails, on their profile or as a channel identity: the newest
 * `limit`. Each column is its own index lookup of at most `limit` rows (contactMatchArms); an OR across them scanned
 * every customer of the workspace (0.6–8 s at 1M).
 */
export async function findSharingCustomers(
  db: Executor,
  workspaceId: string,
  customerId: string,
  phones: string[],
  emails: string[],
  limit: number,
) {
  const arms = contactMatchArms(workspaceId, { phones, emails }, { except: customerId, limit });
  const result = await db.execute<{ id: string; name: string | null; same_phone: boolean; same_email: boolean }>(sql`
    with matched as (
      ${sql.join(arms, sql` union all `)}
      union all
      -- Channel identities that are addresses: phone/email ones of no inbox, and the source ids of SMS and email
      -- inboxes (phones, lower-case addresses); both through the identities' unique keys.
      -- At most two rows a customer (a phone and an email), so twice the limit holds the newest limit customers.
      (select i.customer_id, case when i.external_id = any(${sql.param(phones)}::text[]) then 'phone' else 'email' end
         from customer_identities i
         join customers owner on owner.workspace_id = i.workspace_id and owner.id = i.customer_id
        where i.workspace_id = ${workspaceId} and i.customer_id <> ${customerId} and owner.merged_into_id is null
          and i.external_id = any(${sql.param([...phones, ...emails])}::text[])
          and ((i.inbox_id is null and i.kind in ('phone', 'email'))
               or (i.kind = 'source' and i.inbox_id in (
                     select id from inboxes where workspace_id = ${workspaceId} and channel_type in ('sms', 'email'))))
        group by 1, 2
        order by 1 desc
        limit ${limit * 2})
    )
    select c.id, c.name, bool_or(m.reason = 'phone') as same_phone, bool_or(m.reason = 'email') as same_email
      from matched m join customers c on c.workspace_id = ${workspaceId} and c.id = m.id
     where c.merged_into_id is null and c.id <> ${customerId}
     group by c.id, c.name
     order by c.id desc
     limit ${limit}`);
  return result.rows;
}
