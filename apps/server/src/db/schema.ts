import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};
const workspaceId = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' });

export const workspaces = pgTable('workspaces', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  timezone: text('timezone').notNull().default('Asia/Shanghai'),
  /** Workspace-level settings by key (`rfm`, `lifecycle`, `staleProfileDays`, …); each module validates its keys. */
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  ...timestamps,
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ['owner', 'admin', 'supervisor', 'agent', 'analyst'] }).notNull(),
    passwordHash: text('password_hash').notNull(),
    disabled: boolean('disabled').notNull().default(false),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [uniqueIndex('users_email_key').on(t.email), index('users_workspace_idx').on(t.workspaceId)],
);

export const teams = pgTable(
  'teams',
  { id: uuid('id').primaryKey(), workspaceId: workspaceId(), name: text('name').notNull(), ...timestamps },
  (t) => [uniqueIndex('teams_workspace_name_key').on(t.workspaceId, t.name)],
);

export const teamMembers = pgTable(
  'team_members',
  {
    workspaceId: workspaceId(),
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.teamId, t.userId] })],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    csrfToken: text('csrf_token').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex('sessions_token_hash_key').on(t.tokenHash), index('sessions_user_idx').on(t.userId)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** The token's first characters, shown in lists so people can tell tokens apart (null: made before it was kept). */
    tokenPrefix: text('token_prefix'),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [uniqueIndex('api_tokens_token_hash_key').on(t.tokenHash)],
);

/** Inbox settings; businessHours and offlineReply belong to the business-hours module (absent: always open). */
export type InboxSettingsColumn = {
  color: string;
  greeting: string;
  businessHours?: {
    enabled: boolean;
    timezone: string;
    weekly: Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', { start: string; end: string }[]>;
  };
  offlineReply?: { enabled: boolean; content: string };
  /** FAQ bot (knowledge module; absent: off). threshold: minimum match confidence 0..1. */
  bot?: { enabled: boolean; threshold: number; greeting: string; quickQuestions: string[] };
};

export const inboxes = pgTable(
  'inboxes',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    channelType: text('channel_type', { enum: ['website', 'api', 'email', 'wechat', 'sms'] }).notNull(),
    token: text('token').notNull(),
    secret: text('secret').notNull(),
    settings: jsonb('settings').$type<InboxSettingsColumn>().notNull(),
    /**
     * The channel adapter's connection settings (channels/adapters/<type>: its `config` schema). Keys the adapter
     * lists as secret (passwords, app secrets) are stored encrypted with platform/crypto.ts, never in plaintext.
     */
    channelConfig: jsonb('channel_config').$type<Record<string, unknown>>().notNull().default({}),
    /**
     * Receive health written by the adapter that fetches the channel's messages (IMAP): `{error, reason,
     * failingSince, lastSuccessAt}` with ISO times; null until it first reports. See ChannelRuntime.health.
     */
    health: jsonb('health').$type<{
      error: string | null;
      /** The same failure as a code and its values (absent on rows written before reasons had codes). */
      reason?: { code: string; params: Record<string, string | number> } | null;
      failingSince: string | null;
      lastSuccessAt: string | null;
    }>(),
    ...timestamps,
  },
  (t) => [uniqueIndex('inboxes_token_key').on(t.token), index('inboxes_workspace_idx').on(t.workspaceId)],
);

