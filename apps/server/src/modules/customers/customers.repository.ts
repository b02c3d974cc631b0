import { and, asc, eq, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
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
import { containsPattern, type Executor } from '../../platform/db-helpers.ts';
import { normalizeText } from '../../platform/text/index.ts';
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

/**
 * Ends the website visitors' sessions of these customers (their tokens no longer prove the source id): after a staff
 * merge, a browser that only typed someone's phone must not read the merged customer's history.
 */
export const revokeVisitorTokens = (db: Executor, workspaceId: string, customerIds: string[]) =>
  db
    .update(customerIdentities)
    .set({ tokenHash: null, updatedAt: new Date() })
    .where(
      and(
        eq(customerIdentities.workspaceId, workspaceId),
        inArray(customerIdentities.customerId, customerIds),
        eq(customerIdentities.kind, 'source'),
        sql`${customerIdentities.tokenHash} is not null`,
      ),
    );

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

/**
 * The active definitions, locked FOR SHARE until the caller's transaction ends: a customer write validated against
 * them commits before an option or field is removed (whose FOR UPDATE waits), or validates against the result.
 */
export const lockActiveFieldDefinitions = (db: Executor, workspaceId: string) =>
  listFieldDefinitions(db, workspaceId, false).for('share');

export const findFieldDefinition = async (db: Executor, workspaceId: string, id: string, lock?: 'update') => {
  const query = db
    .select()
    .from(customerFieldDefinitions)
    .where(and(eq(customerFieldDefinitions.workspaceId, workspaceId), eq(customerFieldDefinitions.id, id)));
  return (await (lock ? query.for(lock) : query))[0];
};

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

/** The characters and character pairs huike_name_similarity compares (spaces ignored), distinct. */
function nameGrams(name: string): string[] {
  const chars = [...name.replace(/\s+/gu, '')];
  return [...new Set([...chars, ...chars.slice(1).map((char, index) => chars[index] + char)])];
}

/** How many names of the region, the closest by their shared grams, get the exact similarity at most. */
const SIMILAR_NAME_CANDIDATES = 50;

/**
 * Similar names compare normalised names (search_name: 張三 = 张三). Two names are alike (similarity ≥ 0.5) only if
 * the other name holds at least half of this name's grams: that cheap count over the region's index tuples
 * (customers_duplicate_name_idx) keeps the costly similarity function (about 1 ms a call) for few rows. A very
 * common name still passes that test thousands of times, so only the closest names by that count (exact for names
 * without a repeated character: shared / (mine + theirs − shared)) get the function, called once per row: the CTE
 * is materialised so that the filter and the result do not each call it.
 */
function similarNamesCte(workspaceId: string, region: string, searchName: string) {
  const grams = nameGrams(searchName);
  const shared = sql.join(
    grams.map((gram) => sql`(strpos(replace(c.search_name, ' ', ''), ${gram}) > 0)::int`),
    sql` + `,
  );
  return sql`similar_names as materialized (
    select id, huike_name_similarity(search_name, ${searchName})::float8 as sim from (
      select id, search_name from (
        select c.id, c.search_name, ${shared} as shared, char_length(replace(c.search_name, ' ', '')) as length
          from customers c
         where c.workspace_id = ${workspaceId} and c.region = ${region} and c.search_name is not null
           and c.merged_into_id is null
      ) scored
      where shared >= ${Math.ceil(grams.length / 2)}
      order by shared::float8 / (${grams.length} + 2 * length - 1 - shared) desc, id
      limit ${SIMILAR_NAME_CANDIDATES}
    ) closest
  ),`;
}

/**
 * The customers holding one of these phones or lower-case emails, as their main or an other one: rows `(id, reason)`
 * with reason 'phone' or 'email' (a customer may come once per arm). One lookup per column, each through its own
 * index — customers_phone_idx, customers_other_phones_idx, customers_email_idx, and for other emails (no index of
 * their own) search_emails' trigrams (every email, normalised) — because an OR across the columns can only scan the
 * whole workspace (0.6–8 s at 1M customers). With `except`, only live customers other than that one; with `limit`,
 * each arm answers its newest `limit` (enough for the newest `limit` of their union, with every reason of each).
 */
export function contactMatchArms(
  workspaceId: string,
  contacts: { phones: readonly string[]; emails: readonly string[] },
  options: { except?: string; limit?: number } = {},
): SQL[] {
  const { phones, emails } = contacts;
  const arm = (reason: 'phone' | 'email', where: SQL) =>
    sql`(select c.id, ${sql.raw(`'${reason}'`)} as reason from customers c
          where c.workspace_id = ${workspaceId} and ${where}
          ${options.except ? sql`and c.id <> ${options.except} and c.merged_into_id is null` : sql``}
          ${options.limit ? sql`order by c.id desc limit ${options.limit}` : sql``})`;
  const arms: SQL[] = [];
  if (phones.length > 0) {
    arms.push(
      arm('phone', sql`c.phone = any(${textArray(phones)})`),
      arm('phone', sql`c.phones <> '{}'::text[] and c.phones && ${textArray(phones)}`),
    );
  }
  if (emails.length > 0) {
    const anyEmail = sql.join(
      emails.map((email) => sql`c.search_emails like ${containsPattern(normalizeText(email))}`),
      sql` or `,
    );
    arms.push(
      arm('email', sql`lower(c.email) = any(${textArray(emails)})`),
      arm(
        'email',
        sql`(${anyEmail}) and c.emails <> '{}'::text[]
            and exists (select 1 from unnest(c.emails) e where lower(e) = any(${textArray(emails)}))`,
      ),
    );
  }
  return arms;
}

/**
 * Live customers sharing a phone, an email or a platform buyer id with this one, or with a similar name in the same
 * region. Each reason is its own index-backed lookup (an OR across them could only scan the whole workspace).
 */
export async function findDuplicatesOf(db: Executor, row: CustomerRow, limit: number) {
  const ws = row.workspaceId;
  const phones = [row.phone, ...row.phones].filter((value): value is string => !!value);
  const emails = [row.email, ...row.emails].filter((value): value is string => !!value).map((e) => e.toLowerCase());
  const arms: SQL[] = [
    sql`select i.customer_id as id, 'platform_buyer' as reason, null::float8 as sim
          from customer_identities mine
          join customer_identities i
            on i.workspace_id = mine.workspace_id and i.kind = mine.kind and i.external_id = mine.external_id
         where mine.workspace_id = ${ws} and mine.customer_id = ${row.id} and mine.kind = 'platform_buyer'`,
  ];
  const contactArms = contactMatchArms(ws, { phones, emails });
  if (contactArms.length > 0) {
    arms.push(sql`select id, reason, null from (${sql.join(contactArms, sql` union all `)}) contact`);
  }
  const similarNames = row.region && row.searchName ? similarNamesCte(ws, row.region, row.searchName) : null;
  if (similarNames) {
    arms.push(sql`select id, 'similar_name', sim from similar_names where sim >= ${SIMILAR_NAME}`);
  }
  const result = await db.execute(sql`
    with ${similarNames ?? sql``} found as (${sql.join(arms, sql` union all `)}),
    candidates as (
      select c.id,
             bool_or(f.reason = 'phone') as phone_match, bool_or(f.reason = 'email') as email_match,
             bool_or(f.reason = 'platform_buyer') as buyer_match, bool_or(f.reason = 'similar_name') as name_match,
             coalesce(max(f.sim), huike_name_similarity(c.search_name, ${row.searchName ?? ''}), 0)::float8 as sim
        from found f
        join customers c on c.workspace_id = ${ws} and c.id = f.id
       where c.id <> ${row.id} and c.merged_into_id is null
       group by c.id
    )
    select * from candidates
     order by (phone_match or email_match or buyer_match) desc, sim desc, id
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

/** How many customers one page of the workspace list examines at most (a few index lookups each). */
export const DUPLICATE_PAIRS_SCAN = 2000;

/**
 * Candidate pairs across the workspace (a older than b), newest b first: for each live customer b, walked newest
 * first from the cursor, the older live customers sharing its main phone (as main or other phone), its main email,
 * a platform buyer id, or its normalised name within its region. Comparing every pair by similarity cannot scale,
 * so the workspace list takes exact keys only (the profile's tab also finds similar names). One call examines at
 * most `DUPLICATE_PAIRS_SCAN` customers: `scannedTo` is where the walk stopped when the page is not full.
 */
export async function listDuplicatePairs(
  db: Executor,
  workspaceId: string,
  after: { bId: string; aId: string } | null,
  limit: number,
) {
  const ws = workspaceId;
  const result = await db.execute(sql`
    with walked as (
      select id, phone, phones, lower(email) as email, search_name, region from customers
       where workspace_id = ${ws} and merged_into_id is null ${after ? sql`and id <= ${after.bId}` : sql``}
       order by id desc
       limit ${DUPLICATE_PAIRS_SCAN}
    ), pairs as (
      select m.a_id, b.id as b_id, m.reason
        from walked b
        cross join lateral (
          select a.id as a_id, 'phone' as reason from customers a
           where a.workspace_id = ${ws} and b.phone is not null and a.phone = b.phone and a.id < b.id
             and a.merged_into_id is null
          union all
          select a.id, 'phone' from customers a
           where a.workspace_id = ${ws} and b.phone is not null and a.phones <> '{}'::text[]
             and a.phones @> array[b.phone] and a.id < b.id and a.merged_into_id is null
          union all
          select a.id, 'phone' from customers a
           where a.workspace_id = ${ws} and b.phones <> '{}'::text[] and a.phone = any(b.phones) and a.id < b.id
             and a.merged_into_id is null
          union all
          select a.id, 'email' from customers a
           where a.workspace_id = ${ws} and b.email is not null and lower(a.email) = b.email and a.id < b.id
             and a.merged_into_id is null
          union all
          select a.id, 'similar_name' from customers a
           where a.workspace_id = ${ws} and b.region is not null and b.search_name is not null
             and a.region = b.region and a.search_name = b.search_name and a.id < b.id and a.merged_into_id is null
          union all
          select x.customer_id, 'platform_buyer'
            from customer_identities y
            join customer_identities x
              on x.workspace_id = y.workspace_id and x.kind = y.kind and x.external_id = y.external_id
             and x.customer_id < y.customer_id
            join customers a on a.workspace_id = ${ws} and a.id = x.customer_id and a.merged_into_id is null
           where y.workspace_id = ${ws} and y.customer_id = b.id and y.kind = 'platform_buyer'
        ) m
       ${after ? sql`where (b.id, m.a_id) < (${after.bId}::uuid, ${after.aId}::uuid)` : sql``}
    ), page as (
      select p.a_id, p.b_id,
             bool_or(p.reason = 'phone') as phone_match, bool_or(p.reason = 'email') as email_match,
             bool_or(p.reason = 'platform_buyer') as buyer_match, bool_or(p.reason = 'similar_name') as name_match
        from pairs p
       group by p.a_id, p.b_id
       order by p.b_id desc, p.a_id desc
       limit ${limit}
    )
    select w.walked, w.walked_to, page.*,
           coalesce(huike_name_similarity(a.search_name, b.search_name), 0)::float8 as sim
      from (select count(*)::int as walked, (array_agg(id order by id))[1] as walked_to from walked) w
      left join page on true
      left join customers a on a.id = page.a_id
      left join customers b on b.id = page.b_id
     order by page.b_id desc, page.a_id desc`);
  const rows = result.rows as (DuplicatePairRow & { walked: number; walked_to: string | null })[];
  return {
    pairs: rows.filter((row) => row.a_id !== null) as DuplicatePairRow[],
    /** The oldest customer examined, when the walk stopped at its bound before the workspace's oldest customer. */
    walkedTo: rows[0]!.walked === DUPLICATE_PAIRS_SCAN ? rows[0]!.walked_to : null,
  };
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

/**
 * What an undo writes back from a merge's snapshot: the person's data, the merge link, and the lifecycle stage that
 * refreshCustomerValue then recomputes from (it keeps a history: previous stage, changed at). Never a derived column:
 * tag_ids is kept by the customer_tags triggers, search_* is recomputed from the restored profile, order aggregates
 * and RFM are recomputed from the orders — the snapshot's copies are stale once anything changed after the merge.
 */
const RESTORED_COLUMNS = [
  'name',
  'nickname',
  'phone',
  'phones',
  'email',
  'emails',
  'gender',
  'birthday',
  'region',
  'source',
  'campaign',
  'notes',
  'custom_fields',
  'id_card_enc',
  'bank_card_enc',
  'owner_id',
  'merged_into_id',
  'unverified_contacts',
  'profile_updated_at',
  'lifecycle_stage',
  'lifecycle_previous_stage',
  'lifecycle_changed_at',
] as const;

/**
 * Writes a merge snapshot's person data back over the row (RESTORED_COLUMNS), updated_at now. The marketing opt-out
 * is the snapshot's or `optOutSince`, whichever is earlier: an undo never clears a 退订.
 */
export async function restoreCustomer(
  db: Executor,
  workspaceId: string,
  snapshot: Record<string, unknown>,
  optOutSince: Date | null,
) {
  const assignments = sql.join(
    RESTORED_COLUMNS.map((column) => sql`${sql.identifier(column)} = s.${sql.identifier(column)}`),
    sql`, `,
  );
  const result = await db.execute<{ id: string }>(sql`
    update customers c set ${assignments},
        marketing_opt_out_at = least(s.marketing_opt_out_at, ${optOutSince?.toISOString() ?? null}::timestamptz),
        updated_at = now()
      from jsonb_populate_record(null::customers, ${JSON.stringify(snapshot)}::jsonb) s
     where c.workspace_id = ${workspaceId} and c.id = s.id
     returning c.id`);
  const row = (await findCustomer(db, workspaceId, result.rows[0]!.id))!;
  await db.update(customers).set(searchColumns(row)).where(eq(customers.id, row.id));
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

/**
 * Live customers whose profile is older than the threshold for their lifecycle stage; oldest first. A keyset walk of
 * customers_stale_profile_idx, bounded by the smaller threshold (no later profile can be stale), so a page reads
 * about a page of index entries when most profiles are stale, and stops early when few are — never a sort of the
 * workspace.
 */
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
       and coalesce(c.profile_updated_at, c.created_at) < now() - make_interval(days => ${Math.min(days.active, days.others)}::int)
       and ${after ? sql`(coalesce(c.profile_updated_at, c.created_at), c.id) > (${after.at}::timestamptz, ${after.id}::uuid)` : sql`true`}
     order by coalesce(c.profile_updated_at, c.created_at), c.id
     limit ${limit}`);
  return result.rows as { id: string; at_text: string; threshold: number }[];
}
