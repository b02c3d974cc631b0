import type { DeliveryReason } from '@huike/contracts';
import { and, eq, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import { channelState, conversations, customerIdentities, customers, inboxes, messages } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import type { DeliveryFailure } from '../../platform/outbox.ts';

export type InboxRow = typeof inboxes.$inferSelect;

export const listInboxes = (db: Executor, workspaceId: string) =>
  db.select().from(inboxes).where(eq(inboxes.workspaceId, workspaceId)).orderBy(inboxes.createdAt);

export const findInbox = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(inboxes)
      .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.id, id)))
  )[0];

export const findInboxByToken = async (db: Executor, token: string) =>
  (await db.select().from(inboxes).where(eq(inboxes.token, token)))[0];

export const insertInbox = async (db: Executor, row: typeof inboxes.$inferInsert) =>
  (await db.insert(inboxes).values(row).returning())[0]!;

export const updateInbox = async (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<typeof inboxes.$inferInsert>,
) =>
  (
    await db
      .update(inboxes)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.id, id)))
      .returning()
  )[0];

/**
 * A channel's fetch failed (ChannelRuntime.health): the reason replaces the last one, the start of the run of failures
 * and the last success stay.
 */
export const recordReceiveFailure = (db: Executor, workspaceId: string, inboxId: string, failure: DeliveryFailure) =>
  db.execute(sql`
    update inboxes
       set health = jsonb_build_object(
             'error', ${failure.error}::text,
             'reason', ${JSON.stringify(failure.reason)}::jsonb,
             'failingSince', coalesce(nullif(health->'failingSince', 'null'::jsonb), to_jsonb(now())),
             'lastSuccessAt', health->'lastSuccessAt')
     where workspace_id = ${workspaceId} and id = ${inboxId}`);

/**
 * A channel's fetch worked: clears a failure and notes the time. While all is well the row is rewritten at most once
 * a minute, so an IMAP loop that wakes for every new mail does not update its inbox each time.
 */
export const recordReceiveSuccess = (db: Executor, workspaceId: string, inboxId: string) =>
  db.execute(sql`
    update inboxes
       set health = jsonb_build_object(
             'error', null, 'reason', null, 'failingSince', null, 'lastSuccessAt', to_jsonb(now()))
     where workspace_id = ${workspaceId} and id = ${inboxId}
       and (health is null or health->>'error' is not null or health->>'lastSuccessAt' is null
            or (health->>'lastSuccessAt')::timestamptz < now() - interval '1 minute')`);

export const firstWebsiteInbox = async (db: Executor) =>
  (await db.select().from(inboxes).where(eq(inboxes.channelType, 'website')).orderBy(inboxes.createdAt).limit(1))[0];

export const inboxesOfType = (db: Executor, type: InboxRow['channelType']) =>
  db.select().from(inboxes).where(eq(inboxes.channelType, type)).orderBy(inboxes.createdAt);

/** A channel's running state for an inbox (IMAP position, cached access token). */
export const readChannelState = async (db: Executor, inboxId: string, key: string) =>
  (
    await db
      .select({ value: channelState.value })
      .from(channelState)
      .where(and(eq(channelState.inboxId, inboxId), eq(channelState.key, key)))
  )[0]?.value;

export const writeChannelState = (
  db: Executor,
  row: { workspaceId: string; inboxId: string; key: string; value: Record<string, unknown> },
) =>
  db
    .insert(channelState)
    .values(row)
    .onConflictDoUpdate({
      target: [channelState.inboxId, channelState.key],
      set: { value: row.value, updatedAt: new Date() },
    });

/**
 * Takes or renews a lease kept as channel state (`{holder, until}`): true when `holder` has it for `ttlMs` from
 * now — it was free, expired, or already theirs. One statement, so two workers never both get it.
 */
export async function leaseChannelState(
  db: Executor,
  row: { workspaceId: string; inboxId: string; key: string; holder: string; ttlMs: number },
) {
  const result = await db.execute(sql`
    insert into channel_state (workspace_id, inbox_id, key, value, updated_at)
    values (${row.workspaceId}, ${row.inboxId}, ${row.key},
            jsonb_build_object('holder', ${row.holder}::text, 'until', now() + make_interval(secs => ${row.ttlMs / 1000})),
            now())
    on conflict (inbox_id, key) do update set value = excluded.value, updated_at = now()
     where channel_state.value->>'holder' = ${row.holder}
        or (channel_state.value->>'until')::timestamptz < now()`);
  return (result.rowCount ?? 0) > 0;
}

export const deleteChannelState = (db: Executor, inboxId: string, key: string) =>
  db.delete(channelState).where(and(eq(channelState.inboxId, inboxId), eq(channelState.key, key)));

/** Gives a lease up at once (a worker stopping), if `holder` still has it. */
export const releaseChannelState = (db: Executor, inboxId: string, key: string, holder: string) =>
  db.execute(sql`
    delete from channel_state where inbox_id = ${inboxId} and key = ${key} and value->>'holder' = ${holder}`);

