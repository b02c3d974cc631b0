import { MergeCellsOutlined } from '@ant-design/icons';
import type { DuplicateCandidate } from '@huike/contracts';
import { Button, Empty, Skeleton, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CustomerAvatar } from '../../../ui/customer-avatar.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { useCustomerDuplicates } from '../hooks/use-customers.ts';
import { customerName } from './customers-table.tsx';
import { MergeDrawer } from './merge-drawer.tsx';
import { TierBadge } from './value-badges.tsx';

type Props = { customerId: string; canMerge: boolean };

/** 重复客户: customers that look like this one (same phone, email or buyer id, or a similar name nearby). */
export function CustomerDuplicates({ customerId, canMerge }: Props) {
  const { t } = useTranslation();
  const duplicates = useCustomerDuplicates(customerId);
  const [mergingId, setMergingId] = useState<string | null>(null);
  const drawer = <MergeDrawer survivorId={customerId} otherId={mergingId} onClose={() => setMergingId(null)} />;
  if (duplicates.isPending) return <Skeleton active paragraph={{ rows: 3 }} />;
  if (duplicates.isError)
    return <ErrorState error={duplicates.error} onRetry={() => void duplicates.refetch()} compact />;
  if (duplicates.data.length === 0)
    return (
      <>
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={t('duplicates.empty')}
          data-testid="duplicates-empty"
        />
        {drawer}
      </>
    );
  return (
    <div className="hk-duplicates" data-testid="customer-duplicates">
      <p className="hk-muted">{canMerge ? t('duplicates.help') : t('duplicates.helpReadOnly')}</p>
      {duplicates.data.map((candidate) => (
        <DuplicateRow
          key={candidate.customer.id}
          candidate={candidate}
          canMerge={canMerge}
          onMerge={() => setMergingId(candidate.customer.id)}
        />
      ))}
      {drawer}
    </div>
  );
}

function DuplicateRow({
  candidate,
  canMerge,
  onMerge,
}: {
  candidate: DuplicateCandidate;
  canMerge: boolean;
  onMerge: () => void;
}) {
  const { t } = useTranslation();
  const { customer } = candidate;
  return (
    <div className="hk-duplicate" data-testid="duplicate-row" data-customer-id={customer.id}>
      <CustomerAvatar name={customerName(customer, '?')} seed={customer.id} size={32} />
      <div className="hk-duplicate-main">
        <div className="hk-duplicate-name">
          <Link to={`/customers/${customer.id}`}>{customerName(customer, t('customer.anonymous'))}</Link>
          <TierBadge tier={customer.rfmTier} />
          {candidate.reasons.map((reason) => (
            <Tag key={reason} color="orange" className="hk-badge">
              {reason === 'similar_name'
                ? t('duplicates.reasons.similar_name', { percent: Math.round(candidate.similarity * 100) })
                : t(`duplicates.reasons.${reason}`)}
            </Tag>
          ))}
        </div>
        <div className="hk-muted hk-small hk-duplicate-meta">
          {customer.phone && <span className="hk-mono">{customer.phone}</span>}
          {customer.email && <span>{customer.email}</span>}
          {customer.region && <span>{customer.region}</span>}
          <span>
            {t('duplicates.created')} <RelativeTime iso={customer.createdAt} />
          </span>
          {customer.orderCount ? <span>{t('duplicates.orders', { count: customer.orderCount })}</span> : null}
        </div>
      </div>
      {canMerge && (
        <Button icon={<MergeCellsOutlined />} onClick={onMerge} data-testid="duplicate-merge">
          {t('duplicates.merge')}
        </Button>
      )}
    </div>
  );
}
