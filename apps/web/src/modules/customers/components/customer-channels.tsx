import { BulbOutlined, MergeCellsOutlined, MessageOutlined, SendOutlined } from '@ant-design/icons';
import type { CustomerChannel, CustomerIdentity } from '@huike/contracts';
import { Button, Skeleton, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorState } from '../../../ui/error-state.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { ChannelIcon } from '../../conversations/components/channel-icon.tsx';
import { useChannelAddressText, useCustomerChannels, useIdentitySuggestions } from '../hooks/use-customer-channels.ts';
import { useCustomerIdentities } from '../hooks/use-customers.ts';
import { ContactModal } from './contact-modal.tsx';
import { MergeDrawer } from './merge-drawer.tsx';
import '../customer-channels.css';

const isMissingAddress = (item: CustomerChannel) =>
  item.cannotContact === 'no_address' || item.cannotContact === 'address_taken';

type Props = {
  customerId: string;
  customerName: string;
  canReply: boolean;
  canMerge: boolean;
  /** Opens a conversation (the workbench selects it; the customer page goes to the inbox). */
  onOpenConversation: (conversationId: string) => void;
  compact?: boolean;
};

/**
 * 渠道: every channel the customer is known on (masked address, latest message, 最近使用 on the one they used
 * last), the accounts linked to them, 「通过其他渠道联系」, and other customers who share their email or phone, to
 * merge by hand.
 */
export function CustomerChannelsSection({
  customerId,
  customerName,
  canReply,
  canMerge,
  onOpenConversation,
  compact,
}: Props) {
  const { t } = useTranslation();
  const channels = useCustomerChannels(customerId);
  const [isContactOpen, setContactOpen] = useState(false);
  // The cards are where the customer is known or can be reached; inboxes listed only to say why they cannot reach
  // them (no address on the profile, an address another customer owns there) show in 「通过其他渠道联系」 instead.
  const cards = (channels.data?.items ?? []).filter((item) => item.conversationId || !isMissingAddress(item));

  return (
    <div
      className={compact ? 'hk-panel-block hk-channels hk-channels-compact' : 'hk-channels'}
      data-testid="customer-channels"
    >
      <div className="hk-channels-head">
        <span className="hk-field-label">{t('customerChannels.title')}</span>
        {canReply && (
          <Button
            size="small"
            icon={<SendOutlined />}
            onClick={() => setContactOpen(true)}
            disabled={channels.isPending}
            data-testid="contact-customer"
          >
            {t('customerChannels.contact')}
          </Button>
        )}
      </div>
      {channels.isPending ? (
        <Skeleton active paragraph={{ rows: 2 }} title={false} />
      ) : channels.isError ? (
        <ErrorState error={channels.error} onRetry={() => void channels.refetch()} compact />
      ) : cards.length === 0 ? (
        <div className="hk-muted hk-small" data-testid="customer-channels-empty">
          {t('customerChannels.empty')}
        </div>
      ) : (
        <ul className="hk-channel-list">
          {cards.map((item) => (
            <ChannelRow
              key={item.inboxId}
              item={item}
              customerId={customerId}
              isLastUsed={item.inboxId === channels.data.lastUsedInboxId}
              onOpen={onOpenConversation}
            />
          ))}
        </ul>
      )}
      <LinkedAccounts customerId={customerId} />
      <IdentitySuggestions customerId={customerId} canMerge={canMerge} />
      {canReply && (
        <ContactModal
          customerId={customerId}
          customerName={customerName}
          channels={channels.data}
          isOpen={isContactOpen}
          onClose={() => setContactOpen(false)}
          onSent={onOpenConversation}
        />
      )}
    </div>
  );
}

/**
 * One channel card: the inbox name and 最近使用 on the first line, the address and last message time on the second
 * (the time wraps under a long address), and 打开会话 as an icon button, so both stay readable in the panel's 320 px
 * in either language.
 */