/** Stored with fillfactor 70 (migration 0003): value recomputes and tag mirrors rewrite rows often. */
export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    name: text('name'),
    phone: text('phone'),
    email: text('email'),
    notes: text('notes').notNull().default(''),
    // profile (customers module)
    nickname: text('nickname'),
    phones: text('phones').array().notNull().default(sql`'{}'::text[]`),
    emails: text('emails').array().notNull().default(sql`'{}'::text[]`),
    gender: text('gender', { enum: ['male', 'female', 'unknown'] })
      .notNull()
      .default('unknown'),
    birthday: date('birthday', { mode: 'string' }),
    region: text('region'),
    source: text('source'),
    campaign: text('campaign'),
    customFields: jsonb('custom_fields').$type<Record<string, unknown>>().notNull().default({}),
    /** AES-256-GCM ciphertext (platform/crypto.ts); never the plaintext. */
    idCardEnc: text('id_card_enc'),
    bankCardEnc: text('bank_card_enc'),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    /** Set on a record merged away: such rows are hidden everywhere (undo clears it). */
    mergedIntoId: uuid('merged_into_id'),
    /** Contact fields ('phone', 'email') a website visitor typed and nobody verified; an agent's edit clears them. */
    unverifiedContacts: text('unverified_contacts').array().notNull().default(sql`'{}'::text[]`),
    profileUpdatedAt: timestamp('profile_updated_at', { withTimezone: true }),
    // value (orders module): purchase aggregates kept by every order upsert; RFM and lifecycle derived from them
    orderCount: integer('order_count').notNull().default(0),
    totalSpentFen: bigint('total_spent_fen', { mode: 'number' }).notNull().default(0),
    firstOrderAt: timestamp('first_order_at', { withTimezone: true }),
    lastOrderAt: timestamp('last_order_at', { withTimezone: true }),
    rfmR: smallint('rfm_r'),
    rfmF: smallint('rfm_f'),
    rfmM: smallint('rfm_m'),
    rfmTier: text('rfm_tier', { enum: ['loyal', 'potential', 'new', 'winback', 'churned'] }),
    lifecycleStage: text('lifecycle_stage', {
      enum: ['prospect', 'new', 'active', 'dormant', 'churned', 'returning'],
    })
      .notNull()
      .default('prospect'),
    /** The stage before the current one: 回流 (returning) is only reachable from 沉睡 or 流失. */
    lifecyclePreviousStage: text('lifecycle_previous_stage'),
    lifecycleChangedAt: timestamp('lifecycle_changed_at', { withTimezone: true }),
    // search (customers/customer-search.ts): computed in JS by searchColumns(); null search_version = not yet
    searchName: text('search_name'),
    searchText: text('search_text'),
    searchGrams: text('search_grams').array(),
    searchPinyin: text('search_pinyin'),
    searchInitials: text('search_initials'),
    /** Digits of the main phone (exact and prefix matches); `search_phones` has every phone (fragments). */
    searchPhone: text('search_phone'),
    searchPhones: text('search_phones'),
    /** The main email, normalised (exact and prefix matches); `search_emails` has every email (fragments). */
    searchEmail: text('search_email'),
    searchEmails: text('search_emails'),
    searchVersion: smallint('search_version'),
    /**
     * segments: a copy of the customer's customer_tags ids, kept by triggers on customer_tags (migration
     * customer_tag_ids_sync); segment tag conditions test it through a GIN index (bitmap AND of posting lists).
     */
    tagIds: uuid('tag_ids').array().notNull().default(sql`'{}'::uuid[]`),
    /** Set when the customer replied 退订/TD to a marketing SMS (or asked otherwise): no more campaigns. */
    marketingOptOutAt: timestamp('marketing_opt_out_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index('customers_workspace_idx').on(t.workspaceId, t.id),
    // Exact (rows come out newest first) and prefix lookups; grams for 1–2 character Chinese fragments, which
    // trigrams cannot index; trigrams for phone and email fragments.
    index('customers_search_name_idx').on(t.workspaceId, t.searchName.op('text_pattern_ops'), t.id),
    index('customers_search_pinyin_idx').on(t.workspaceId, t.searchPinyin.op('text_pattern_ops'), t.id),
    index('customers_search_initials_idx').on(t.workspaceId, t.searchInitials.op('text_pattern_ops'), t.id),
    index('customers_search_phone_idx').on(t.workspaceId, t.searchPhone.op('text_pattern_ops'), t.id),
    index('customers_search_email_idx').on(t.workspaceId, t.searchEmail.op('text_pattern_ops'), t.id),
    // A small pending list: every non-HOT update of a customer (tags, order totals) queues GIN entries there,
    // and each search scans the whole list — at the default 4 MB that was 25–30 ms per query. The 128 kB limit is
    // the app connections' gin_pending_list_limit (db/database.ts), not the indexes' own, so that an import batch
    // can raise it for its transaction; the other GIN indexes therefore state PostgreSQL's default 4 MB.
    index('customers_search_grams_idx').using('gin', t.searchGrams),
    index('customers_search_phones_idx').using('gin', t.searchPhones.op('gin_trgm_ops')),
    index('customers_search_emails_idx').using('gin', t.searchEmails.op('gin_trgm_ops')),
    index('customers_search_pending_idx').on(t.id).where(sql`search_version is null`),
    index('customers_merged_into_idx').on(t.workspaceId, t.mergedIntoId).where(sql`merged_into_id is not null`),
    // Segment counts (segments module): an RFM condition becomes a bitmap of the tier's rows, ANDed with the tag
    // conditions' bitmap from customers_tag_ids_idx before any heap page is read.
    index('customers_segment_rfm_idx').on(t.workspaceId, t.rfmTier, t.id).where(sql`merged_into_id is null`),
    index('customers_tag_ids_idx').using('gin', t.tagIds).with({ gin_pending_list_limit: 4096 }),
    // The customer list sorted by a value column (customers/customer-list-sort.ts): a page merges one range per
    // (stage, tier), walked forwards (asc) or backwards (desc). Customers without orders sort as "never ordered".
    // No tier (before the first order) is '' there: an `is null` range would not give the value's order.
    index('customers_list_spent_idx')
      .on(t.workspaceId, t.lifecycleStage, sql`coalesce(${t.rfmTier}, '')`, t.totalSpentFen, t.id)
      .where(sql`merged_into_id is null`),
    index('customers_list_orders_idx')
      .on(t.workspaceId, t.lifecycleStage, sql`coalesce(${t.rfmTier}, '')`, t.orderCount, t.id)
      .where(sql`merged_into_id is null`),
    index('customers_list_last_order_idx')
      .on(
        t.workspaceId,
        t.lifecycleStage,
        sql`coalesce(${t.rfmTier}, '')`,
        sql`coalesce(${t.lastOrderAt}, '-infinity'::timestamptz)`,
        t.id,
      )
      .where(sql`merged_into_id is null`),
    // 资料待更新 (customers.repository.ts listStaleProfiles): live customers oldest profile first, a keyset walk that
    // stops at the smallest threshold instead of sorting the workspace (1.8 s a page at 1M customers).
    index('customers_stale_profile_idx')
      .on(t.workspaceId, sql`coalesce(${t.profileUpdatedAt}, ${t.createdAt})`, t.id)
      .where(sql`merged_into_id is null`),
    // Contact lookups: identity resolution (orders API, imports) and duplicate detection.
    index('customers_phone_idx').on(t.workspaceId, t.phone),
    index('customers_email_idx').on(t.workspaceId, sql`lower(${t.email})`),
    // Duplicate detection (customers.repository.ts): a region's names, read from the index alone, for similar names
    // on the profile; the same name in a region for the workspace list.
    index('customers_duplicate_name_idx')
      .on(t.workspaceId, t.region, t.searchName, t.id)
      .where(sql`merged_into_id is null and region is not null and search_name is not null`),
    // Only customers with other phones (few): imports look a batch's phones up here, and a small index keeps the
    // planner on it instead of filtering every row of the workspace by array overlap.
    index('customers_other_phones_idx')
      .using('gin', t.phones)
      .with({ gin_pending_list_limit: 4096 })
      .where(sql`${t.phones} <> '{}'::text[]`),
  ],
);

/** How a customer is known on a channel: a source id (widget visitor or API contact) or a signed shop user id. */
export const customerIdentities = pgTable(
  'customer_identities',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    /** Null for identities that belong to no inbox (phone, email, platform buyer id). */
    inboxId: uuid('inbox_id').references(() => inboxes.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['source', 'shop_user', 'email', 'phone', 'platform_buyer'] }).notNull(),
    externalId: text('external_id').notNull(),
    tokenHash: text('token_hash'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('customer_identities_key').on(t.workspaceId, t.inboxId, t.kind, t.externalId),
    uniqueIndex('customer_identities_global_key').on(t.workspaceId, t.kind, t.externalId).where(sql`inbox_id is null`),
    index('customer_identities_customer_idx').on(t.workspaceId, t.customerId),
    // Customer search by platform buyer id (买家会员名 / 旺旺名 / 京东 pin): the part after `<platform>:`, lowered, for
    // exact and prefix matches on every platform in one probe (customer-search.ts buyerMatch).
    index('customer_identities_buyer_search_idx')
      .on(t.workspaceId, sql`lower(substr(${t.externalId}, strpos(${t.externalId}, ':') + 1)) text_pattern_ops`)
      .where(sql`kind = 'platform_buyer'`),
  ],
);

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['open', 'pending', 'snoozed', 'resolved'] })
      .notNull()
      .default('open'),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
    snoozedUntil: timestamp('snoozed_until', { withTimezone: true }),
    /** Who snoozed it: told when it wakes if nobody is assigned (cleared on waking). */
    snoozedBy: uuid('snoozed_by').references(() => users.id, { onDelete: 'set null' }),
    waitingSince: timestamp('waiting_since', { withTimezone: true }),
    firstReplyAt: timestamp('first_reply_at', { withTimezone: true }),
    /** When it was last resolved (kept when it reopens; the status tells whether it is resolved now). */
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }).notNull().defaultNow(),
    lastMessagePreview: text('last_message_preview'),
    unreadCount: integer('unread_count').notNull().default(0),
    /** Whether the latest inbound customer message was urgent (nlp module; set on the inbound write, unindexed). */
    lastUrgent: boolean('last_urgent').notNull().default(false),
    /** Email conversations: the first mail's subject (shown in the inbox list and searched). */
    subject: text('subject'),
    /** Set by agents and automation rules (automation module). */
    priority: text('priority', { enum: ['low', 'normal', 'high', 'urgent'] })
      .notNull()
      .default('normal'),
    ...timestamps,
  },
  (t) => [
    // No activity times in indexes: a new message updates them, and an update touching no indexed column
    // is a HOT update (no index writes) — this keeps the busiest row write of the product cheap. For the same write,
    // the table keeps 30% of each page free (fillfactor 70, migration 0030: Drizzle does not model it).
    index('conversations_list_idx').on(t.workspaceId, t.status),
    index('conversations_customer_idx').on(t.workspaceId, t.customerId, t.inboxId),
    index('conversations_assignee_idx').on(t.workspaceId, t.assigneeId, t.status),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    direction: text('direction', { enum: ['inbound', 'outbound'] }).notNull(),
    senderKind: text('sender_kind', { enum: ['customer', 'agent', 'bot', 'system'] }).notNull(),
    senderId: uuid('sender_id'),
    content: text('content').notNull(),
    private: boolean('private').notNull().default(false),
    clientMsgId: text('client_msg_id'),
    /** Files sent with the message (agent replies, templates, automation); files of purpose 'attachment'. */
    attachments: jsonb('attachments')
      .$type<{ fileId: string; name: string; contentType: string; size: number }[]>()
      .notNull()
      .default([]),
    /** Inbound customer messages only (nlp module), scored before the insert; null for others. */
    sentimentLabel: text('sentiment_label', { enum: ['positive', 'neutral', 'negative'] }),
    sentimentScore: real('sentiment_score'),
    /** Why the message is urgent (empty: not urgent; null: not scored). */
    urgencyReasons: text('urgency_reasons').array(),
    /**
     * The channel's own id of the message: an email's Message-ID, a WeChat MsgId, an integrator's message id.
     * Inbound: set from the channel (also the clientMsgId that makes redelivery idempotent); outbound: set when
     * the channel accepted it. Email threading looks replies up by it.
     */
    externalId: text('external_id'),
    /** Outbound on a channel that delivers later (email, WeChat, SMS, API): null for widget and private messages. */
    deliveryStatus: text('delivery_status', { enum: ['pending', 'sent', 'delivered', 'failed', 'bounced'] }),
    deliveryError: text('delivery_error'),
    /** The same failure as a code and its values (null on rows written before reasons had codes). */
    deliveryReason: jsonb('delivery_reason').$type<{ code: string; params: Record<string, string | number> }>(),
    /** What the channel adds (email: subject, from, to, cc, sanitised html, references; WeChat: msgType, event). */
    channelMeta: jsonb('channel_meta').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('messages_conversation_idx').on(t.workspaceId, t.conversationId, t.id),
    index('messages_external_id_idx').on(t.workspaceId, t.externalId).where(sql`external_id is not null`),
    uniqueIndex('messages_client_msg_id_key')
      .on(t.workspaceId, t.conversationId, t.clientMsgId)
      .where(sql`client_msg_id is not null`),
  ],
);

