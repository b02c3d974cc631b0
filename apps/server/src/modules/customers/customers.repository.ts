import { and, asc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import {
  customerEvents,
  customerFieldDefinitions,
  customerIdentities,
  customerMerges,
  customers,
  inboxes,
  users,
} from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import { searchColumns, touchesSearchSource } from './customer-search.ts';

export type CustomerRow = typeof customers.$inferSelect;

/** A text[] parameter (Drizzle would spread a JS array into a list of parameters). */
const textArray = (values: readonly string[]) =>
  sql`array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
export type IdentityKind = (typeof customerIdentities.$inferSelect)['kind'];
export type IdentityRow = typeof customerIdentities.$inferSelect;
export type FieldDefinitionRow = typeof customerFieldDefinitions.$inferSelect;
export type MergeRow = typeof customerMerges.$inferSelect;

/** Any customer row of the workspace, merged-away ones included (callers decide what to show). */
export const findCustomer = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(customers)
      .where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, id)))
  )[0];

/** Locks the rows (in id order, so two merges of the same pair cannot deadlock) and answers them. */
export const lockCustomers = (db: Executor, workspaceId: string, ids: string[]) =>
  db
    .select()
    .from(customers)
    .where(and(eq(customers.workspaceId, workspaceId), inArray(customers.id, ids)))
    .orderBy(asc(customers.id))
    .for('update');

// The customer list and search live in customer-search.ts (listCustomerIds).

/** Inserts a customer with its search columns computed from the row (customer-search.ts). */
export const insertCustomer = async (db: Executor, row: typeof customers.$inferInsert) =>
  (
    await db
      .insert(customers)
      .values({ ...row, ...searchColumns(row) })
      .returning()
  )[0]!;

/** Updates a customer; when a searched field changes, its search columns are recomputed from the stored row. */
export async function updateCustomer(
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<typeof customers.$inferInsert>,
) {
  const row = (
    await db
      .update(customers)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, id)))
      .returning()
  )[0];
  if (!row || !touchesSearchSource(patch)) return row;
  return (await db.update(customers).set(searchColumns(row)).where(eq(customers.id, row.id)).returning())[0];
}

export const userInWorkspace = async (db: Executor, workspaceId: string, userId: string) =>
  (
    await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.workspaceId, workspaceId), eq(users.id, userId)))
  ).length > 0;

// --- identities ------------------------------------------------------------------------------------------------

export const findIdentity = async (
  db: Executor,
  workspaceId: string,
  inboxId: string | null,
  kind: IdentityKind,
  externalId: string,
) =>
  (
    await db
      .select()
      .from(customerIdentities)
      .where(
        and(
          eq(customerIdentities.workspaceId, workspaceId),
          inboxId === null ? isNull(customerIdentities.inboxId) : eq(customerIdentities.inboxId, inboxId),
          eq(customerIdentities.kind, kind),
          eq(customerIdentities.externalId, externalId),
        ),
      )
  )[0];

export type InboxIdentityKey = { workspaceId: string; inboxId: string; kind: IdentityKind; externalId: string };

const identityKeyOf = (key: InboxIdentityKey) => `${key.workspaceId}|${key.inboxId}|${key.kind}|${key.externalId}`;

/**
 * Many inbox identities in one query (channel messages' senders): a finder that answers the stored identity for each
 * key, or undefined. Prepared (named): planned once per connection (docs/ARCHITECTURE.md, group commit).
 */
export function inboxIdentitiesFinder(db: Db) {
  const query = db
    .select()
    .from(customerIdentities)
    .where(
      sql`(${customerIdentities.workspaceId}, ${customerIdentities.inboxId}, ${customerIdentities.kind},
        ${customerIdentities.externalId}) in (select * from jsonb_to_recordset(${sql.placeholder('keys')}::jsonb)
        as k(workspace_id uuid, inbox_id uuid, kind text, external_id text))`,
    )
    .prepare('find_inbox_identities');
  return async (keys: InboxIdentityKey[]) => {
    const wanted = keys.map(({ workspaceId, inboxId, kind, externalId }) => ({
      workspace_id: workspaceId,
      inbox_id: inboxId,
      kind,
      external_id: externalId,
    }));
    const rows = await query.execute({ keys: JSON.stringify(wanted) });
    const found = new Map(rows.map((row) => [identityKeyOf(row as InboxIdentityKey), row]));
    return keys.map((key) => found.get(identityKeyOf(key)));
  };
}

/** Inserts the identity unless it exists; returns the stored one either way (safe under concurrency). */
export async function upsertIdentity(db: Executor, row: typeof customerIdentities.$inferInsert) {
  const inserted = await db.insert(customerIdentities).values(row).onConflictDoNothing().returning();
  return inserted[0] ?? (await findIdentity(db, row.workspaceId, row.inboxId ?? null, row.kind, row.externalId))!;
}

/** The customer an identity belongs to. */
export const identityCustomerId = async (db: Executor, id: string) =>
  (
    await db
      .select({ customerId: customerIdentities.customerId })
      .from(customerIdentities)
      .where(eq(customerIdentities.id, id))
  )[0]?.customerId;

/** Moves an identity to another customer. */
export const moveIdentity = (db: Executor, id: string, customerId: string) =>
  db.update(customerIdentities).set({ customerId, updatedAt: new Date() }).where(eq(customerIdentities.id, id));

export const hasIdentities = async (db: Executor, customerId: string) =>
  (
    await db
      .select({ id: customerIdentities.id })
      .from(customerIdentities)
      .where(eq(customerIdentities.customerId, customerId))
      .limit(1)
  ).length > 0;

export const listIdentities = (db: Executor, workspaceId: string, customerId: string) =>
  db
    .select({ identity: customerIdentities, inboxName: inboxes.name, channelType: inboxes.channelType })
    .from(customerIdentities)
    .leftJoin(inboxes, eq(inboxes.id, customerIdentities.inboxId))
    .where(and(eq(customerIdentities.workspaceId, workspaceId), eq(customerIdentities.customerId, customerId)))
    .orderBy(asc(customerIdentities.id));

export const lockKey = (db: Executor, key: string) => db.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);

/** A live (not merged-away) customer with this phone as main or other phone; the oldest wins. */
export const findLiveByPhone = async (db: Executor, workspaceId: string, phone: string) =>
  (
    await db
      .select()
      .from(customers)
      .where(
        and(
          eq(customers.workspaceId, workspaceId),
          isNull(customers.mergedIntoId),
          or(eq(customers.phone, phone), sql`${customers.phones} @> array[${phone}]::text[]`),
        ),
      )
      .orderBy(asc(customers.id))
      .limit(1)
  )[0];

/** A live customer with this email (case-insensitive) as main email; the oldest wins. */
export const findLiveByEmail = async (db: Executor, workspaceId: string, email: string) =>
  (
    await db
      .select()
      .from(customers)
      .where(
        and(
          eq(customers.workspaceId, workspaceId),
          isNull(customers.mergedIntoId),
          sql`lower(${customers.email}) = ${email.toLowerCase()}`,
        ),
      )
      .orderBy(asc(customers.id))
      .limit(1)
  )[0];

// --- timeline --------------------------------------------------------------------------------------------------

/** Timeline entries in one statement; the rows travel as one jsonb parameter, so any count fits. */
export async function insertEvents(db: Executor, rows: (typeof customerEvents.$inferInsert)[]) {
  if (rows.length === 0) return;
  await db.execute(sql`
    insert into ${customerEvents} (id, workspace_id, customer_id, kind, actor_id, details)
    select r.id, r."workspaceId", r."customerId", r.kind, r."actorId", r.details
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as r(id uuid, "workspaceId" uuid, "customerId" uuid, kind text, "actorId" uuid, details jsonb)`);
}

export type TimelineRow = {
  id: string;
  kind: string;
  at: string;
  at_text: string;
  actor_id: string | null;
  actor_name: string | null;
  details: Record<string, unknown>;
  conversation_id: string | null;
};

/**
 * Customer events, the customer's conversations (started, resolved) and tickets (opened, status changes) as one
 * stream, newest first.
 * Keyset on (time, id); the cursor's time is PostgreSQL's own text form, so microseconds survive the round trip.
 * Conversations written resolved (demo data) have no resolved_at: their last update stands in.
 */
export async function timeline(
  db: Executor,
  workspaceId: string,
  customerId: string,
  before: { at: string; id: string } | undefined,
  limit: number,
) {
  const result = await db.execute(sql`
    select t.id, t.kind, t.at, t.at::text as at_text, t.actor_id, u.name as actor_name, t.details, t.conversation_id
      from (
        select e.id::text as id, e.kind, e.created_at as at, e.actor_id, e.details, null::uuid as conversation_id
          from customer_events e
         where e.workspace_id = ${workspaceId} and e.customer_id = ${customerId}
        union all
        select 'conversation_started:' || c.id, 'conversation_started', c.created_at, null::uuid,
               jsonb_build_object('inboxId', c.inbox_id, 'inboxName', i.name, 'status', c.status), c.id
          from conversations c join inboxes i on i.id = c.inbox_id
         where c.workspace_id = ${workspaceId} and c.customer_id = ${customerId}
        union all
        select 'conversation_resolved:' || c.id, 'conversation_resolved', coalesce(c.resolved_at, c.updated_at), c.assignee_id,
               jsonb_build_object('inboxId', c.inbox_id, 'inboxName', i.name), c.id
          from conversations c join inboxes i on i.id = c.inbox_id
         where c.workspace_id = ${workspaceId} and c.customer_id = ${customerId} and c.status = 'resolved'
        union all
        select 'ticket_event:' || e.id, 'ticket_' || e.kind, e.created_at, e.actor_id,
               jsonb_build_object('ticketId', k.id, 'number', k.number, 'subject', k.subject)
                 || case when e.kind = 'status_changed' then coalesce(e.data, '{}'::jsonb) else '{}'::jsonb end,
               null::uuid
          from tickets k join ticket_events e on e.ticket_id = k.id
         where k.workspace_id = ${workspaceId} and k.customer_id = ${customerId}
           and e.kind in ('created', 'status_changed')
      ) t
      left join users u on u.id = t.actor_id
     where ${before ? sql`(t.at, t.id) < (${before.at}::timestamptz, ${before.id})` : sql`true`}
     order by t.at desc, t.id desc
     limit ${limit}`);
  return result.rows as TimelineRow[];
}

// --- custom field definitions ----------------------------------------------------------------------------------

export const listFieldDefinitions = (db: Executor, workspaceId: string, includeArchived: boolean) =>
  db
    .select()
    .from(customerFieldDefinitions)
    .where(
      and(
        eq(customerFieldDefinitions.workspaceId, workspaceId),
        includeArchived ? undefined : eq(customerFieldDefinitions.archived, false),
      ),
    )
    .orderBy(asc(customerFieldDefinitions.position), asc(customerFieldDefinitions.id));

export const findFieldDefinition = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(customerFieldDefinitions)
      .where(and(eq(customerFieldDefinitions.workspaceId, workspaceId), eq(customerFieldDefinitions.id, id)))
  )[0];

/** Answers undefined when the key is taken in the workspace. */
export const insertFieldDefinition = async (db: Executor, row: typeof customerFieldDefinitions.$inferInsert) =>
  (await db.insert(customerFieldDefinitions).values(row).onConflictDoNothing().returning())[0];

export const deleteFieldDefinition = (db: Executor, workspaceId: string, id: string) =>
  db
    .delete(customerFieldDefinitions)
    .where(and(eq(customerFieldDefinitions.workspaceId, workspaceId), eq(customerFieldDefinitions.id, id)));

export const updateFieldDefinition = async (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<typeof customerFieldDefinitions.$inferInsert>,
) =>
  (
    await db
      .update(customerFieldDefinitions)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(customerFieldDefinitions.workspaceId, workspaceId), eq(customerFieldDefinitions.id, id)))
      .returning()
  )[0];

/** How many live customers hold a value under this key (or, with options, one of these options). */
export async function countCustomFieldUses(db: Executor, workspaceId: string, key: string, options?: string[]) {
  const result = await db.execute(sql`
    select count(*)::int as count from customers
     where workspace_id = ${workspaceId} and merged_into_id is null and custom_fields ? ${key}
       ${
         options
           ? sql`and (
               (jsonb_typeof(custom_fields -> ${key}) = 'string' and custom_fields ->> ${key} = any(${textArray(options ?? [])}))
               or (jsonb_typeof(custom_fields -> ${key}) = 'array'
                   and exists (select 1 from jsonb_array_elements_text(custom_fields -> ${key}) v
                                where v = any(${textArray(options ?? [])}))))`
           : sql``
       }`);
  return (result.rows[0] as { count: number }).count;
}

// --- duplicates ------------------------------------------------------------------------------------------------

/** Name similarity (huike_name_similarity, migration 0004) from which two names in one region count as alike. */
const SIMILAR_NAME = 0.5;

export type DuplicateRow = {
  id: string;
  phone_match: boolean;
  email_match: boolean;
  buyer_match: boolean;
  name_match: boolean;
  sim: number;
};

/** Live customers sharing a phone, an email or a platform buyer id with this one, or with a similar name in the same region. */
export async function findDuplicatesOf(db: Executor, row: CustomerRow, limit: number) {
  const phones = [row.phone, ...row.phones].filter((value): value is string => !!value);
  const emails = [row.email, ...row.emails].filter((value): value is string => !!value).map((e) => e.toLowerCase());
  const result = await db.execute(sql`
    with me_buyers as (
      select external_id from customer_identities
       where workspace_id = ${row.workspaceId} and customer_id = ${row.id} and kind = 'platform_buyer'
    ), candidates as (
      select c.id,
             (c.phone = any(${textArray(phones)}) or c.phones && ${textArray(phones)}) as phone_match,
             (lower(c.email) = any(${textArray(emails)})
               or exists (select 1 from unnest(c.emails) e where lower(e) = any(${textArray(emails)}))) as email_match,
             exists (select 1 from customer_identities i
                      where i.workspace_id = c.workspace_id and i.customer_id = c.id and i.kind = 'platform_buyer'
                        and i.external_id in (select external_id from me_buyers)) as buyer_match,
             coalesce(huike_name_similarity(c.name, ${row.name ?? ''}), 0)::float8 as sim,
             coalesce(c.region = ${row.region ?? null} and huike_name_similarity(c.name, ${row.name ?? ''}) >= ${SIMILAR_NAME}, false)
               as name_match
        from customers c
       where c.workspace_id = ${row.workspaceId} and c.id <> ${row.id} and c.merged_into_id is null
         and (
           (cardinality(${textArray(phones)}) > 0 and (c.phone = any(${textArray(phones)}) or c.phones && ${textArray(phones)}))
           or (cardinality(${textArray(emails)}) > 0 and (lower(c.email) = any(${textArray(emails)})
               or exists (select 1 from unnest(c.emails) e where lower(e) = any(${textArray(emails)}))))
           or c.id in (select i.customer_id from customer_identities i
                        where i.workspace_id = ${row.workspaceId} and i.kind = 'platform_buyer'
                          and i.external_id in (select external_id from me_buyers))
           or (${row.name ?? null}::text is not null and ${row.region ?? null}::text is not null
               and c.region = ${row.region ?? null} and huike_name_similarity(c.name, ${row.name ?? ''}) >= ${SIMILAR_NAME})
         )
    )
    select id, coalesce(phone_match, false) as phone_match, coalesce(email_match, false) as email_match,
           buyer_match, name_match, sim
      from candidates
     order by (coalesce(phone_match, false) or coalesce(email_match, false) or buyer_match) desc, sim desc, id
     limit ${limit}`);
  return result.rows as DuplicateRow[];
}

export type DuplicatePairRow = {
  a_id: string;
  b_id: string;
  phone_match: boolean;
  email_match: boolean;
  buyer_match: boolean;
  name_match: boolean;
  sim: number;
};

/**
 * Candidate pairs across the workspace (a < b), from exact matches on main phone, main email and platform buyer id,
 * and similar names within a region. Offset-paginated: pairs have no natural keyset.
 */
export async function listDuplicatePairs(db: Executor, workspaceId: string, offset: number, limit: number) {
  const result = await db.execute(sql`
    with live as (
      select id, phone, phones, lower(email) as email, name, region from customers
       where workspace_id = ${workspaceId} and merged_into_id is null
    ), pairs as (
      select a.id as a_id, b.id as b_id, 'phone' as reason
        from live a join live b on b.phone = a.phone and a.id < b.id
       where a.phone is not null
      union all
      select least(a.id, b.id), greatest(a.id, b.id), 'phone'
        from live a join live b on b.phones @> array[a.phone] and a.id <> b.id
       where a.phone is not null
      union all
      select a.id, b.id, 'email' from live a join live b on b.email = a.email and a.id < b.id where a.email is not null
      union all
      select least(x.customer_id, y.customer_id), greatest(x.customer_id, y.customer_id), 'platform_buyer'
        from customer_identities x
        join customer_identities y
          on y.workspace_id = x.workspace_id and y.kind = x.kind and y.external_id = x.external_id
         and x.customer_id < y.customer_id
       where x.workspace_id = ${workspaceId} and x.kind = 'platform_buyer'
      union all
      select a.id, b.id, 'similar_name'
        from live a
        join live b on b.region = a.region and left(b.name, 1) = left(a.name, 1) and a.id < b.id
                   and huike_name_similarity(a.name, b.name) >= ${SIMILAR_NAME}
       where a.name is not null and a.region is not null
    )
    select p.a_id, p.b_id,
           bool_or(p.reason = 'phone') as phone_match, bool_or(p.reason = 'email') as email_match,
           bool_or(p.reason = 'platform_buyer') as buyer_match, bool_or(p.reason = 'similar_name') as name_match,
           coalesce(max(huike_name_similarity(a.name, b.name)), 0)::float8 as sim
      from pairs p
      join live a on a.id = p.a_id
      join live b on b.id = p.b_id
     group by p.a_id, p.b_id
     order by p.b_id desc, p.a_id desc
     offset ${offset} limit ${limit}`);
  return result.rows as DuplicatePairRow[];
}

export const findCustomersByIds = (db: Executor, workspaceId: string, ids: string[]) =>
  ids.length === 0
    ? Promise.resolve([] as CustomerRow[])
    : db
        .select()
        .from(customers)
        .where(and(eq(customers.workspaceId, workspaceId), inArray(customers.id, ids)));

// --- merges ----------------------------------------------------------------------------------------------------

export type MergeCounts = {
  conversations: number;
  identities: number;
  orders: number;
  tags: number;
  events: number;
  tickets: number;
};

/** Tags of `fromId` that can move to `intoId`: not already there, and not a second tag of a single-select group it uses. */
const movableTagsSql = (workspaceId: string, fromId: string, intoId: string) => sql`
  select ct.tag_id from customer_tags ct
    join tags t on t.id = ct.tag_id
    join tag_groups g on g.id = t.group_id
   where ct.workspace_id = ${workspaceId} and ct.customer_id = ${fromId}
     and not exists (select 1 from customer_tags s
                      where s.workspace_id = ${workspaceId} and s.customer_id = ${intoId} and s.tag_id = ct.tag_id)
     and not (g.selection = 'single' and exists (
           select 1 from customer_tags s join tags st on st.id = s.tag_id
            where s.workspace_id = ${workspaceId} and s.customer_id = ${intoId} and st.group_id = t.group_id))`;

export async function countMerge(db: Executor, workspaceId: string, fromId: string, intoId: string) {
  const result = await db.execute(sql`
    select
      (select count(*) from conversations where workspace_id = ${workspaceId} and customer_id = ${fromId})::int as conversations,
      (select count(*) from customer_identities where workspace_id = ${workspaceId} and customer_id = ${fromId})::int as identities,
      (select count(*) from orders where workspace_id = ${workspaceId} and customer_id = ${fromId})::int as orders,
      (select count(*) from (${movableTagsSql(workspaceId, fromId, intoId)}) m)::int as tags,
      (select count(*) from customer_events where workspace_id = ${workspaceId} and customer_id = ${fromId})::int as events,
      (select count(*) from tickets where workspace_id = ${workspaceId} and customer_id = ${fromId})::int as tickets`);
  return result.rows[0] as MergeCounts;
}

export type MovedIds = {
  conversations: string[];
  identities: string[];
  orders: string[];
  tags: string[];
  events: string[];
  /** Absent in merges recorded before tickets moved with the customer. */
  tickets?: string[];
};

const ids = (rows: unknown[], key = 'id') => rows.map((row) => (row as Record<string, string>)[key]!);

/** Moves everything of `fromId` that belongs to the person onto `intoId`; answers the ids it moved. */
export async function moveCustomerData(
  db: Executor,
  workspaceId: string,
  fromId: string,
  intoId: string,
): Promise<MovedIds> {
  const tags = await db.execute(sql`
    update customer_tags set customer_id = ${intoId}
     where workspace_id = ${workspaceId} and customer_id = ${fromId}
       and tag_id in (${movableTagsSql(workspaceId, fromId, intoId)})
     returning tag_id`);
  const moveAll = async (table: string) =>
    ids(
      (
        await db.execute(sql`
          update ${sql.identifier(table)} set customer_id = ${intoId}
           where workspace_id = ${workspaceId} and customer_id = ${fromId}
           returning id`)
      ).rows,
    );
  return {
    conversations: await moveAll('conversations'),
    identities: await moveAll('customer_identities'),
    orders: await moveAll('orders'),
    tags: ids(tags.rows, 'tag_id'),
    events: await moveAll('customer_events'),
    tickets: await moveAll('tickets'),
  };
}

/** Moves the rows a merge moved back to where they came from (those still on the survivor). */
export async function moveBack(
  db: Executor,
  workspaceId: string,
  survivorId: string,
  restoredId: string,
  moved: MovedIds,
) {
  const moveBackAll = async (table: string, list: string[]) => {
    if (list.length === 0) return;
    await db.execute(sql`
      update ${sql.identifier(table)} set customer_id = ${restoredId}
       where workspace_id = ${workspaceId} and customer_id = ${survivorId} and id = any(${textArray(list)}::uuid[])`);
  };
  await moveBackAll('conversations', moved.conversations);
  await moveBackAll('customer_identities', moved.identities);
  await moveBackAll('orders', moved.orders);
  await moveBackAll('customer_events', moved.events);
  await moveBackAll('tickets', moved.tickets ?? []);
  if (moved.tags.length > 0) {
    await db.execute(sql`
      update customer_tags set customer_id = ${restoredId}
       where workspace_id = ${workspaceId} and customer_id = ${survivorId} and tag_id = any(${textArray(moved.tags)}::uuid[])`);
  }
}

/** The row exactly as stored, every column (also other modules' ones), for a merge's before-snapshot. */
export async function snapshotCustomer(db: Executor, workspaceId: string, id: string) {
  const result = await db.execute(
    sql`select to_jsonb(c) as row from customers c where c.workspace_id = ${workspaceId} and c.id = ${id}`,
  );
  return (result.rows[0] as { row: Record<string, unknown> }).row;
}

let restorableColumns: Promise<string[]> | undefined;

/** Every plain column of customers except the keys and created_at (generated columns cannot be written). */
function customerColumns(db: Executor) {
  restorableColumns ??= db
    .execute(sql`
      select column_name from information_schema.columns
       where table_schema = current_schema() and table_name = 'customers'
         and is_generated = 'NEVER' and column_name not in ('id', 'workspace_id', 'created_at')
       order by ordinal_position`)
    .then((result) => result.rows.map((row) => (row as { column_name: string }).column_name));
  restorableColumns.catch(() => {
    restorableColumns = undefined;
  });
  return restorableColumns;
}

/** Writes a snapshot back over the row: every column as it was, updated_at now. */
export async function restoreCustomer(db: Executor, workspaceId: string, snapshot: Record<string, unknown>) {
  const columns = (await customerColumns(db)).filter((column) => column !== 'updated_at');
  const assignments = sql.join(
    columns.map((column) => sql`${sql.identifier(column)} = s.${sql.identifier(column)}`),
    sql`, `,
  );
  await db.execute(sql`
    update customers c set ${assignments}, updated_at = now()
      from jsonb_populate_record(null::customers, ${JSON.stringify(snapshot)}::jsonb) s
     where c.workspace_id = ${workspaceId} and c.id = s.id`);
}

export const insertMerge = async (db: Executor, row: typeof customerMerges.$inferInsert) =>
  (await db.insert(customerMerges).values(row).returning())[0]!;

export const lockMerge = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(customerMerges)
      .where(and(eq(customerMerges.workspaceId, workspaceId), eq(customerMerges.id, id)))
      .for('update')
  )[0];

export const markMergeUndone = (db: Executor, id: string, userId: string) =>
  db
    .update(customerMerges)
    .set({ undoneAt: new Date(), undoneBy: userId, updatedAt: new Date() })
    .where(eq(customerMerges.id, id));

// --- reminders -------------------------------------------------------------------------------------------------

/** Live customers whose profile is older than the threshold for their lifecycle stage; oldest first. */
export async function listStaleProfiles(
  db: Executor,
  workspaceId: string,
  days: { active: number; others: number },
  after: { at: string; id: string } | undefined,
  limit: number,
) {
  const result = await db.execute(sql`
    select c.id, coalesce(c.profile_updated_at, c.created_at)::text as at_text,
           (case when c.lifecycle_stage = 'active' then ${days.active}::int else ${days.others}::int end) as threshold
      from customers c
     where c.workspace_id = ${workspaceId} and c.merged_into_id is null
       and coalesce(c.profile_updated_at, c.created_at)
           < now() - make_interval(days => case when c.lifecycle_stage = 'active' then ${days.active}::int else ${days.others}::int end)
       and ${after ? sql`(coalesce(c.profile_updated_at, c.created_at), c.id) > (${after.at}::timestamptz, ${after.id}::uuid)` : sql`true`}
     order by coalesce(c.profile_updated_at, c.created_at), c.id
     limit ${limit}`);
  return result.rows as { id: string; at_text: string; threshold: number }[];
}
