import { z } from 'zod';
import { businessHours, offlineReply } from './business-hours.ts';
import { id, isoDateTime, trimmedString } from './common.ts';
import { deliveryReason } from './delivery-reasons.ts';
import { botSettings } from './knowledge.ts';

export const channelTypes = ['website', 'api', 'email', 'wechat', 'sms'] as const;
export const channelType = z.enum(channelTypes);
export type ChannelType = z.infer<typeof channelType>;

/**
 * A channel's connection settings; each channel checks its own shape on the server (channels/adapters/<type>).
 * Secret fields (passwords, app secrets) are write-only: responses leave them out, and an update that leaves
 * them out keeps the stored ones.
 */
export const channelConfig = z.record(z.string(), z.unknown());

export const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, '颜色格式应为 #RRGGBB');

export const inboxSettings = z.strictObject({
  color: hexColor.default('#1677ff'),
  greeting: z.string().max(500).default('您好，有什么可以帮您？'),
  /** Absent or not enabled: always open. */
  businessHours: businessHours.optional(),
  offlineReply: offlineReply.optional(),
  /** The FAQ bot (knowledge module; set through /api/v1/knowledge/bot/settings). */
  bot: botSettings.optional(),
});

/**
 * How a channel that fetches its own messages (an email inbox's IMAP pull) is receiving, as its adapter last saw it:
 * what fails in words an admin can act on (never a password), since when, and when it last worked. A success clears
 * the failure; so does saving the inbox's connection settings (which tests them).
 */
export const inboxHealth = z.object({
  error: z.string().nullable().describe('why receiving fails, in Chinese; null while it works'),
  reason: deliveryReason
    .nullable()
    .describe('the same as a code and its values (see delivery-reasons); null while it works or on older rows'),
  failingSince: isoDateTime.nullable().describe('when the current run of failures began'),
  lastSuccessAt: isoDateTime.nullable().describe('when receiving last worked (kept to the minute)'),
});
export type InboxHealth = z.infer<typeof inboxHealth>;

export const inbox = z.object({
  id,
  name: z.string(),
  channelType,
  token: z.string().describe('public identifier used by the widget and the public channel API'),
  secret: z.string().nullable().describe('HMAC secret; only shown to owners and admins'),
  settings: inboxSettings,
  channelConfig: channelConfig.describe('the channel settings without their secret fields'),
  health: inboxHealth
    .nullable()
    .describe('receive health of channels that fetch their own messages; only for those who manage inboxes'),
  createdAt: isoDateTime,
});
export type Inbox = z.infer<typeof inbox>;

export const createInboxBody = z.strictObject({
  name: trimmedString().min(1).max(100),
  channelType: channelType.default('website'),
  settings: inboxSettings.default({ color: '#1677ff', greeting: '您好，有什么可以帮您？' }),
  channelConfig: channelConfig.default({}),
});
export const updateInboxBody = z.strictObject({
  name: trimmedString().min(1).max(100).optional(),
  // Not inboxSettings.partial(): its defaults would reset the fields a patch leaves out.
  settings: z
    .strictObject({
      color: hexColor.optional(),
      greeting: z.string().max(500).optional(),
      businessHours: businessHours.optional(),
      offlineReply: offlineReply.optional(),
    })
    .optional(),
  /** Merged over the stored config (secret fields left out stay as they are). */
  channelConfig: channelConfig.optional(),
});