/** Realtime payloads too large for a NOTIFY (8 kB): the notification carries this row's id instead. */
export const realtimePayloads = pgTable('realtime_payloads', {
  id: uuid('id').primaryKey(),
  workspaceId: workspaceId(),
  payload: text('payload').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Background work with progress its creator can watch (imports, exports, bulk actions, recomputes). */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    kind: text('kind').notNull(),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] })
      .notNull()
      .default('queued'),
    payload: jsonb('payload').notNull(),
    /** Where a crashed run resumes: written by the job together with its progress. */
    checkpoint: jsonb('checkpoint'),
    progressDone: integer('progress_done').notNull().default(0),
    progressTotal: integer('progress_total'),
    result: jsonb('result').$type<Record<string, unknown>>(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    attempts: integer('attempts').notNull().default(0),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** Someone asked to stop the job: a running job stops at its next checkpoint, keeping the work done so far. */
    cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true }),
    cancelRequestedBy: uuid('cancel_requested_by').references(() => users.id, { onDelete: 'set null' }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index('jobs_workspace_idx').on(t.workspaceId, t.createdBy, t.id),
    index('jobs_pending_idx').on(t.id).where(sql`status in ('queued', 'running')`),
  ],
);

/**
 * Outbox (platform/outbox.ts): deliveries to the outside world (channel messages, webhooks) written in the same
 * transaction as the change that causes them, then sent by any worker with retries and backoff. A row that runs
 * out of attempts is 'dead' and can be replayed by an admin.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    /** The handler that sends it, e.g. 'channel.message', 'webhook'. */
    kind: text('kind').notNull(),
    /** What it delivers: the message id, the webhook endpoint id. */
    subjectId: uuid('subject_id').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    /** Deliveries with the same key leave one at a time, oldest first (a conversation's messages stay in order). */
    orderKey: text('order_key'),
    status: text('status', { enum: ['pending', 'succeeded', 'dead'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** When a worker may take it (again); a running attempt pushes it forward by the lease. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    /** The latest failure as a code and its values, next to its Chinese text (null on older rows). */
    lastReason: jsonb('last_reason').$type<{ code: string; params: Record<string, string | number> }>(),
    lastStatusCode: integer('last_status_code'),
    lastDurationMs: integer('last_duration_ms'),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index('deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('deliveries_order_idx').on(t.orderKey, t.id).where(sql`status = 'pending' and order_key is not null`),
    index('deliveries_subject_idx').on(t.workspaceId, t.kind, t.subjectId, t.id),
    index('deliveries_dead_idx').on(t.workspaceId, t.kind, t.id).where(sql`status = 'dead'`),
  ],
);

/** A channel's small running state per inbox: IMAP's last UID and UIDVALIDITY, WeChat's access token. */
export const channelState = pgTable(
  'channel_state',
  {
    workspaceId: workspaceId(),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: jsonb('value').$type<Record<string, unknown>>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.inboxId, t.key] })],
);

/** Outgoing webhook endpoints (modules/webhooks): events POSTed to an integrator's URL through the outbox. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    events: text('events').array().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    /** HMAC-SHA256 signing secret, shown to owners and admins (like an inbox's secret). */
    secret: text('secret').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps,
  },
  (t) => [index('webhook_endpoints_workspace_idx').on(t.workspaceId, t.id)],
);

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/** Uploaded files and job outputs, kept in PostgreSQL so every app process can serve them. */
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    contentType: text('content_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull().default(0),
    /** working: uploads and job outputs, pruned after 7 days; attachment: sent in messages and templates, kept. */
    purpose: text('purpose', { enum: ['working', 'attachment'] })
      .notNull()
      .default('working'),
    ...timestamps,
  },
  (t) => [index('files_workspace_idx').on(t.workspaceId, t.id)],
);

export const fileChunks = pgTable(
  'file_chunks',
  {
    workspaceId: workspaceId(),
    fileId: uuid('file_id')
      .notNull()
      .references(() => files.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.seq] })],
);

/** Append-only and hash-chained per workspace: each row's hash covers the previous row's hash. */
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    id: uuid('id').notNull(),
    workspaceId: workspaceId(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    details: jsonb('details').notNull().default({}),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('audit_log_workspace_idx').on(t.workspaceId, t.seq), uniqueIndex('audit_log_id_key').on(t.id)],
);

/** A customer's timeline entries (profile edits, tags, orders, imports, merges), newest read first. */
export const customerEvents = pgTable(
  'customer_events',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('customer_events_customer_idx').on(t.workspaceId, t.customerId, t.id)],
);

