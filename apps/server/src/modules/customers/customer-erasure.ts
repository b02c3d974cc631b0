import type { AnonymizeCustomerResult } from '@huike/contracts';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { type EventBus, publishingTransaction } from '../../platform/events.ts';
import { newId } from '../../platform/ids.ts';
import * as repo from './customers.repository.ts';
import type { AuditRecorder } from './customers.service.ts';

/** What replaces erased message and ticket texts: the rows stay, so counts and reports stay right. */
export const ERASED_MARKER = '［内容已按客户注销请求删除］';

/** Timeline detail keys that can carry a person's data (other names, contacts, quoted texts). */
const PERSONAL_DETAIL_KEYS = [
  'otherName',
  'name',
  'nickname',
  'phone',
  'phones',
  'email',
  'emails',
  'content',
  'preview',
  'subject',
  'notes',
  'address',
  'buyerId',
];

const ANONYMIZED_EVENT = 'anonymized';

type ErasureDeps = { db: Db; audit: AuditRecorder; events?: EventBus };

const uuids = (values: string[]) => sql`${sql.param(values)}::uuid[]`;

const rowsOf = async <T>(executor: Executor, query: ReturnType<typeof sql>) =>
  (await executor.execute(query)).rows as T[];

/** The customer and every record merged into it (directly or through others): they hold its old profiles. */
const customerAndMergedIds = async (executor: Executor, workspaceId: string, id: string) =>
  (
    await rowsOf<{ id: string }>(
      executor,
      sql`
      with recursive family(id) as (
        select ${id}::uuid
        union
        select c.id from customers c join family f on c.merged_into_id = f.id where c.workspace_id = ${workspaceId}
      )
      select id from family`,
    )
  ).map((row) => row.id);

async function anonymizedAt(executor: Executor, workspaceId: string, id: string) {
  const [row] = await rowsOf<{ created_at: Date | string }>(
    executor,
    sql`select created_at from customer_events
         where workspace_id = ${workspaceId} and customer_id = ${id} and kind = ${ANONYMIZED_EVENT}
         order by created_at limit 1`,
  );
  return row ? new Date(row.created_at) : null;
}

/** Profile, identities and merge-undo snapshots of these customers. */
async function eraseProfiles(executor: Executor, workspaceId: string, ids: string[], name: (id: string) => string) {
  for (const id of ids) {
    await repo.updateCustomer(executor, workspaceId, id, {
      name: name(id),
      nickname: null,
      phone: null,
      phones: [],
      email: null,
      emails: [],
      gender: 'unknown',
      birthday: null,
      region: null,
      notes: '',
      customFields: {},
      idCardEnc: null,
      bankCardEnc: null,
      unverifiedContacts: [],
      profileUpdatedAt: new Date(),
    });
  }
  const identities = await rowsOf<{ id: string }>(
    executor,
    sql`delete from customer_identities where workspace_id = ${workspaceId} and customer_id = any(${uuids(ids)})
        returning id`,
  );
  // The snapshots hold the profiles from before each merge: erased, such a merge can no longer be undone.
  await executor.execute(sql`
    update customer_merges set snapshot = '{"erased": true}'::jsonb, updated_at = now()
     where workspace_id = ${workspaceId} and (survivor_id = any(${uuids(ids)}) or merged_id = any(${uuids(ids)}))`);
  // Field names stay (what was edited, when, by whom); the values and quoted names go.
  await executor.execute(sql`
    update customer_events set details = case
        when kind = 'profile_updated' then jsonb_build_object('changes', (
          select coalesce(jsonb_agg(jsonb_build_object('field', c->'field', 'from', null, 'to', null)), '[]'::jsonb)
            from jsonb_array_elements(coalesce(details->'changes', '[]'::jsonb)) c))
        else details - ${sql.param(PERSONAL_DETAIL_KEYS)}::text[] end
     where workspace_id = ${workspaceId} and customer_id = any(${uuids(ids)})`);
  await executor.execute(sql`
    update sms_campaign_recipients set phone = null
     where workspace_id = ${workspaceId} and customer_id = any(${uuids(ids)})`);
  await executor.execute(sql`
    update survey_responses set comment = null
     where workspace_id = ${workspaceId} and customer_id = any(${uuids(ids)}) and comment is not null`);
  return identities.length;
}

/** Message texts and attachments of the customers' conversations; the rows stay for reports. */
async function eraseConversations(executor: Executor, workspaceId: string, ids: string[]) {
  const conversations = await rowsOf<{ id: string }>(
    executor,
    sql`update conversations set last_message_preview = ${ERASED_MARKER}, subject = null, updated_at = now()
         where workspace_id = ${workspaceId} and customer_id = any(${uuids(ids)}) returning id`,
  );
  const conversationIds = conversations.map((row) => row.id);
  if (conversationIds.length === 0) return { conversations: 0, messages: 0 };
  await deleteFilesOf(
    executor,
    workspaceId,
    sql`select a->>'fileId' from messages m, jsonb_array_elements(m.attachments) a
         where m.workspace_id = ${workspaceId} and m.conversation_id = any(${uuids(conversationIds)})
           and m.direction = 'inbound'`,
  );
  const messages = await rowsOf<{ id: string }>(
    executor,
    sql`update messages set content = ${ERASED_MARKER}, attachments = '[]'::jsonb, channel_meta = null
         where workspace_id = ${workspaceId} and conversation_id = any(${uuids(conversationIds)}) returning id`,
  );
  return { conversations: conversationIds.length, messages: messages.length };
}

