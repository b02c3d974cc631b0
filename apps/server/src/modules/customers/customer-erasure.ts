import {
  type AnonymizeCustomerResult,
  erasureKeptItems,
  type ImportCellError,
  importIssueText,
} from '@huike/contracts';
import { type SQL, sql } from 'drizzle-orm';
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

/** What replaces an erased value quoted in an import's rejection reason. */
const ERASED_VALUE = '［已删除］';

/** Import issue params that name the column or the rule, not a cell's content: kept. */
const IMPORT_RULE_PARAMS = new Set(['field', 'label', 'options', 'min', 'max', 'count']);

/** reporting_events.extra keys the writers store (reason codes, severity, category): anything else is dropped. */
const REPORTING_EXTRA_KEYS = ['reason', 'reasons', 'severity', 'category'];

const ANONYMIZED_EVENT = 'anonymized';

type ErasureDeps = { db: Db; audit: AuditRecorder; events?: EventBus };

const uuids = (values: string[]) => sql`${sql.param(values)}::uuid[]`;
const texts = (values: string[]) => sql`${sql.param(values)}::text[]`;

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
  if (conversationIds.length === 0) return { conversationIds, messages: 0 };
  await deleteFilesOf(
    executor,
    workspaceId,
    sql`select a->>'fileId' from messages m, jsonb_array_elements(m.attachments) a
         where m.workspace_id = ${workspaceId} and m.conversation_id = any(${uuids(conversationIds)})
           and m.direction = 'inbound'`,
  );
  const messages = await rowsOf<{ id: string }>(
    executor,
    // A channel's failure text can quote the address (a bounce names the mailbox); its reason code stays.
    sql`update messages set content = ${ERASED_MARKER}, attachments = '[]'::jsonb, channel_meta = null,
                            delivery_error = null
         where workspace_id = ${workspaceId} and conversation_id = any(${uuids(conversationIds)}) returning id`,
  );
  return { conversationIds, messages: messages.length };
}