/** Custom profile fields an admin defines; values live in customers.custom_fields under `key`. */
export const customerFieldDefinitions = pgTable(
  'customer_field_definitions',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    key: text('key').notNull(),
    label: text('label').notNull(),
    type: text('type', { enum: ['text', 'number', 'date', 'single_select', 'multi_select'] }).notNull(),
    options: text('options').array().notNull().default(sql`'{}'::text[]`),
    required: boolean('required').notNull().default(false),
    position: integer('position').notNull().default(0),
    archived: boolean('archived').notNull().default(false),
    ...timestamps,
  },
  (t) => [uniqueIndex('customer_field_definitions_key').on(t.workspaceId, t.key)],
);

/** One merge of two customers, with everything needed to undo it exactly. */
export const customerMerges = pgTable(
  'customer_merges',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    survivorId: uuid('survivor_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    mergedId: uuid('merged_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    performedBy: uuid('performed_by').references(() => users.id, { onDelete: 'set null' }),
    /** Both rows as they were before the merge, and the ids of every row moved from the merged customer. */
    snapshot: jsonb('snapshot').$type<Record<string, unknown>>().notNull(),
    moved: jsonb('moved').$type<Record<string, unknown>>().notNull(),
    undoneAt: timestamp('undone_at', { withTimezone: true }),
    undoneBy: uuid('undone_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps,
  },
  (t) => [
    index('customer_merges_survivor_idx').on(t.workspaceId, t.survivorId),
    index('customer_merges_merged_idx').on(t.workspaceId, t.mergedId),
  ],
);

/** Orders from shops and marketplaces, upserted by (platform, order_no). Money in fen. */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    platform: text('platform', { enum: ['taobao', 'tmall', 'jd', 'douyin', 'pdd', 'website', 'other'] }).notNull(),
    orderNo: text('order_no').notNull(),
    status: text('status', { enum: ['pending', 'paid', 'shipped', 'completed', 'cancelled', 'refunded'] }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    placedAt: timestamp('placed_at', { withTimezone: true }).notNull(),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    shippedAt: timestamp('shipped_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    trackingCompany: text('tracking_company'),
    trackingNo: text('tracking_no'),
    buyerId: text('buyer_id'),
    raw: jsonb('raw'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('orders_platform_order_no_key').on(t.workspaceId, t.platform, t.orderNo),
    index('orders_customer_idx').on(t.workspaceId, t.customerId, t.placedAt),
    index('orders_placed_idx').on(t.workspaceId, t.placedAt, t.id),
    // The list filtered by status and/or platform: one ordered walk per (status, platform) pair (listOrders).
    index('orders_status_platform_idx').on(t.workspaceId, t.status, t.platform, t.placedAt, t.id),
    // Exact and prefix lookups of order and tracking numbers (also used by customer search).
    index('orders_order_no_idx').on(t.workspaceId, t.orderNo.op('text_pattern_ops')),
    index('orders_tracking_no_idx')
      .on(t.workspaceId, t.trackingNo.op('text_pattern_ops'))
      .where(sql`tracking_no is not null`),
  ],
);

export const orderItems = pgTable(
  'order_items',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    productName: text('product_name').notNull(),
    sku: text('sku'),
    quantity: integer('quantity').notNull(),
    priceFen: bigint('price_fen', { mode: 'number' }).notNull(),
  },
  (t) => [uniqueIndex('order_items_order_key').on(t.workspaceId, t.orderId, t.position)],
);

/** Tag groups: 状态 / 来源 / 行为 / custom; a single-select group lets a customer carry one of its tags at most. */
export const tagGroups = pgTable(
  'tag_groups',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['status', 'source', 'behavior', 'custom'] }).notNull(),
    selection: text('selection', { enum: ['single', 'multi'] }).notNull(),
    position: integer('position').notNull().default(0),
    ...timestamps,
  },
  (t) => [uniqueIndex('tag_groups_workspace_name_key').on(t.workspaceId, t.name)],
);

/** Tags, hierarchical inside their group (a parent includes its descendants in filters). */
export const tags = pgTable(
  'tags',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    groupId: uuid('group_id')
      .notNull()
      .references(() => tagGroups.id, { onDelete: 'cascade' }),
    parentId: uuid('parent_id').references((): AnyPgColumn => tags.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    color: text('color').notNull(),
    position: integer('position').notNull().default(0),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('tags_group_name_key').on(t.workspaceId, t.groupId, t.name),
    index('tags_parent_idx').on(t.workspaceId, t.parentId),
  ],
);

export const customerTags = pgTable(
  'customer_tags',
  {
    workspaceId: workspaceId(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    tagId: uuid('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.customerId, t.tagId] }),
    // Segment tag conditions are EXISTS probes by tag: index-only scans over (tag, customer).
    index('customer_tags_tag_idx').on(t.workspaceId, t.tagId, t.customerId),
  ],
);

export const conversationTags = pgTable(
  'conversation_tags',
  {
    workspaceId: workspaceId(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    tagId: uuid('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.conversationId, t.tagId] }),
    index('conversation_tags_tag_idx').on(t.workspaceId, t.tagId, t.conversationId),
  ],
);

/** Saved segments (分组): a filter tree (contracts `segmentFilter`) evaluated when used, never a stored list. */
export const segments = pgTable(
  'segments',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    filter: jsonb('filter').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    /**
     * The segment's last exact count and when it was taken: the list answers these at once (counting a big
     * segment takes seconds); null until counted, and again after its filter changes. Not part of `updated_at`.
     */
    customerCount: integer('customer_count'),
    countedAt: timestamp('counted_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [uniqueIndex('segments_workspace_name_key').on(t.workspaceId, t.name)],
);

/** The customers a bulk action was confirmed for, frozen at confirmation; its job walks them in id order. */
export const bulkActionTargets = pgTable(
  'bulk_action_targets',
  {
    workspaceId: workspaceId(),
    bulkId: uuid('bulk_id').notNull(),
    customerId: uuid('customer_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.bulkId, t.customerId] })],
);

/** An uploaded import file (imports-exports module): what was detected, the mapping it ran with, and how far it got. */
export const imports = pgTable(
  'imports',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    kind: text('kind', { enum: ['customers', 'orders'] }).notNull(),
    fileId: uuid('file_id')
      .notNull()
      .references(() => files.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    format: text('format', { enum: ['csv', 'xlsx'] }).notNull(),
    encoding: text('encoding').notNull(),
    columns: jsonb('columns').$type<string[]>().notNull(),
    sampleRows: jsonb('sample_rows').$type<string[][]>().notNull(),
    suggestedMapping: jsonb('suggested_mapping').$type<Record<string, string | null>>().notNull(),
    mapping: jsonb('mapping').$type<Record<string, string | null>>(),
    /** The platform of rows without a 平台 cell: seller tools export one platform per file, without that column. */
    defaultPlatform: text('default_platform', {
      enum: ['taobao', 'tmall', 'jd', 'douyin', 'pdd', 'website', 'other'],
    }),
    jobId: uuid('job_id'),
    /** The language of the run's rejected-rows report (the runner's UI language); null before it existed: zh-CN. */
    locale: text('locale', { enum: ['zh-CN', 'en'] }),
    /** Last data row committed by the run (spreadsheet row number); a resumed run continues after it. */
    committedRow: integer('committed_row').notNull().default(1),
    counts: jsonb('counts')
      .$type<{ created: number; updated: number; unchanged: number; rejected: number }>()
      .notNull()
      .default({ created: 0, updated: 0, unchanged: 0, rejected: 0 }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps,
  },
  (t) => [index('imports_workspace_idx').on(t.workspaceId, t.id)],
);

/** Rows an import run rejected, written in the same transaction as the rows it committed. */
export const importRejections = pgTable(
  'import_rejections',
  {
    workspaceId: workspaceId(),
    importId: uuid('import_id')
      .notNull()
      .references(() => imports.id, { onDelete: 'cascade' }),
    row: integer('row').notNull(),
    /** Every reason in Chinese, joined with 「；」. */
    reason: text('reason').notNull(),
    /** The same reasons as codes and values (ImportCellError), to word them in another language; null in older rows. */
    issues: jsonb('issues').$type<{ code: string; params: Record<string, string | number>; reason: string }[]>(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.importId, t.row] })],
);

/** Reply templates (话术): personal (owner), team or workspace scope; search columns computed in JS on write. */
export const templates = pgTable(
  'templates',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    scope: text('scope', { enum: ['personal', 'team', 'workspace'] }).notNull(),
    ownerUserId: uuid('owner_user_id').references(() => users.id, { onDelete: 'cascade' }),
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'cascade' }),
    category: text('category').notNull(),
    title: text('title').notNull(),
    content: text('content').notNull(),
    /** Empty: for every customer; otherwise the template belongs to these segments' 话术 sets. */
    segmentIds: uuid('segment_ids').array().notNull().default(sql`'{}'::uuid[]`),
    attachments: jsonb('attachments')
      .$type<{ fileId: string; name: string; contentType: string }[]>()
      .notNull()
      .default([]),
    searchText: text('search_text').notNull(),
    searchKeys: jsonb('search_keys')
      .$type<{
        text: string;
        titlePinyin: string;
        titleInitials: string;
        contentPinyin: string;
        contentInitials: string;
      }>()
      .notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps,
  },
  (t) => [
    index('templates_workspace_idx').on(t.workspaceId, t.scope, t.category),
    index('templates_owner_idx').on(t.workspaceId, t.ownerUserId).where(sql`owner_user_id is not null`),
  ],
);

/** How often each agent inserted each template, per day (upserted: one row per template, agent and day). */
export const templateUsages = pgTable(
  'template_usages',
  {
    workspaceId: workspaceId(),
    templateId: uuid('template_id')
      .notNull()
      .references(() => templates.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.templateId, t.userId, t.day] }),
    index('template_usages_day_idx').on(t.workspaceId, t.day),
  ],
);

/** The workspace calendar (business-hours module): public holidays close a day, 调休 workdays open one. */
export const workspaceHolidays = pgTable(
  'workspace_holidays',
  {
    workspaceId: workspaceId(),
    date: date('date', { mode: 'string' }).notNull(),
    kind: text('kind', { enum: ['holiday', 'workday'] }).notNull(),
    name: text('name').notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.date] })],
);