/** Ticket subjects, descriptions and comments of the customers' tickets (they quote the buyer). */
async function eraseTickets(executor: Executor, workspaceId: string, ids: string[]) {
  const tickets = await rowsOf<{ id: string }>(
    executor,
    sql`update tickets set subject = ${ERASED_MARKER}, description = '', updated_at = now()
         where workspace_id = ${workspaceId} and customer_id = any(${uuids(ids)}) returning id`,
  );
  const ticketIds = tickets.map((row) => row.id);
  if (ticketIds.length === 0) return 0;
  await deleteFilesOf(
    executor,
    workspaceId,
    sql`select a->>'fileId' from ticket_events e, jsonb_array_elements(e.attachments) a
         where e.workspace_id = ${workspaceId} and e.ticket_id = any(${uuids(ticketIds)})`,
  );
  await executor.execute(sql`
    update ticket_events set body = case when body is null then null else ${ERASED_MARKER} end,
           attachments = '[]'::jsonb
     where workspace_id = ${workspaceId} and ticket_id = any(${uuids(ticketIds)})`);
  return ticketIds.length;
}

/** Deletes the stored files (and their chunks) a query lists, except those a reply template still sends. */
async function deleteFilesOf(executor: Executor, workspaceId: string, fileIds: ReturnType<typeof sql>) {
  await executor.execute(sql`
    delete from files f
     where f.workspace_id = ${workspaceId} and f.id::text in (${fileIds})
       and not exists (
         select 1 from templates t, jsonb_array_elements(t.attachments) a
          where t.workspace_id = ${workspaceId} and a->>'fileId' = f.id::text)`);
}

/** Orders stay (the shop's accounting); the buyer id and the platform's raw payload (receiver, address) go. */
const eraseOrderPersonalData = async (executor: Executor, workspaceId: string, ids: string[]) =>
  (
    await rowsOf<{ id: string }>(
      executor,
      sql`update orders set buyer_id = null, raw = null, updated_at = now()
           where workspace_id = ${workspaceId} and customer_id = any(${uuids(ids)}) returning id`,
    )
  ).length;

/**
 * Erases a customer's personal data on the buyer's request (PIPL art. 47), in one transaction, irreversibly:
 * see docs/PERMISSIONS.md `customers:erase`. A second request changes nothing and answers `alreadyAnonymized`.
 */
export async function anonymizeCustomer(
  { db, audit, events }: ErasureDeps,
  actor: Actor,
  id: string,
  reason: string,
): Promise<AnonymizeCustomerResult> {
  assertCan(actor, 'customers:erase');
  const { workspaceId } = actor;
  return publishingTransaction(db, events, async (tx, emit) => {
    const [row] = await repo.lockCustomers(tx, workspaceId, [id]);
    if (!row) throw new AppError('customer.not_found', '客户不存在');
    if (row.mergedIntoId) {
      throw new AppError('customer.not_found', '客户已被合并到另一位客户', { mergedInto: row.mergedIntoId });
    }
    const before = await anonymizedAt(tx, workspaceId, id);
    if (before)
      return { customerId: id, name: row.name ?? '', anonymizedAt: before.toISOString(), alreadyAnonymized: true };

    const name = (customerId: string) => `已注销客户 ${customerId.replace(/-/g, '').slice(-4)}`;
    const ids = await customerAndMergedIds(tx, workspaceId, id);
    const identities = await eraseProfiles(tx, workspaceId, ids, name);
    const { conversations, messages } = await eraseConversations(tx, workspaceId, ids);
    const tickets = await eraseTickets(tx, workspaceId, ids);
    const orders = await eraseOrderPersonalData(tx, workspaceId, ids);
    const counts = { identities, conversations, messages, tickets, orders, mergedRecords: ids.length - 1 };
    await repo.insertEvents(tx, [
      { id: newId(), workspaceId, customerId: id, kind: ANONYMIZED_EVENT, actorId: actor.userId, details: {} },
    ]);
    await audit.record(tx, {
      workspaceId,
      actorId: actor.userId,
      action: 'customers.anonymized',
      targetType: 'customer',
      targetId: id,
      details: { reason, ...counts },
    });
    await emit({
      type: 'customer.updated',
      workspaceId,
      performedBy: actor.userId,
      customerId: id,
      fields: ['name', 'nickname', 'phone', 'phones', 'email', 'emails', 'idCard', 'bankCard', 'customFields'],
    });
    const at = (await anonymizedAt(tx, workspaceId, id))!;
    return { customerId: id, name: name(id), anonymizedAt: at.toISOString(), alreadyAnonymized: false };
  });
}
