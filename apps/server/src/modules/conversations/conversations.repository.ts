import type { SentimentLabel } from '@huike/contracts';
import { and, desc, eq, getTableColumns, gte, ilike, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { conversations, customers, inboxes, messages, users } from '../../db/schema.ts';
import { containsPattern, type Executor } from '../../platform/db-helpers.ts';
import { idFloorAt } from '../../platform/ids.ts';

export type ConversationRow = typeof conversations.$inferSelect & { inboxName: string; customerName: string | null };
export type MessageRow = typeof messages.$inferSelect & { senderName: string | null };
type Status = (typeof conversations.$inferSelect)['status'];

export type ConversationFilter = {
  workspaceId: string;
  assignee: 'mine' | 'unassigned' | 'all';
  userId: string;
  status?: Status;
  inboxId?: string;
  customerId?: string;
  search?: ConversationSearch;
};

/**
 * A workbench search: `q` as typed (matched in the conversation's subject, preview and messages) and the customers
 * the customer search found for it (`searchCustomerIds`: name, nickname, pinyin, initials, traditional characters,
 * phones and emails, phones only as far as the searching user may see them).
 */
export type ConversationSearch = { q: string; customerIds: string[] };

const conversationColumns = {
  ...getTableColumns(conversations),
  inboxName: inboxes.name,
  customerName: customers.name,
};

const selectConversations = (db: Executor) =>
  db
    .select(conversationColumns)
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .innerJoin(customers, eq(customers.id, conversations.customerId));

/**
 * Conversations of the matched customers (one `= any` over conversations_customer_idx's leading columns) or whose
 * own text contains `q`: subject, preview, or any message of the history (notes included: agents search their own
 * notes too). Customer fields are not LIKE-matched here: the customer search decides, with its Chinese-aware
 * rules and its phone-masking rule.
 */
function searchCondition(search: ConversationSearch): SQL | undefined {
  const pattern = containsPattern(search.q);
  return or(
    search.customerIds.length > 0
      ? sql`${conversations.customerId} = any(${sql.param(search.customerIds)}::uuid[])`
      : undefined,
    ilike(conversations.lastMessagePreview, pattern),
    ilike(conversations.subject, pattern),
    sql`exists (select 1 from ${messages} where ${messages.workspaceId} = ${conversations.workspaceId}
      and ${messages.conversationId} = ${conversations.id} and ${messages.content} ilike ${pattern})`,
  );
}

function filterConditions(filter: ConversationFilter): SQL | undefined {
  return and(
    eq(conversations.workspaceId, filter.workspaceId),
    filter.assignee === 'mine' ? eq(conversations.assigneeId, filter.userId) : undefined,
    filter.assignee === 'unassigned' ? isNull(conversations.assigneeId) : undefined,
    filter.status ? eq(conversations.status, filter.status) : undefined,
    filter.inboxId ? eq(conversations.inboxId, filter.inboxId) : undefined,
    filter.customerId ? eq(conversations.customerId, filter.customerId) : undefined,
    filter.search ? searchCondition(filter.search) : undefined,
  );
}

/** Customers waiting longest come first (the metric platforms judge shops on), then latest activity. */
export const listConversations = (db: Executor, filter: ConversationFilter, offset: number, limit: number) =>
  selectConversations(db)
    .where(filterConditions(filter))
    .orderBy(
      sql`${conversations.waitingSince} asc nulls last`,
      desc(conversations.lastMessageAt),
      desc(conversations.id),
    )
    .offset(offset)
    .limit(limit);

/**
 * The tabs' counts (我的 / 待分配 / 全部) under the list's status and search. With a search this reads every
 * conversation of the status, like the list does for a rare term (message content has no index).
 */
export async function countConversations(
  db: Executor,
  workspaceId: string,
  userId: string,
  status: Status | undefined,
  search?: ConversationSearch,
) {
  const rows = await db
    .select({
      mine: sql<number>`count(*) filter (where ${conversations.assigneeId} = ${userId})::int`,
      unassigned: sql<number>`count(*) filter (where ${conversations.assigneeId} is null)::int`,
      all: sql<number>`count(*)::int`,
    })
    .from(conversations)
    .where(
      and(
        eq(conversations.workspaceId, workspaceId),
        status ? eq(conversations.status, status) : undefined,
        search ? searchCondition(search) : undefined,
      ),
    );
  return rows[0]!;
}

export const findConversation = async (
  db: Executor,
  workspaceId: string,
  id: string,
): Promise<ConversationRow | undefined> =>
  (await selectConversations(db).where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, id))))[0];

