import {
  type ChannelType,
  type ContactBlocker,
  type CustomerChannel,
  type CustomerChannels,
  type CustomerHistoryMessage,
  type CustomerMessageBody,
  type CustomerMessageResult,
  type IdentitySuggestion,
  maskPhone,
} from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan, can } from '../../platform/access.ts';
import { decodeIdCursor, encodeCursor } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { adapterFor, normalizeMobile } from '../channels/index.ts';
import { type ConversationsService, toMessage } from '../conversations/index.ts';
import * as repo from './customer-channels.repository.ts';

/*
 * One customer, every channel: where the customer can be reached (and was last), one history across every inbox,
 * and answering on the channel the agent picks — continuing the customer's conversation there or opening one, with
 * an email or SMS identity made from the profile's address when the customer never wrote on that channel.
 */

const notFound = () => new AppError('customer.not_found', '客户不存在');

/** Long channel ids (WeChat openids, visitor ids) shortened to what tells them apart at a glance. */
const shorten = (id: string) => (id.length > 12 ? `${id.slice(0, 4)}…${id.slice(-4)}` : id);

const isEmail = (value: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);

type CustomerRow = NonNullable<Awaited<ReturnType<typeof repo.findLiveCustomer>>>;

const mobileOf = (customer: CustomerRow) =>
  [customer.phone, ...customer.phones].map((phone) => (phone ? normalizeMobile(phone) : null)).find(Boolean) ?? null;

const emailOf = (customer: CustomerRow) =>
  [customer.email, ...customer.emails].find((email): email is string => !!email && isEmail(email))?.toLowerCase() ??
  null;

/** Whether the inbox can send at all: an email inbox without SMTP only receives. */
const canInboxSend = (inbox: { channelType: ChannelType; channelConfig: Record<string, unknown> }) =>
  adapterFor(inbox.channelType).canSend?.(inbox.channelConfig) ?? true;

export type CustomerChannelsService = ReturnType<typeof createCustomerChannelsService>;