/** Keyword auto-replies (keyword-replies module): a customer message matching the keywords gets a reply. */
export const keywordReplies = pgTable(
  'keyword_replies',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    /** As the admin typed them (shown in the UI). */
    keywords: text('keywords').array().notNull(),
    /** The same keywords normalised for matching (simplified, half-width, lower case, no spaces). */
    normalizedKeywords: text('normalized_keywords').array().notNull(),
    matchMode: text('match_mode', { enum: ['contains', 'exact', 'regex', 'all_of'] }).notNull(),
    /** A template to reply with (no foreign key: a deleted template leaves the rule visibly broken)… */
    templateId: uuid('template_id'),
    /** …or a plain reply; exactly one of the two is set. */
    replyText: text('reply_text'),
    /** Empty: every inbox. */
    inboxIds: uuid('inbox_ids').array().notNull().default(sql`'{}'::uuid[]`),
    hours: text('hours', { enum: ['always', 'business', 'off_hours'] })
      .notNull()
      .default('always'),
    frequency: text('frequency', { enum: ['every_time', 'once_per_conversation', 'cooldown'] })
      .notNull()
      .default('every_time'),
    cooldownMinutes: integer('cooldown_minutes'),
    priority: integer('priority').notNull().default(100),
    stopOtherRules: boolean('stop_other_rules').notNull().default(false),
    enabled: boolean('enabled').notNull().default(true),
    hitCount: bigint('hit_count', { mode: 'number' }).notNull().default(0),
    lastHitAt: timestamp('last_hit_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps,
  },
  (t) => [index('keyword_replies_workspace_idx').on(t.workspaceId, t.priority)],
);

/** One row per rule and inbound message that fired it: the replay guard and the frequency (once / cooldown) log. */
export const keywordReplyHits = pgTable(
  'keyword_reply_hits',
  {
    workspaceId: workspaceId(),
    ruleId: uuid('rule_id')
      .notNull()
      .references(() => keywordReplies.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.ruleId, t.messageId] }),
    index('keyword_reply_hits_conversation_idx').on(t.workspaceId, t.conversationId, t.ruleId, t.createdAt),
  ],
);

/** Automation rules (automation module): 当 trigger / 如果 conditions / 那么 actions. */
export const automationRules = pgTable(
  'automation_rules',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    enabled: boolean('enabled').notNull().default(false),
    /** The trigger's type, copied out of `trigger` so event dispatch finds a workspace's rules by index. */
    triggerType: text('trigger_type').notNull(),
    trigger: jsonb('trigger').$type<Record<string, unknown>>().notNull(),
    conditions: jsonb('conditions').$type<Record<string, unknown>>().notNull(),
    actions: jsonb('actions').$type<Record<string, unknown>[]>().notNull(),
    position: integer('position').notNull().default(0),
    /** Key of the webhook actions' HMAC signature. */
    webhookSecret: text('webhook_secret').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps,
    lastRunAt: timestamp('last_run_at', { withTimezone: true }),
    runCount: integer('run_count').notNull().default(0),
    failureCount: integer('failure_count').notNull().default(0),
  },
  (t) => [index('automation_rules_trigger_idx').on(t.workspaceId, t.triggerType).where(sql`enabled`)],
);

/** Every run of a rule; the unique trigger key per rule makes a replayed event run nothing twice. */
export const automationRuns = pgTable(
  'automation_runs',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    ruleId: uuid('rule_id')
      .notNull()
      .references(() => automationRules.id, { onDelete: 'cascade' }),
    triggerKey: text('trigger_key').notNull(),
    status: text('status', { enum: ['running', 'succeeded', 'skipped', 'failed'] }).notNull(),
    reason: text('reason'),
    actionsResult: jsonb('actions_result').$type<Record<string, unknown>[]>().notNull().default([]),
    /** Ids, condition outcomes and a masked excerpt of the event (automation/masked-excerpt.ts): no personal data. */
    context: jsonb('context').$type<Record<string, unknown>>().notNull().default({}),
    /** The per-conversation rate cap counts recent runs here. */
    conversationId: uuid('conversation_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('automation_runs_trigger_key').on(t.ruleId, t.triggerKey),
    index('automation_runs_workspace_idx').on(t.workspaceId, t.id),
    index('automation_runs_rule_idx').on(t.workspaceId, t.ruleId, t.id),
    index('automation_runs_conversation_idx')
      .on(t.workspaceId, t.conversationId, t.createdAt)
      .where(sql`conversation_id is not null`),
  ],
);