/** Conversations by id, oldest first (the ids travel as one array parameter, however many). */
export const findConversations = async (
  db: Executor,
  workspaceId: string,
  ids: string[],
): Promise<ConversationRow[]> =>
  ids.length === 0
    ? []
    : selectConversations(db)
        .where(
          and(eq(conversations.workspaceId, workspaceId), sql`${conversations.id} = any(${sql.param(ids)}::uuid[])`),
        )
        .orderBy(conversations.id);

/** Takes a team off every conversation that has it (the team is being deleted); answers their ids and statuses. */
export const clearTeam = (db: Executor, workspaceId: string, teamId: string) =>
  db
    .update(conversations)
    .set({ teamId: null, updatedAt: new Date() })
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.teamId, teamId)))
    .returning({ id: conversations.id, status: conversations.status });

/** Every change of a conversation goes through here, so a resolution always records its time. */
export const updateConversation = (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<Record<keyof typeof conversations.$inferInsert, unknown>>,
) => {
  const now = new Date();
  const resolved = patch.status === 'resolved' ? { resolvedAt: now } : {};
  return db
    .update(conversations)
    .set({ ...patch, ...resolved, updatedAt: now } as Partial<typeof conversations.$inferInsert>)
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, id)));
};

const messageColumns = { ...getTableColumns(messages), senderName: users.name };

const selectMessages = (db: Executor) =>
  db.select(messageColumns).from(messages).leftJoin(users, eq(users.id, messages.senderId));

/** Newest first, keyset on id (UUIDv7 is time-ordered). */
export const listMessages = (
  db: Executor,
  workspaceId: string,
  conversationId: string,
  before: string | undefined,
  limit: number,
) =>
  selectMessages(db)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.conversationId, conversationId),
        before ? lt(messages.id, before) : undefined,
      ),
    )
    .orderBy(desc(messages.id))
    .limit(limit);

/**
 * Customers' messages received since `since`, oldest first: the time-ordered primary key keeps it an index scan, and
 * `created_at` leaves out rows written recently with an earlier time of their own (the demo's history).
 */
export const listInboundSince = (db: Executor, since: Date, limit: number) =>
  selectMessages(db)
    .where(and(gte(messages.id, idFloorAt(since)), gte(messages.createdAt, since), eq(messages.direction, 'inbound')))
    .orderBy(messages.id)
    .limit(limit);

/** A customer's public (non-private) messages across all their conversations in one inbox, newest first. */
export function listCustomerMessages(
  db: Executor,
  workspaceId: string,
  inboxId: string,
  customerId: string,
  before: string | undefined,
  limit: number,
) {
  const conversationIds = db
    .select({ id: conversations.id })
    .from(conversations)
    .where(
      and(
        eq(conversations.workspaceId, workspaceId),
        eq(conversations.inboxId, inboxId),
        eq(conversations.customerId, customerId),
      ),
    );
  return selectMessages(db)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        inArray(messages.conversationId, conversationIds),
        eq(messages.private, false),
        before ? lt(messages.id, before) : undefined,
      ),
    )
    .orderBy(desc(messages.id))
    .limit(limit);
}

export const findMessageByClientId = async (
  db: Executor,
  workspaceId: string,
  conversationId: string,
  clientMsgId: string,
) =>
  (
    await selectMessages(db).where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.conversationId, conversationId),
        eq(messages.clientMsgId, clientMsgId),
      ),
    )
  )[0];

/** The id of the customer's latest unresolved conversation in an inbox, if any. */
export async function findUnresolvedConversationId(
  db: Executor,
  workspaceId: string,
  inboxId: string,
  customerId: string,
): Promise<string | undefined> {
  const [row] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(
      and(
        eq(conversations.workspaceId, workspaceId),
        eq(conversations.inboxId, inboxId),
        eq(conversations.customerId, customerId),
        sql`${conversations.status} <> 'resolved'`,
      ),
    )
    .orderBy(desc(conversations.id))
    .limit(1);
  return row?.id;
}

/**
 * The customer's latest unresolved conversation in an inbox, or a new open one assigned to `assigneeId` (an agent
 * writing first); the advisory lock keeps two concurrent first messages in one conversation.
 */
