import type { Customer } from '@huike/contracts';
import { useTranslation } from 'react-i18next';
import { EditableField } from '../../../ui/editable-field.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { MaskedPhone } from '../../../ui/masked-phone.tsx';
import { formatDateTime } from '../../../ui/time.ts';
import type { UpdateCustomerInput } from '../api/customers-api.ts';
import { useUpdateCustomer } from '../hooks/use-customers.ts';

const phonePattern = /^\+?[0-9 -]{5,20}$/;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Props = { customer: Customer; canEdit: boolean };

/** 资料: name, phone (masked until edited or revealed), email, notes — each editable in place. */
export function CustomerProfile({ customer, canEdit }: Props) {
  const { t } = useTranslation();
  const update = useUpdateCustomer();
  const save = async (input: UpdateCustomerInput) => {
    try {
      await update.mutateAsync({ id: customer.id, input });
    } catch (error) {
      throw new Error(errorMessage(error, t));
    }
  };
  return (
    <div className="hk-profile" data-testid="customer-profile" data-customer-id={customer.id}>
      <EditableField
        label={t('customer.name')}
        value={customer.name}
        canEdit={canEdit}
        maxLength={100}
        testId="customer-name"
        onSave={(value) => save({ name: value || null })}
      />
      <EditableField
        label={t('customer.phone')}
        value={customer.phone}
        display={<MaskedPhone phone={customer.phone} />}
        canEdit={canEdit}
        maxLength={20}
        testId="customer-phone"
        validate={(value) => (phonePattern.test(value) ? null : t('customer.phoneInvalid'))}
        onSave={(value) => save({ phone: value || null })}
      />
      <EditableField
        label={t('customer.email')}
        value={customer.email}
        canEdit={canEdit}
        maxLength={254}
        testId="customer-email"
        validate={(value) => (emailPattern.test(value) ? null : t('customer.emailInvalid'))}
        onSave={(value) => save({ email: value || null })}
      />
      <EditableField
        label={t('customer.notes')}
        value={customer.notes || null}
        placeholder={t('customer.notesPlaceholder')}
        isMultiline
        canEdit={canEdit}
        maxLength={5000}
        testId="customer-notes"
        onSave={(value) => save({ notes: value })}
      />
      <div className="hk-field">
        <div className="hk-field-label">{t('customer.createdAt')}</div>
        <div className="hk-field-text hk-muted">{formatDateTime(customer.createdAt)}</div>
      </div>
    </div>
  );
}