/**
 * The bell (nlp module): supervisor alerts on spikes of urgent or negative inbound messages (no recipient, at most one
 * per kind per 30 min), and notifications for one user (recipient_id: a snoozed conversation woke up).
 */
export const alerts = pgTable(
  'alerts',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    kind: text('kind', { enum: ['urgent_spike', 'negative_spike', 'snooze_ended'] }).notNull(),
    recipientId: uuid('recipient_id').references(() => users.id, { onDelete: 'cascade' }),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    acknowledgedBy: uuid('acknowledged_by').references(() => users.id, { onDelete: 'set null' }),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
  },
  (t) => [
    index('alerts_workspace_idx').on(t.workspaceId, t.kind, t.createdAt),
    index('alerts_recipient_idx').on(t.workspaceId, t.recipientId, t.id).where(sql`recipient_id is not null`),
  ],
);

/**
 * Routing (routing module): an agent's presence, capacity and skills. No row means the defaults
 * (offline, capacity 8, standard level, no skills, zh-CN).
 */
export const agentProfiles = pgTable(
  'agent_profiles',
  {
    workspaceId: workspaceId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    presence: text('presence', { enum: ['online', 'busy', 'away', 'offline'] })
      .notNull()
      .default('offline'),
    /** What the agent chose before their sockets went away: restored on reconnect. */
    resumePresence: text('resume_presence', { enum: ['online', 'busy', 'away'] }),
    capacity: integer('capacity').notNull().default(8),
    /** Open + pending conversations assigned to the agent, kept by a trigger on conversations (migration routing_load). */
    openLoad: integer('open_load').notNull().default(0),
    level: text('level', { enum: ['standard', 'senior'] })
      .notNull()
      .default('standard'),
    skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
    languages: text('languages').array().notNull().default(sql`'{zh-CN}'::text[]`),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })],
);

/** Who may work an inbox (routing module). An inbox with no members is open to every staff member. */
export const inboxMembers = pgTable(
  'inbox_members',
  {
    workspaceId: workspaceId(),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.inboxId, t.userId] })],
);

/** Ordered routing rules (routing module). team_id has no foreign key: a removed team is reported, not nulled. */
export const routingRules = pgTable(
  'routing_rules',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    position: integer('position').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    conditions: jsonb('conditions').$type<Record<string, string[]>>().notNull().default({}),
    teamId: uuid('team_id'),
    requiredSkill: text('required_skill'),
    ...timestamps,
  },
  (t) => [index('routing_rules_workspace_idx').on(t.workspaceId, t.position)],
);

/** Round-robin state per routing scope (a team, or `all`): who got work last, in order. */
export const routingTurns = pgTable(
  'routing_turns',
  {
    workspaceId: workspaceId(),
    scope: text('scope').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lastAssignedAt: timestamp('last_assigned_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.scope, t.userId] })],
);

/** One lockable row per routing scope: picks in a scope are serialised across processes. */
export const routingScopes = pgTable(
  'routing_scopes',
  { workspaceId: workspaceId(), scope: text('scope').notNull(), picks: bigint('picks', { mode: 'number' }).notNull() },
  (t) => [primaryKey({ columns: [t.workspaceId, t.scope] })],
);

/** Conversations routing could not place yet: they wait for an agent of the team (with the skill) to free a slot. */
export const routingQueue = pgTable(
  'routing_queue',
  {
    workspaceId: workspaceId(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    teamId: uuid('team_id'),
    requiredSkill: text('required_skill'),
    queuedAt: timestamp('queued_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.conversationId] }),
    index('routing_queue_waiting_idx').on(t.workspaceId, t.queuedAt),
  ],
);

/** What routing decided for each conversation, and why (ids and reason codes only). */
export const routingLog = pgTable(
  'routing_log',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    ruleId: uuid('rule_id'),
    outcome: text('outcome', { enum: ['assigned', 'queued', 'picked_up'] }).notNull(),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    teamId: uuid('team_id'),
    reason: text('reason').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('routing_log_workspace_idx').on(t.workspaceId, t.id)],
);

/**
 * Satisfaction surveys (surveys module): a CSAT after a conversation is resolved (one per conversation) or an NPS
 * sent to a segment (one per send and customer). The token in the public link is random 128-bit.
 */
export const surveys = pgTable(
  'surveys',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    kind: text('kind', { enum: ['csat', 'nps'] }).notNull(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'set null' }),
    /** The conversation's assignee when the survey was sent. */
    agentId: uuid('agent_id').references(() => users.id, { onDelete: 'set null' }),
    segmentId: uuid('segment_id'),
    /** The NPS send (its job's batch id) this survey belongs to. */
    sendId: uuid('send_id'),
    question: text('question').notNull(),
    token: text('token').notNull(),
    status: text('status', { enum: ['sent', 'answered', 'expired'] })
      .notNull()
      .default('sent'),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('surveys_token_key').on(t.token),
    uniqueIndex('surveys_csat_conversation_key').on(t.workspaceId, t.conversationId).where(sql`kind = 'csat'`),
    uniqueIndex('surveys_send_customer_key').on(t.workspaceId, t.sendId, t.customerId),
    index('surveys_workspace_sent_idx').on(t.workspaceId, t.kind, t.sentAt),
  ],
);

/** One answer per survey (a second answer is refused). */
export const surveyResponses = pgTable(
  'survey_responses',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['csat', 'nps'] }).notNull(),
    score: smallint('score').notNull(),
    comment: text('comment'),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'set null' }),
    agentId: uuid('agent_id').references(() => users.id, { onDelete: 'set null' }),
    /** The 差评回访 ticket created for a low score. */
    followUpTicketId: uuid('follow_up_ticket_id'),
    answeredAt: timestamp('answered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('survey_responses_survey_key').on(t.surveyId),
    index('survey_responses_workspace_answered_idx').on(t.workspaceId, t.kind, t.answeredAt),
  ],
);

/**
 * Analytics: one append-only row per reported fact (conversation created, first response, resolution, CSAT, …),
 * written by event subscribers. Idempotent through (workspace, kind, fact_key). Designed to be range-partitioned
 * by `occurred_at` (monthly) once it grows: the unique key then gains `occurred_at`, which every writer derives
 * from the fact itself, so the dedupe still holds.
 */
export const reportingEvents = pgTable(
  'reporting_events',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    kind: text('kind').notNull(),
    factKey: text('fact_key').notNull(),
    conversationId: uuid('conversation_id'),
    ticketId: uuid('ticket_id'),
    inboxId: uuid('inbox_id'),
    teamId: uuid('team_id'),
    agentId: uuid('agent_id'),
    customerId: uuid('customer_id'),
    /** Category, score or keyword the dashboards group by ('' when none). */
    dim: text('dim').notNull().default(''),
    /** Seconds (durations) or a score. */
    value: doublePrecision('value'),
    /** Seconds counted in the inbox's business hours. */
    businessValue: doublePrecision('business_value'),
    extra: jsonb('extra').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    uniqueIndex('reporting_events_fact_key').on(t.workspaceId, t.kind, t.factKey),
    index('reporting_events_time_idx').on(t.workspaceId, t.occurredAt),
    index('reporting_events_conversation_idx')
      .on(t.workspaceId, t.conversationId)
      .where(sql`conversation_id is not null`),
    index('reporting_events_customer_idx')
      .on(t.workspaceId, t.customerId, t.occurredAt)
      .where(sql`customer_id is not null`),
  ],
);