export async function openOutboundConversation(
  db: Executor,
  input: { id: string; workspaceId: string; inboxId: string; customerId: string; assigneeId: string | null },
): Promise<{ id: string; created: boolean }> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`conversation:${input.inboxId}:${input.customerId}`}))`);
  const existingId = await findUnresolvedConversationId(db, input.workspaceId, input.inboxId, input.customerId);
  if (existingId) return { id: existingId, created: false };
  await db.insert(conversations).values({ ...input, status: 'open' });
  return { id: input.id, created: true };
}

/** Stores a message unless its client id was stored before: the stored row, or undefined for a duplicate. */
export async function insertMessage(db: Executor, row: typeof messages.$inferInsert) {
  const inserted = await db.insert(messages).values(row).onConflictDoNothing().returning();
  return inserted[0];
}

export const findMessage = async (db: Executor, workspaceId: string, id: string): Promise<MessageRow | undefined> =>
  (await selectMessages(db).where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, id))))[0];

/**
 * Snoozed conversations whose time has come go back to open, keeping their assignee, and wait from the moment the
 * snooze ended (or since earlier, when the customer was already waiting unanswered), so they rank near the top of the
 * list. Answers them with who snoozed them and until when. Rows another sweep holds are skipped (safe on two nodes).
 */
export async function wakeSnoozed(db: Executor) {
  const result = await db.execute<{
    id: string;
    workspace_id: string;
    assignee_id: string | null;
    snoozed_by: string | null;
    snoozed_until: Date | string;
  }>(sql`
    with due as (
      select id, snoozed_until, snoozed_by from ${conversations}
      where status = 'snoozed' and snoozed_until < now()
      for update skip locked
    )
    update ${conversations} c
    set status = 'open', snoozed_until = null, snoozed_by = null,
      waiting_since = coalesce(c.waiting_since, due.snoozed_until), updated_at = now()
    from due
    where c.id = due.id
    returning c.id, c.workspace_id, c.assignee_id, due.snoozed_by, due.snoozed_until`);
  return result.rows.map((row) => ({
    id: row.id,
    workspaceId: row.workspace_id,
    assigneeId: row.assignee_id,
    snoozedBy: row.snoozed_by,
    snoozedUntil: new Date(row.snoozed_until),
  }));
}

/**
 * Gives an unassigned conversation to `userId` (an agent's first reply claims it); answers whether it did. One already
 * assigned — also by a reply committed meanwhile, whose row lock this waits for — is left to its owner.
 */
export async function claimConversation(db: Executor, workspaceId: string, id: string, userId: string) {
  const claimed = await db
    .update(conversations)
    .set({ assigneeId: userId, updatedAt: new Date() })
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, id), isNull(conversations.assigneeId)))
    .returning({ id: conversations.id });
  return claimed.length > 0;
}

export type ReceivedInbound = {
  is_duplicate: boolean;
  message_id: string;
  message_content: string;
  message_created_at: Date;
  sentiment_label: SentimentLabel | null;
  sentiment_score: number | null;
  urgency_reasons: string[] | null;
  conversation_id: string;
  status: ConversationRow['status'];
  assignee_id: string | null;
  team_id: string | null;
  snoozed_until: Date | null;
  waiting_since: Date | null;
  last_message_at: Date;
  last_message_preview: string | null;
  unread_count: number;
  last_urgent: boolean;
  priority: ConversationRow['priority'];
  conversation_created_at: Date;
  subject: string | null;
  inbox_name: string;
  customer_name: string | null;
  /** The conversation's customer; null (and no message) for a sender named by an identity that is not stored yet. */
  customer_id: string | null;
};

/** One inbound message as the SQL function takes it. */
export type InboundRow = {
  workspaceId: string;
  inboxId: string;
  /** Null when the sender is named by `identityKind` + `identityExternalId` (an identity of this inbox) instead. */
  customerId: string | null;
  identityKind?: string;
  identityExternalId?: string;
  messageId: string;
  newConversationId: string;
  content: string;
  clientMsgId: string | null;
  preview: string;
  /** Scored before the insert (nlp module), stored in the same row. */
  sentimentLabel: SentimentLabel | null;
  sentimentScore: number | null;
  urgencyReasons: string[] | null;
  /** False for a stand-in or empty content (nlp's isScorable): the function adds no repeated_contact to it. */
  isScored: boolean;
  externalId?: string;
  channelMeta?: Record<string, unknown>;
  attachments?: { fileId: string; name: string; contentType: string; size: number }[];
  threadId?: string;
};

/**
 * Stores inbound messages in one transaction and answers them with their conversations, in the order given.
 * A named (prepared) statement on the driver: parsed and planned once per connection. See migrations
 * 0001_receive_inbound.sql and 0047_inbound_identity.sql (senders named by an identity).
 */
export async function receiveInboundBatch(db: Db, inputs: InboundRow[]) {
  const result = await db.$client.query<ReceivedInbound & { ordinal: string }>({
    name: 'huike_receive_inbound_batch',
    text: 'select * from huike_receive_inbound_batch($1::jsonb) order by ordinal',
    values: [JSON.stringify(inputs)],
  });
  return result.rows;
}
