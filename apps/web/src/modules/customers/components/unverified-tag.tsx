import type { Customer, DuplicateReason, UnverifiedContact } from '@huike/contracts';
import { Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';

const isUnverified = (customer: Pick<Customer, 'unverifiedContacts'>, field: string) =>
  (customer.unverifiedContacts ?? []).some((contact) => contact === field);

/**
 * True when every reason two customers were matched on is a phone or email that one of them only has from a
 * visitor's own typing: anyone can type anyone's number, so such a match proves nothing by itself.
 */
export const matchRestsOnUnverified = (
  reasons: DuplicateReason[],
  a: Pick<Customer, 'unverifiedContacts'>,
  b: Pick<Customer, 'unverifiedContacts'>,
) => reasons.length > 0 && reasons.every((reason) => isUnverified(a, reason) || isUnverified(b, reason));

/** 「未验证」 next to a phone or email a website visitor typed themselves. */
export function UnverifiedTag({
  customer,
  field,
}: {
  customer: Pick<Customer, 'unverifiedContacts'>;
  field: UnverifiedContact;
}) {
  const { t } = useTranslation();
  if (!isUnverified(customer, field)) return null;
  return (
    <Tooltip title={t('unverifiedContacts.help')}>
      <Tag color="warning" className="hk-badge" style={{ marginInlineStart: 6 }} data-testid={`unverified-${field}`}>
        {t('unverifiedContacts.tag')}
      </Tag>
    </Tooltip>
  );
}