/** What daily and monthly rollups keep per (period, inbox, team, agent, kind, dim): counts, sums, histograms. */
const rollupMeasures = () => ({
  inboxId: uuid('inbox_id'),
  teamId: uuid('team_id'),
  agentId: uuid('agent_id'),
  kind: text('kind').notNull(),
  dim: text('dim').notNull().default(''),
  count: integer('count').notNull(),
  sum: doublePrecision('sum').notNull().default(0),
  businessSum: doublePrecision('business_sum').notNull().default(0),
  histBuckets: smallint('hist_buckets').array().notNull().default(sql`'{}'`),
  histCounts: integer('hist_counts').array().notNull().default(sql`'{}'`),
  businessHistBuckets: smallint('business_hist_buckets').array().notNull().default(sql`'{}'`),
  businessHistCounts: integer('business_hist_counts').array().notNull().default(sql`'{}'`),
});

/**
 * Daily rollups of reporting events per (day in the workspace timezone, inbox, team, agent, kind, dim), with a
 * sparse log-scale histogram (8 buckets per doubling of seconds) so medians and p90s come from rollups.
 */
export const reportingDailyRollups = pgTable(
  'reporting_daily_rollups',
  {
    workspaceId: workspaceId(),
    day: date('day').notNull(),
    ...rollupMeasures(),
  },
  (t) => [index('reporting_daily_rollups_day_idx').on(t.workspaceId, t.day, t.kind)],
);

/** Hour-of-day counts of created conversations and tickets (the heatmap), per day in the workspace timezone. */
export const reportingHourlyRollups = pgTable(
  'reporting_hourly_rollups',
  {
    workspaceId: workspaceId(),
    day: date('day').notNull(),
    hour: smallint('hour').notNull(),
    inboxId: uuid('inbox_id'),
    teamId: uuid('team_id'),
    agentId: uuid('agent_id'),
    kind: text('kind').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [index('reporting_hourly_rollups_day_idx').on(t.workspaceId, t.day)],
);

/** Which days have rollups; a fact written later for a past day deletes its row, so that day reads raw until rebuilt. */
export const reportingRollupDays = pgTable(
  'reporting_rollup_days',
  {
    workspaceId: workspaceId(),
    day: date('day').notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.day] })],
);

// ── knowledge base + bot (knowledge module) ─────────────────────────────────────────────────────────

export const kbCategories = pgTable(
  'kb_categories',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    parentId: uuid('parent_id').references((): AnyPgColumn => kbCategories.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    position: integer('position').notNull().default(0),
    ...timestamps,
  },
  (t) => [index('kb_categories_workspace_idx').on(t.workspaceId, t.position)],
);

/**
 * Help-centre / FAQ articles. `body` is sanitised HTML; `bodyText` its plain-text copy. `titleTerms` (title +
 * question variants) and `bodyTerms` are normalised jieba search terms, GIN-indexed, written on every save.
 */
export const kbArticles = pgTable(
  'kb_articles',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    categoryId: uuid('category_id').references(() => kbCategories.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    body: text('body').notNull(),
    bodyText: text('body_text').notNull(),
    questions: text('questions').array().notNull().default([]),
    status: text('status', { enum: ['draft', 'published'] })
      .notNull()
      .default('draft'),
    locale: text('locale', { enum: ['zh-CN', 'en'] })
      .notNull()
      .default('zh-CN'),
    viewCount: integer('view_count').notNull().default(0),
    helpfulCount: integer('helpful_count').notNull().default(0),
    notHelpfulCount: integer('not_helpful_count').notNull().default(0),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    titleTerms: text('title_terms').array().notNull().default([]),
    bodyTerms: text('body_terms').array().notNull().default([]),
    ...timestamps,
  },
  (t) => [
    index('kb_articles_list_idx').on(t.workspaceId, t.status, t.id),
    index('kb_articles_title_terms_idx').using('gin', t.titleTerms).with({ gin_pending_list_limit: 4096 }),
    index('kb_articles_body_terms_idx').using('gin', t.bodyTerms).with({ gin_pending_list_limit: 4096 }),
  ],
);

/** One per conversation the inbox bot took part in. */
export const botSessions = pgTable(
  'bot_sessions',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    state: text('state', { enum: ['active', 'handed_off', 'resolved_by_bot'] })
      .notNull()
      .default('active'),
    reason: text('reason', { enum: ['requested', 'low_confidence', 'negative', 'urgent', 'agent'] }),
    answersCount: integer('answers_count').notNull().default(0),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('bot_sessions_conversation_key').on(t.workspaceId, t.conversationId),
    index('bot_sessions_inbox_idx').on(t.workspaceId, t.inboxId, t.createdAt),
  ],
);

/** Each inbound message the bot handled (primary key = message id: a replayed event is handled once). */
export const botTurns = pgTable(
  'bot_turns',
  {
    messageId: uuid('message_id').primaryKey(),
    workspaceId: workspaceId(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => botSessions.id, { onDelete: 'cascade' }),
    outcome: text('outcome', { enum: ['answered', 'handed_off', 'ignored'] }).notNull(),
    articleId: uuid('article_id').references(() => kbArticles.id, { onDelete: 'set null' }),
    confidence: real('confidence'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('bot_turns_session_idx').on(t.workspaceId, t.sessionId)],
);

/** Tickets (tickets module): per-workspace numbers come from this counter (row locked by the insert). */
export const ticketCounters = pgTable('ticket_counters', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  lastNumber: integer('last_number').notNull().default(0),
});

/** SLA policies (tickets module): the first enabled one (by position) whose match fits a new ticket applies. */
export const slaPolicies = pgTable(
  'sla_policies',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    position: integer('position').notNull().default(0),
    enabled: boolean('enabled').notNull().default(true),
    categories: text('categories').array().notNull().default(sql`'{}'`),
    severities: text('severities').array().notNull().default(sql`'{}'`),
    customerTiers: text('customer_tiers').array().notNull().default(sql`'{}'`),
    firstResponseMinutes: integer('first_response_minutes'),
    resolutionMinutes: integer('resolution_minutes'),
    escalationMinutes: integer('escalation_minutes'),
    hours: text('hours', { enum: ['business', 'calendar'] })
      .notNull()
      .default('business'),
    escalation: jsonb('escalation').$type<{
      notifySupervisors: boolean;
      assigneeId: string | null;
      teamId: string | null;
      raiseSeverity: boolean;
    } | null>(),
    ...timestamps,
  },
  (t) => [index('sla_policies_workspace_idx').on(t.workspaceId, t.position)],
);