/** What delivering a message needs beyond the message: its conversation's customer and their identities here. */
export async function deliveryContext(db: Executor, workspaceId: string, messageId: string) {
  const [row] = await db
    .select({
      conversationId: conversations.id,
      inboxId: conversations.inboxId,
      customerId: customers.id,
      name: customers.name,
      email: customers.email,
      phone: customers.phone,
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(customers, eq(customers.id, conversations.customerId))
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, messageId)));
  if (!row) return undefined;
  const recipients = await db
    .select({ kind: customerIdentities.kind, externalId: customerIdentities.externalId })
    .from(customerIdentities)
    .where(
      and(
        eq(customerIdentities.workspaceId, workspaceId),
        eq(customerIdentities.customerId, row.customerId),
        eq(customerIdentities.inboxId, row.inboxId),
      ),
    )
    .orderBy(customerIdentities.createdAt);
  const thread = await db
    .select({ externalId: messages.externalId, direction: messages.direction, channelMeta: messages.channelMeta })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.conversationId, row.conversationId),
        lt(messages.id, messageId),
        isNotNull(messages.externalId),
      ),
    )
    .orderBy(messages.id);
  return {
    ...row,
    recipients,
    thread: thread.map((item) => ({ ...item, externalId: item.externalId! })),
  };
}

export const setDeliveryState = (
  db: Executor,
  workspaceId: string,
  messageId: string,
  patch: Pick<
    Partial<typeof messages.$inferInsert>,
    'deliveryStatus' | 'deliveryError' | 'deliveryReason' | 'externalId' | 'channelMeta'
  >,
) =>
  db
    .update(messages)
    .set(patch)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, messageId)));

/** Message ids as channels write them: an email's Message-ID with and without its angle brackets. */
const idForms = (ids: readonly string[]) => [
  ...new Set(ids.flatMap((id) => [id, id.startsWith('<') ? id.slice(1, -1) : `<${id}>`]).filter(Boolean)),
];

/** Email threading: the conversation (in this inbox) of the first message whose id is among `ids`, in their order. */
export async function findConversationByExternalIds(
  db: Executor,
  workspaceId: string,
  inboxId: string,
  ids: readonly string[],
): Promise<string | undefined> {
  if (ids.length === 0) return undefined;
  const rows = await db
    .select({ conversationId: messages.conversationId, externalId: messages.externalId })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        inArray(messages.externalId, idForms(ids)),
        eq(conversations.workspaceId, workspaceId),
        eq(conversations.inboxId, inboxId),
      ),
    );
  for (const id of ids) {
    const found = rows.find((row) => row.externalId && idForms([id]).includes(row.externalId));
    if (found) return found.conversationId;
  }
  return undefined;
}

/** Whether an inbound message with this channel id is already stored in the inbox (a redelivered email). */
export async function hasInboundExternalId(db: Executor, workspaceId: string, inboxId: string, externalId: string) {
  const [row] = await db
    .select({ id: messages.id })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.externalId, externalId),
        eq(messages.direction, 'inbound'),
        eq(conversations.workspaceId, workspaceId),
        eq(conversations.inboxId, inboxId),
      ),
    )
    .limit(1);
  return Boolean(row);
}

/**
 * A channel's later word on an outbound message of the inbox (email bounce, SMS delivery report), found by the id
 * the channel gave it; answers the ids of the messages changed.
 */
export async function updateDeliveryByExternalId(
  db: Executor,
  workspaceId: string,
  inboxId: string,
  externalId: string,
  patch: {
    deliveryStatus: 'delivered' | 'bounced' | 'failed';
    deliveryError: string | null;
    deliveryReason: DeliveryReason | null;
  },
) {
  const inInbox = db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.inboxId, inboxId)));
  return db
    .update(messages)
    .set(patch)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        inArray(messages.externalId, idForms([externalId])),
        eq(messages.direction, 'outbound'),
        inArray(messages.conversationId, inInbox),
      ),
    )
    .returning({ id: messages.id });
}

/** An email inbox's token written in any case (some mail servers lower-case addresses); undefined unless one matches. */
export async function emailInboxTokenIgnoringCase(db: Executor, token: string) {
  const rows = await db
    .select({ token: inboxes.token })
    .from(inboxes)
    .where(and(eq(inboxes.channelType, 'email'), sql`lower(${inboxes.token}) = lower(${token})`))
    .limit(2);
  return rows.length === 1 ? rows[0]!.token : undefined;
}

/** An outbound message delivered outside the outbox (a WeChat passive reply): sent, with `meta` added to its channelMeta. */
export const markSentWith = (db: Executor, workspaceId: string, messageId: string, meta: Record<string, unknown>) =>
  db
    .update(messages)
    .set({
      deliveryStatus: 'sent',
      deliveryError: null,
      deliveryReason: null,
      channelMeta: sql`coalesce(${messages.channelMeta}, '{}'::jsonb) || ${JSON.stringify(meta)}::jsonb`,
    })
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, messageId)));
