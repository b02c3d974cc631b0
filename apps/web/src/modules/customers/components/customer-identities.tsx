import type { CustomerIdentity } from '@huike/contracts';
import { Empty, Skeleton, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../../ui/copy-button.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { useCustomer, useCustomerIdentities, useRevealedPhoneText } from '../hooks/use-customers.ts';

/** 身份: how this customer is known on each channel (widget visitor, shop user, phone, platform buyer…). */
export function CustomerIdentities({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const identities = useCustomerIdentities(customerId);
  const customer = useCustomer(customerId).data;
  // A phone id (a phone identity, an SMS sender) reads masked, as on the profile, until the user reveals the
  // customer's phones there (one audited reveal).
  const phoneText = useRevealedPhoneText(customerId);
  const shownId = (row: CustomerIdentity) =>
    row.kind === 'phone' || row.channel === 'sms'
      ? phoneText(row.externalId, customer?.piiMasked ?? false)
      : row.externalId;
  if (identities.isPending) return <Skeleton active paragraph={{ rows: 3 }} />;
  if (identities.isError)
    return <ErrorState error={identities.error} onRetry={() => void identities.refetch()} compact />;
  if (identities.data.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('identities.empty')} />;
  const rows = [...identities.data].sort((a, b) => a.channel.localeCompare(b.channel));
  return (
    <Table<CustomerIdentity>
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={rows}
      data-testid="customer-identities"
      columns={[
        {
          key: 'channel',
          title: t('identities.channel'),
          width: 140,
          render: (_, row) => (
            <Tag className="hk-badge">
              {t(`identities.channels.${row.channel}` as 'identities.channels.website', { defaultValue: row.channel })}
            </Tag>
          ),
        },
        {
          key: 'kind',
          title: t('identities.kind'),
          width: 130,
          render: (_, row) => t(`identities.kinds.${row.kind}`),
        },
        {
          key: 'externalId',
          title: t('identities.externalId'),
          render: (_, row) => {
            const shown = shownId(row);
            return (
              <span className="hk-nowrap">
                <span className="hk-mono">{shown}</span>
                {/* Not before the reveal: copying would hand out the number the screen masks. */}
                {shown === row.externalId && (
                  <CopyButton text={row.externalId} label="" size="small" type="text" aria-label={t('common.copy')} />
                )}
              </span>
            );
          },
        },
        {
          key: 'inbox',
          title: t('identities.inbox'),
          render: (_, row) => row.inboxName ?? <span className="hk-muted">—</span>,
        },
        {
          key: 'createdAt',
          title: t('identities.createdAt'),
          width: 120,
          render: (_, row) => <RelativeTime iso={row.createdAt} />,
        },
      ]}
    />
  );
}