/** Ticket subjects, descriptions, comments and the subjects quoted by their edit history (they quote the buyer). */
async function eraseTickets(executor: Executor, workspaceId: string, ids: string[]) {
  const tickets = await rowsOf<{ id: string }>(
    executor,
    sql`update tickets set subject = ${ERASED_MARKER}, description = '', updated_at = now()
         where workspace_id = ${workspaceId} and customer_id = any(${uuids(ids)}) returning id`,
  );
  const ticketIds = tickets.map((row) => row.id);
  if (ticketIds.length === 0) return ticketIds;
  await deleteFilesOf(
    executor,
    workspaceId,
    sql`select a->>'fileId' from ticket_events e, jsonb_array_elements(e.attachments) a
         where e.workspace_id = ${workspaceId} and e.ticket_id = any(${uuids(ticketIds)})`,
  );
  await executor.execute(sql`
    update ticket_events set body = case when body is null then null else ${ERASED_MARKER} end,
           attachments = '[]'::jsonb,
           data = case
             when kind = 'field_changed' and data->>'field' in ('subject', 'description')
               then data || '{"from": null, "to": null}'::jsonb
             else data - ${sql.param(PERSONAL_DETAIL_KEYS)}::text[] end
     where workspace_id = ${workspaceId} and ticket_id = any(${uuids(ticketIds)})`);
  return ticketIds;
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

/** The customers' phones (digits only) and emails (lower-cased), read before they are erased. */
type ContactKeys = { phones: string[]; emails: string[] };

async function contactKeysOf(executor: Executor, workspaceId: string, ids: string[]): Promise<ContactKeys> {
  const values = await rowsOf<{ value: string }>(
    executor,
    sql`select unnest(array_remove(phones || phone || emails || email, null)) as value
          from customers where workspace_id = ${workspaceId} and id = any(${uuids(ids)})
        union
        select external_id from customer_identities
         where workspace_id = ${workspaceId} and customer_id = any(${uuids(ids)}) and kind in ('phone', 'email')`,
  );
  const plain = values.map((row) => row.value.normalize('NFKC').trim().toLowerCase());
  return {
    // Shorter digit runs would match unrelated numbers (amounts, dates).
    phones: [...new Set(plain.filter((v) => !v.includes('@')).map((v) => v.replace(/\D/g, '')))].filter(
      (digits) => digits.length >= 7,
    ),
    emails: [...new Set(plain.filter((v) => v.includes('@')))],
  };
}

/** Whether a text quotes one of the contacts: its digits contain a phone's digits, or it contains an email. */
const quotesContact = (keys: ContactKeys, text: SQL) => sql`(
  exists (select 1 from unnest(${texts(keys.phones)}) p
           where strpos(regexp_replace(normalize(${text}, NFKC), '[^0-9]', '', 'g'), p) > 0)
  or exists (select 1 from unnest(${texts(keys.emails)}) e where strpos(lower(normalize(${text}, NFKC)), e) > 0))`;

const quotesContactInJs = (keys: ContactKeys, text: string) => {
  const plain = text.normalize('NFKC').toLowerCase();
  const digits = plain.replace(/\D/g, '');
  return keys.phones.some((phone) => digits.includes(phone)) || keys.emails.some((email) => plain.includes(email));
};

/** An import issue with the quoted cell values replaced: code, column and rule stay, so the report still reads. */
function erasedIssue(issue: ImportCellError): ImportCellError {
  const params = Object.fromEntries(
    Object.entries(issue.params).map(([key, value]) => [key, IMPORT_RULE_PARAMS.has(key) ? value : ERASED_VALUE]),
  );
  return { code: issue.code, params, reason: importIssueText({ code: issue.code, params }, 'zh-CN') ?? ERASED_MARKER };
}

/**
 * Rejected import rows quoting the customers' phones or emails (row numbers and issue codes stay), and the uploaded
 * files' sample rows (the mapping preview) holding them (blanked cell by cell, keeping the columns).
 */
async function eraseImportRows(executor: Executor, workspaceId: string, keys: ContactKeys) {
  if (keys.phones.length === 0 && keys.emails.length === 0) return 0;
  const rejections = await rowsOf<{ import_id: string; row: number; issues: ImportCellError[] | null }>(
    executor,
    sql`select import_id, "row", issues from import_rejections
         where workspace_id = ${workspaceId} and ${quotesContact(keys, sql`reason`)}`,
  );
  for (const rejection of rejections) {
    const issues = rejection.issues?.map(erasedIssue) ?? null;
    const reason = issues ? issues.map((issue) => issue.reason).join('；') : ERASED_MARKER;
    await executor.execute(sql`
      update import_rejections set reason = ${reason}, issues = ${issues ? JSON.stringify(issues) : null}::jsonb
       where workspace_id = ${workspaceId} and import_id = ${rejection.import_id} and "row" = ${rejection.row}`);
  }
  const samples = await rowsOf<{ id: string; sample_rows: string[][] }>(
    executor,
    sql`select id, sample_rows from imports
         where workspace_id = ${workspaceId} and ${quotesContact(keys, sql`sample_rows::text`)}`,
  );
  for (const sample of samples) {
    const rows = sample.sample_rows.map((cells) =>
      cells.some((cell) => quotesContactInJs(keys, cell)) ? cells.map(() => '') : cells,
    );
    await executor.execute(sql`
      update imports set sample_rows = ${JSON.stringify(rows)}::jsonb, updated_at = now()
       where workspace_id = ${workspaceId} and id = ${sample.id}`);
  }
  return rejections.length;
}

/**
 * Reporting facts of the customers: `extra` keeps only the writers' codes, and complaint keywords (words taken from
 * the buyer's messages) go, their days and months rolled up again from the remaining facts.
 */
async function eraseReportingFacts(executor: Executor, workspaceId: string, scope: SQL) {
  const stripped = await rowsOf<{ id: string }>(
    executor,
    sql`update reporting_events set extra = (
          select coalesce(jsonb_object_agg(key, value), '{}'::jsonb) from jsonb_each(extra)
           where key = any(${texts(REPORTING_EXTRA_KEYS)}))
         where workspace_id = ${workspaceId} and ${scope}
           and exists (select 1 from jsonb_object_keys(extra) k where k <> all(${texts(REPORTING_EXTRA_KEYS)}))
        returning id`,
  );
  // As analytics markDayStale: without their rollup marks, those days read the raw facts until rebuilt.
  await executor.execute(sql`
    with gone as (
      delete from reporting_events where workspace_id = ${workspaceId} and kind = 'complaint_keyword' and ${scope}
      returning occurred_at),
    days as (
      select distinct (gone.occurred_at at time zone w.timezone)::date as day
        from gone, workspaces w where w.id = ${workspaceId}),
    unmarked as (
      delete from reporting_rollup_days r using days where r.workspace_id = ${workspaceId} and r.day = days.day)
    delete from reporting_rollup_months m using days
     where m.workspace_id = ${workspaceId} and m.month = date_trunc('month', days.day)::date`);
  return stripped.length;
}

/**
 * Copies of the customers' data elsewhere in the workspace: webhook payloads about them (pending ones then send
 * only that the data was erased), automation run excerpts of their messages, and snooze notifications naming them.
 */
async function eraseCopies(
  executor: Executor,
  workspaceId: string,
  ids: string[],
  conversationIds: string[],
  erasedName: string,
) {
  const deliveries = await rowsOf<{ id: string }>(
    executor,
    sql`update deliveries set payload = payload || '{"data": {"erased": true}}'::jsonb, updated_at = now()
         where workspace_id = ${workspaceId} and kind = 'webhook'
           and (payload #>> '{data,customer,id}' = any(${texts(ids)})
             or payload #>> '{data,conversation,customerId}' = any(${texts(ids)})
             or payload #>> '{data,ticket,customerId}' = any(${texts(ids)}))
        returning id`,
  );
  const runs = await rowsOf<{ id: string }>(
    executor,
    sql`update automation_runs set context = context || jsonb_build_object('summary', ${ERASED_MARKER}::text)
         where workspace_id = ${workspaceId} and context ? 'messageId' and context ? 'summary'
           and context->>'customerId' = any(${texts(ids)})
        returning id`,
  );
  await executor.execute(sql`
    update alerts set details = details || jsonb_build_object('customerName', ${erasedName}::text)
     where workspace_id = ${workspaceId} and kind = 'snooze_ended'
       and details->>'conversationId' = any(${texts(conversationIds)})`);
  return { webhookDeliveries: deliveries.length, automationRuns: runs.length };
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
      return {
        customerId: id,
        name: row.name ?? '',
        anonymizedAt: before.toISOString(),
        alreadyAnonymized: true,
        kept: [...erasureKeptItems],
      };

    const name = (customerId: string) => `已注销客户 ${customerId.replace(/-/g, '').slice(-4)}`;
    const ids = await customerAndMergedIds(tx, workspaceId, id);
    const contacts = await contactKeysOf(tx, workspaceId, ids);
    const identities = await eraseProfiles(tx, workspaceId, ids, name);
    const { conversationIds, messages } = await eraseConversations(tx, workspaceId, ids);
    const ticketIds = await eraseTickets(tx, workspaceId, ids);
    const orders = await eraseOrderPersonalData(tx, workspaceId, ids);
    const importRejections = await eraseImportRows(tx, workspaceId, contacts);
    const reportingEvents = await eraseReportingFacts(
      tx,
      workspaceId,
      sql`(customer_id = any(${uuids(ids)}) or conversation_id = any(${uuids(conversationIds)})
           or ticket_id = any(${uuids(ticketIds)}))`,
    );
    const copies = await eraseCopies(tx, workspaceId, ids, conversationIds, name(id));
    const counts = {
      identities,
      conversations: conversationIds.length,
      messages,
      tickets: ticketIds.length,
      orders,
      importRejections,
      reportingEvents,
      ...copies,
      mergedRecords: ids.length - 1,
    };
    await repo.insertEvents(tx, [
      { id: newId(), workspaceId, customerId: id, kind: ANONYMIZED_EVENT, actorId: actor.userId, details: {} },
    ]);
    await audit.record(tx, {
      workspaceId,
      actorId: actor.userId,
      action: 'customers.anonymized',
      targetType: 'customer',
      targetId: id,
      details: { reason, ...counts, kept: erasureKeptItems },
    });
    await emit({
      type: 'customer.updated',
      workspaceId,
      performedBy: actor.userId,
      customerId: id,
      fields: ['name', 'nickname', 'phone', 'phones', 'email', 'emails', 'idCard', 'bankCard', 'customFields'],
    });
    const at = (await anonymizedAt(tx, workspaceId, id))!;
    return {
      customerId: id,
      name: name(id),
      anonymizedAt: at.toISOString(),
      alreadyAnonymized: false,
      kept: [...erasureKeptItems],
    };
  });
}