function ChannelRow({
  item,
  customerId,
  isLastUsed,
  onOpen,
}: {
  item: CustomerChannel;
  customerId: string;
  isLastUsed: boolean;
  onOpen: (conversationId: string) => void;
}) {
  const { t } = useTranslation();
  const { conversationId } = item;
  // A phone reads masked, as on the profile, until the user reveals the customer's phones there.
  const addressText = useChannelAddressText(customerId);
  const address = addressText(item) ?? t('customerChannels.noAddress');
  return (
    <li
      className="hk-channel-row"
      data-testid="customer-channel"
      data-inbox-id={item.inboxId}
      data-channel-type={item.channelType}
      data-last-used={isLastUsed ? 'true' : 'false'}
    >
      <ChannelIcon channelType={item.channelType} inboxName={item.inboxName} className="hk-channel-row-icon" />
      <div className="hk-channel-row-main">
        <div className="hk-channel-row-line">
          <span className="hk-channel-row-name" title={item.inboxName} data-testid="channel-name">
            {item.inboxName}
          </span>
          {isLastUsed && (
            <Tag color="blue" className="hk-badge" data-testid="channel-last-used">
              {t('customerChannels.lastUsed')}
            </Tag>
          )}
        </div>
        <div className="hk-channel-row-meta hk-muted hk-small">
          <span className="hk-mono hk-channel-row-address" title={address} data-testid="channel-address">
            {address}
          </span>
          {item.lastMessageAt ? (
            <RelativeTime iso={item.lastMessageAt} className="hk-channel-row-time" />
          ) : (
            <span className="hk-channel-row-time">{t('customerChannels.never')}</span>
          )}
        </div>
      </div>
      {conversationId && (
        <Tooltip title={t('customerChannels.openConversation')}>
          <Button
            type="text"
            size="small"
            icon={<MessageOutlined />}
            aria-label={t('customerChannels.openConversation')}
            onClick={() => onOpen(conversationId)}
            className="hk-channel-row-open"
            data-testid="channel-open-conversation"
          />
        </Tooltip>
      )}
    </li>
  );
}

/**
 * Accounts that are not a way to write to the customer: the shop member id a signed widget proved (店铺会员) and
 * platform buyer ids from their orders — what tells an agent who this visitor is in the shop's own systems.
 */
function LinkedAccounts({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const identities = useCustomerIdentities(customerId);
  const accounts = (identities.data ?? []).filter(
    (identity) => identity.kind === 'shop_user' || identity.kind === 'platform_buyer',
  );
  if (accounts.length === 0) return null;
  return (
    <div className="hk-linked-accounts" data-testid="linked-accounts">
      <span className="hk-muted hk-small">{t('customerChannels.linkedAccounts')}</span>
      {accounts.map((account) => (
        <Tooltip
          key={account.id}
          title={
            account.kind === 'shop_user'
              ? t('customerChannels.linkedAccountHelp.shop_user')
              : t('customerChannels.linkedAccountHelp.platform_buyer')
          }
        >
          <Tag className="hk-badge" data-testid="linked-account" data-kind={account.kind}>
            {account.kind === 'shop_user'
              ? t('identities.kinds.shop_user')
              : t(`orders.platforms.${account.channel}` as 'orders.platforms.other', {
                  defaultValue: account.channel,
                })}{' '}
            <span className="hk-mono">{accountId(account)}</span>
          </Tag>
        </Tooltip>
      ))}
    </div>
  );
}

/** A platform buyer's id is `<platform>:<buyerId>`. */
const accountId = (account: CustomerIdentity) =>
  account.kind === 'platform_buyer'
    ? account.externalId.slice(account.externalId.indexOf(':') + 1)
    : account.externalId;

/** Customers sharing this one's email or phone: not merged automatically (unverified), suggested instead. */
function IdentitySuggestions({ customerId, canMerge }: { customerId: string; canMerge: boolean }) {
  const { t } = useTranslation();
  const suggestions = useIdentitySuggestions(customerId);
  const [mergingId, setMergingId] = useState<string | null>(null);
  const items = suggestions.data ?? [];
  if (items.length === 0) return null;
  return (
    <div className="hk-identity-suggestions" data-testid="identity-suggestions">
      <div className="hk-identity-suggestions-title">
        <BulbOutlined /> {t('customerChannels.suggestionsTitle')}
      </div>
      <div className="hk-muted hk-small">{t('customerChannels.suggestionsHelp')}</div>
      {items.map((item) => (
        <div
          key={item.customerId}
          className="hk-identity-suggestion"
          data-testid="identity-suggestion"
          data-customer-id={item.customerId}
        >
          <Link to={`/customers/${item.customerId}`}>{item.customerName ?? t('customer.anonymous')}</Link>
          <Tag color="orange" className="hk-badge">
            {t(`customerChannels.reasons.${item.reason}`)}
          </Tag>
          {canMerge ? (
            <Button
              size="small"
              type="link"
              icon={<MergeCellsOutlined />}
              onClick={() => setMergingId(item.customerId)}
              data-testid="identity-suggestion-merge"
            >
              {t('customerChannels.suggestionMerge')}
            </Button>
          ) : (
            <Link to={`/customers/${item.customerId}`} className="hk-small">
              {t('customerChannels.suggestionOpen')}
            </Link>
          )}
        </div>
      ))}
      {canMerge && <MergeDrawer survivorId={customerId} otherId={mergingId} onClose={() => setMergingId(null)} />}
    </div>
  );
}
