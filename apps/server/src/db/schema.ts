import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
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
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [uniqueIndex('api_tokens_token_hash_key').on(t.tokenHash)],
);

export const inboxes = pgTable(
  'inboxes',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    channelType: text('channel_type', { enum: ['website', 'api'] }).notNull(),
    token: text('token').notNull(),
    secret: text('secret').notNull(),
    settings: jsonb('settings').$type<{ color: string; greeting: string }>().notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex('inboxes_token_key').on(t.token), index('inboxes_workspace_idx').on(t.workspaceId)],
);

export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    name: text('name'),
    phone: text('phone'),
    email: text('email'),
    notes: text('notes').notNull().default(''),
    ...timestamps,
  },
  (t) => [index('customers_workspace_idx').on(t.workspaceId, t.id)],
);

/** How a customer is known on a channel: a source id (widget visitor or API contact) or a signed shop user id. */
export const customerIdentities = pgTable(
  'customer_identities',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceId(),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['source', 'shop_user'] }).notNull(),
    externalId: text('external_id').notNull(),
    tokenHash: text('token_hash'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('customer_identities_key').on(t.workspaceId, t.inboxId, t.kind, t.externalId),
    index('customer_identities_customer_idx').on(t.workspaceId, t.customerId),
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
    waitingSince: timestamp('waiting_since', { withTimezone: true }),
    firstReplyAt: timestamp('first_reply_at', { withTimezone: true }),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }).notNull().defaultNow(),
    lastMessagePreview: text('last_message_preview'),
    unreadCount: integer('unread_count').notNull().default(0),
    ...timestamps,
  },
  (t) => [
    // No activity times in indexes: a new message updates them, and an update touching no indexed column
    // is a HOT update (no index writes) — this keeps the busiest row write of the product cheap.
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
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('messages_conversation_idx').on(t.workspaceId, t.conversationId, t.id),
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