export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    number: integer('number').notNull(),
    subject: text('subject').notNull(),
    description: text('description').notNull().default(''),
    category: text('category').notNull().default('inquiry'),
    severity: text('severity', { enum: ['normal', 'serious', 'urgent'] })
      .notNull()
      .default('normal'),
    status: text('status', {
      enum: ['new', 'open', 'waiting_customer', 'waiting_third_party', 'resolved', 'closed'],
    })
      .notNull()
      .default('new'),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'set null' }),
    /** The linked conversation's inbox (business hours, inbox access); null for standalone tickets. */
    inboxId: uuid('inbox_id').references(() => inboxes.id, { onDelete: 'set null' }),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
    slaPolicyId: uuid('sla_policy_id').references(() => slaPolicies.id, { onDelete: 'set null' }),
    slaStartedAt: timestamp('sla_started_at', { withTimezone: true }),
    /** SLA clocks: target length, due time, seconds left while paused, met / breached times. */
    frTargetSeconds: integer('fr_target_seconds'),
    frDueAt: timestamp('fr_due_at', { withTimezone: true }),
    frPausedRemaining: integer('fr_paused_remaining'),
    frMetAt: timestamp('fr_met_at', { withTimezone: true }),
    frBreachedAt: timestamp('fr_breached_at', { withTimezone: true }),
    resTargetSeconds: integer('res_target_seconds'),
    resDueAt: timestamp('res_due_at', { withTimezone: true }),
    resPausedRemaining: integer('res_paused_remaining'),
    resMetAt: timestamp('res_met_at', { withTimezone: true }),
    resBreachedAt: timestamp('res_breached_at', { withTimezone: true }),
    escTargetSeconds: integer('esc_target_seconds'),
    escDueAt: timestamp('esc_due_at', { withTimezone: true }),
    escPausedRemaining: integer('esc_paused_remaining'),
    escMetAt: timestamp('esc_met_at', { withTimezone: true }),
    escBreachedAt: timestamp('esc_breached_at', { withTimezone: true }),
    mergedIntoId: uuid('merged_into_id').references((): AnyPgColumn => tickets.id, { onDelete: 'set null' }),
    firstRespondedAt: timestamp('first_responded_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('tickets_number_idx').on(t.workspaceId, t.number),
    index('tickets_status_idx').on(t.workspaceId, t.status, t.id),
    index('tickets_assignee_idx').on(t.workspaceId, t.assigneeId, t.status),
    index('tickets_customer_idx').on(t.workspaceId, t.customerId),
    index('tickets_conversation_idx').on(t.workspaceId, t.conversationId),
    // Breach sweep: one range scan per clock over the running (not met, not paused, not breached) due times.
    index('tickets_fr_due_idx')
      .on(t.frDueAt)
      .where(sql`fr_met_at is null and fr_breached_at is null and fr_paused_remaining is null`),
    index('tickets_res_due_idx')
      .on(t.resDueAt)
      .where(sql`res_met_at is null and res_breached_at is null and res_paused_remaining is null`),
    index('tickets_esc_due_idx')
      .on(t.escDueAt)
      .where(sql`esc_met_at is null and esc_breached_at is null and esc_paused_remaining is null`),
  ],
);

export const ticketOrders = pgTable(
  'ticket_orders',
  {
    workspaceId: workspaceId(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.orderId] }), index('ticket_orders_order_idx').on(t.orderId)],
);

export const ticketWatchers = pgTable(
  'ticket_watchers',
  {
    workspaceId: workspaceId(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.userId] }), index('ticket_watchers_user_idx').on(t.userId)],
);

/** A ticket's timeline: created, status changes, hand-overs, comments (with attachments), breaches, merges. */
export const ticketEvents = pgTable(
  'ticket_events',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body'),
    internal: boolean('internal').notNull().default(true),
    attachments: jsonb('attachments')
      .$type<{ fileId: string; name: string; contentType: string; size: number }[]>()
      .notNull()
      .default([]),
    data: jsonb('data').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('ticket_events_ticket_idx').on(t.ticketId, t.id)],
);

export const ticketCategories = pgTable(
  'ticket_categories',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    position: integer('position').notNull().default(0),
    isBuiltIn: boolean('is_built_in').notNull().default(false),
    archived: boolean('archived').notNull().default(false),
    ...timestamps,
  },
  (t) => [uniqueIndex('ticket_categories_key_idx').on(t.workspaceId, t.key)],
);

/** Saved ticket list filters: personal (created_by) or shared; built-in ones seeded per workspace. */
export const ticketViews = pgTable(
  'ticket_views',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    filters: jsonb('filters').$type<Record<string, unknown>>().notNull().default({}),
    isShared: boolean('is_shared').notNull().default(false),
    isBuiltIn: boolean('is_built_in').notNull().default(false),
    builtInKey: text('built_in_key'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'cascade' }),
    ...timestamps,
  },
  (t) => [
    index('ticket_views_workspace_idx').on(t.workspaceId, t.createdBy),
    uniqueIndex('ticket_views_built_in_idx').on(t.workspaceId, t.builtInKey),
  ],
);

/** Whole calendar months of reporting_daily_rollups merged (the same columns; `month` is its first day): a year reads ~12 rows per combination instead of 365. */
export const reportingMonthlyRollups = pgTable(
  'reporting_monthly_rollups',
  {
    workspaceId: workspaceId(),
    month: date('month').notNull(),
    ...rollupMeasures(),
  },
  (t) => [index('reporting_monthly_rollups_month_idx').on(t.workspaceId, t.month, t.kind)],
);

/** Which months have monthly rollups (every day of the month rolled up when it was built). */
export const reportingRollupMonths = pgTable(
  'reporting_rollup_months',
  {
    workspaceId: workspaceId(),
    month: date('month').notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.month] })],
);

/**
 * SMS campaigns (modules/campaigns): a marketing template sent to a segment through an SMS inbox. The recipients
 * are fixed when the campaign is confirmed (the preview's exact count); a job queues their sends on the outbox.
 */
export const smsCampaigns = pgTable(
  'sms_campaigns',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    segmentId: uuid('segment_id'),
    segmentName: text('segment_name').notNull(),
    templateCode: text('template_code').notNull(),
    templateParams: jsonb('template_params').$type<Record<string, string>>().notNull().default({}),
    jobId: uuid('job_id'),
    recipients: integer('recipients').notNull().default(0),
    optedOut: integer('opted_out').notNull().default(0),
    withoutPhone: integer('without_phone').notNull().default(0),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps,
  },
  (t) => [index('sms_campaigns_workspace_idx').on(t.workspaceId, t.id)],
);

/** One customer of a campaign: at most one row (and so one SMS) per campaign and customer. */
export const smsCampaignRecipients = pgTable(
  'sms_campaign_recipients',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => smsCampaigns.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    phone: text('phone'),
    /** pending → queued (on the outbox) → sent → delivered | failed; skipped: opted out or no mobile. */
    status: text('status', {
      enum: ['pending', 'queued', 'sent', 'delivered', 'failed', 'opted_out', 'no_phone'],
    }).notNull(),
    error: text('error'),
    /** The same failure as a code and its values (null on rows written before reasons had codes). */
    reason: jsonb('reason').$type<{ code: string; params: Record<string, string | number> }>(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('sms_campaign_recipients_key').on(t.workspaceId, t.campaignId, t.customerId),
    index('sms_campaign_recipients_status_idx').on(t.workspaceId, t.campaignId, t.status, t.id),
  ],
);
