import { EyeInvisibleOutlined, EyeOutlined, MergeCellsOutlined } from '@ant-design/icons';
import type { DuplicateCandidate } from '@huike/contracts';
import { Button, Empty, Skeleton, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CustomerAvatar } from '../../../ui/customer-avatar.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import {
  useCustomer,
  useCustomerDuplicates,
  useHidePii,
  useRevealedPhoneText,
  useRevealedPii,
  useRevealPii,
} from '../hooks/use-customers.ts';
import { customerDisplayName, customerName } from './customers-table.tsx';
import { MergeDrawer } from './merge-drawer.tsx';
import { UnverifiedTag } from './unverified-tag.tsx';
import { TierBadge } from './value-badges.tsx';

type Props = { customerId: string; canMerge: boolean; canReveal: boolean };

/** 查看完整号码 of this customer, shared with the profile (one audited reveal shows them in both). */
function RevealPhonesButton({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const customer = useCustomer(customerId).data;
  const revealed = useRevealedPii(customerId);
  const reveal = useRevealPii();
  const hide = useHidePii();
  if (!customer || customer.piiMasked || (!customer.phone && customer.phones.length === 0)) return null;
  const isShown = revealed.phone !== undefined && revealed.phones !== undefined;
  return (
    <>
      <Tooltip title={isShown ? t('customerData.hidePhones') : t('customerData.revealPhonesHelp')}>
        <Button
          type="link"
          size="small"
          icon={isShown ? <EyeInvisibleOutlined /> : <EyeOutlined />}
          loading={reveal.isPending}
          onClick={() =>
            isShown
              ? hide(customerId, ['phone', 'phones'])
              : reveal.mutate({ id: customerId, fields: ['phone', 'phones'] })
          }
          data-testid="duplicates-reveal-phones"
        >
          {isShown ? t('customerData.hidePhones') : t('customerData.revealPhones')}
        </Button>
      </Tooltip>
      {reveal.isError && <span className="hk-field-error">{errorMessage(reveal.error, t)}</span>}
    </>
  );
}

/** 重复客户: customers that look like this one (same phone, email or buyer id, or a similar name nearby). */
export function CustomerDuplicates({ customerId, canMerge, canReveal }: Props) {
  const { t } = useTranslation();
  const duplicates = useCustomerDuplicates(customerId);
  const phoneText = useRevealedPhoneText(customerId);
  const [merging, setMerging] = useState<DuplicateCandidate | null>(null);
  const drawer = (
    <MergeDrawer
      survivorId={customerId}
      otherId={merging?.customer.id ?? null}
      reasons={merging?.reasons}
      onClose={() => setMerging(null)}
    />
  );
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
      <p className="hk-muted">
        {canMerge ? t('duplicates.help') : t('duplicates.helpReadOnly')}
        {canReveal && <RevealPhonesButton customerId={customerId} />}
      </p>
      {duplicates.data.map((candidate) => (
        <DuplicateRow
          key={candidate.customer.id}
          candidate={candidate}
          phoneText={phoneText}
          canMerge={canMerge}
          onMerge={() => setMerging(candidate)}
        />
      ))}
      {drawer}
    </div>
  );
}

function DuplicateRow({
  candidate,
  phoneText,
  canMerge,
  onMerge,
}: {
  candidate: DuplicateCandidate;
  phoneText: (phone: string, piiMasked: boolean) => string;
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
          <Link to={`/customers/${customer.id}`}>{customerDisplayName(customer, t)}</Link>
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
          {customer.phone && (
            <span>
              <span className="hk-mono" data-testid="duplicate-phone">
                {phoneText(customer.phone, customer.piiMasked)}
              </span>
              <UnverifiedTag customer={customer} field="phone" />
            </span>
          )}
          {customer.email && (
            <span>
              {customer.email}
              <UnverifiedTag customer={customer} field="email" />
            </span>
          )}
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