export function createCustomerChannelsService({
  db,
  conversations,
}: {
  db: Db;
  conversations: Pick<ConversationsService, 'openOutbound' | 'publishOpened' | 'sendAgentMessage' | 'get'>;
}) {
  async function liveCustomer(actor: Actor, id: string) {
    const customer = await repo.findLiveCustomer(db, actor.workspaceId, id);
    if (!customer) throw notFound();
    if (customer.mergedIntoId) {
      throw new AppError('customer.not_found', '客户已被合并到另一位客户', { mergedInto: customer.mergedIntoId });
    }
    return customer;
  }

  /** An address as the actor may see it: phones masked without customers:reveal_pii, long ids shortened. */
  function presentAddress(actor: Actor, type: ChannelType, address: string | null, kind?: string) {
    if (!address) return null;
    const masked = !can(actor, 'customers:reveal_pii');
    if (type === 'sms' || kind === 'phone' || normalizeMobile(address) === address) {
      return masked ? maskPhone(address) : address;
    }
    if (type === 'email' || isEmail(address)) return address;
    return shorten(address);
  }

  return {
    /**
     * Every inbox the customer talked on, and the email and SMS inboxes that can send, latest first; each says whether
     * an agent can write to the customer there now and, if not, why (so 「通过其他渠道联系」 never offers a dead end).
     */
    async channels(actor: Actor, id: string): Promise<CustomerChannels> {
      assertCan(actor, 'customers:read');
      const customer = await liveCustomer(actor, id);
      const [inboxes, identities, byInbox, lastUsedInboxId] = await Promise.all([
        repo.listInboxes(db, actor.workspaceId),
        repo.listInboxIdentities(db, actor.workspaceId, id),
        repo.conversationsByInbox(db, actor.workspaceId, id),
        repo.lastInboundInbox(db, actor.workspaceId, id),
      ]);
      const profileAddress = { sms: mobileOf(customer), email: emailOf(customer) } as Partial<
        Record<ChannelType, string | null>
      >;
      const candidates = inboxes.flatMap((inbox) => {
        const identity =
          identities.find((row) => row.inboxId === inbox.id && row.kind === 'source') ??
          identities.find((row) => row.inboxId === inbox.id);
        const conversation = byInbox.find((row) => row.inbox_id === inbox.id);
        const byAddress = inbox.channelType === 'sms' || inbox.channelType === 'email';
        const canSend = canInboxSend(inbox);
        // A receive-only inbox matters only where the customer already talked; an email/SMS one that can send is
        // offered even without an address on the profile, saying what is missing.
        if (!identity && !conversation && !(byAddress && canSend)) return [];
        return [
          {
            inbox,
            identity,
            conversation,
            canSend,
            address: identity ? null : (profileAddress[inbox.channelType] ?? null),
          },
        ];
      });
      // The profile's address, in an inbox where the customer has no identity yet, may be another customer's there.
      const claimable = candidates.filter((candidate) => candidate.canSend && candidate.address);
      const owners = await repo.addressOwners(
        db,
        actor.workspaceId,
        id,
        claimable.map((candidate) => candidate.inbox.id),
        [...new Set(claimable.map((candidate) => candidate.address!))],
      );
      const items: CustomerChannel[] = candidates.map(({ inbox, identity, conversation, canSend, address }) => {
        const owner = address
          ? owners.find((row) => row.inbox_id === inbox.id && row.external_id === address)
          : undefined;
        const byAddress = inbox.channelType === 'sms' || inbox.channelType === 'email';
        const cannotContact: ContactBlocker | null = !canSend
          ? 'receive_only'
          : owner
            ? 'address_taken'
            : !identity && byAddress && !address
              ? 'no_address'
              : null;
        return {
          inboxId: inbox.id,
          inboxName: inbox.name,
          channelType: inbox.channelType,
          address: presentAddress(actor, inbox.channelType, identity?.externalId ?? address, identity?.kind),
          lastMessageAt: conversation ? new Date(conversation.last_at).toISOString() : null,
          conversationId: conversation?.id ?? null,
          cannotContact,
          addressOwner: owner ? { customerId: owner.customer_id, customerName: owner.name } : null,
        };
      });
      items.sort((a, b) => (b.lastMessageAt ?? '').localeCompare(a.lastMessageAt ?? ''));
      return { items, lastUsedInboxId };
    },

    /** Public messages of all the customer's conversations: newest page first, each page oldest → newest. */
    async history(actor: Actor, id: string, query: { limit: number; cursor?: string }) {
      assertCan(actor, 'conversations:read');
      await liveCustomer(actor, id);
      const before = decodeIdCursor(query.cursor);
      const rows = await repo.listHistory(db, actor.workspaceId, id, before, query.limit + 1);
      const newestFirst: CustomerHistoryMessage[] = rows.slice(0, query.limit).map((row) => ({
        ...toMessage(row),
        inboxId: row.inboxId,
        inboxName: row.inboxName,
        channelType: row.channelType,
      }));
      return {
        items: newestFirst.reverse(),
        nextCursor: rows.length > query.limit ? encodeCursor([newestFirst[0]!.id]) : null,
      };
    },

    /**
     * Answers the customer on the chosen inbox: their open conversation there, or a new one assigned to the agent.
     * A customer who never wrote on an email or SMS inbox is reached at the profile's address.
     */
    async answer(actor: Actor, id: string, body: CustomerMessageBody): Promise<CustomerMessageResult> {
      assertCan(actor, 'conversations:reply');
      const customer = await liveCustomer(actor, id);
      const inbox = await repo.findInbox(db, actor.workspaceId, body.inboxId);
      if (!inbox) throw new AppError('inbox.not_found', '渠道不存在');
      if (!canInboxSend(inbox)) {
        const message = '这个渠道只能接收消息，不能发送（邮箱渠道需要先设置 SMTP 发信服务器）';
        throw new AppError('request.invalid', message, [{ path: '/inboxId', message }]);
      }
      const opened = await db.transaction(async (tx) => {
        const identities = await repo.listInboxIdentities(tx, actor.workspaceId, id);
        if (!identities.some((row) => row.inboxId === inbox.id)) {
          const address =
            inbox.channelType === 'sms' ? mobileOf(customer) : inbox.channelType === 'email' ? emailOf(customer) : null;
          if (!address) {
            const message =
              inbox.channelType === 'sms'
                ? '这位客户没有手机号，不能发短信'
                : inbox.channelType === 'email'
                  ? '这位客户没有邮箱地址，不能发邮件'
                  : '这位客户还没有在这个渠道联系过，无法主动发消息';
            throw new AppError('request.invalid', message, [{ path: '/inboxId', message }]);
          }
          const owner = await repo.claimInboxAddress(tx, {
            workspaceId: actor.workspaceId,
            inboxId: inbox.id,
            customerId: id,
            externalId: address,
          });
          if (owner !== id) {
            throw new AppError('customer_channel.address_taken', '这个地址在该渠道属于另一位客户，请先合并两位客户', {
              customerId: owner,
            });
          }
        }
        return conversations.openOutbound(tx, {
          workspaceId: actor.workspaceId,
          inboxId: inbox.id,
          customerId: id,
          assigneeId: actor.userId,
        });
      });
      if (opened.created) await conversations.publishOpened(actor.workspaceId, opened.id, actor.userId);
      const message = await conversations.sendAgentMessage(actor, opened.id, { content: body.content, private: false });
      return { message, conversation: await conversations.get(actor, opened.id) };
    },

    /** Other customers sharing an email or phone with this one: to merge by hand (never automatically). */
    async identitySuggestions(actor: Actor, id: string): Promise<{ items: IdentitySuggestion[] }> {
      assertCan(actor, 'customers:read');
      const customer = await liveCustomer(actor, id);
      const phones = [...new Set([customer.phone, ...customer.phones].filter((phone): phone is string => !!phone))];
      const emails = [
        ...new Set(
          [customer.email, ...customer.emails].filter((email): email is string => !!email).map((e) => e.toLowerCase()),
        ),
      ];
      if (phones.length === 0 && emails.length === 0) return { items: [] };
      const rows = await repo.findSharingCustomers(db, actor.workspaceId, id, phones, emails, 50);
      return {
        items: rows.flatMap((row) => [
          ...(row.same_phone ? [{ customerId: row.id, customerName: row.name, reason: 'same_phone' as const }] : []),
          ...(row.same_email ? [{ customerId: row.id, customerName: row.name, reason: 'same_email' as const }] : []),
        ]),
      };
    },
  };
}
