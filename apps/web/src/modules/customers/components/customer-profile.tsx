import { EyeInvisibleOutlined, EyeOutlined } from '@ant-design/icons';
import {
  type Customer,
  type CustomFieldDefinition,
  type CustomFieldValue,
  emailAddress,
  genders,
  isValidBankCard,
  isValidIdCard,
  maskPhone,
  normalizePhone,
  type RevealableField,
  type UpdateCustomerBody,
} from '@huike/contracts';
import { App, Button, Skeleton, Switch, Tag, Tooltip } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { formatDateTime } from '../../../ui/time.ts';
import { useCan } from '../../identity/hooks/use-session.ts';
import { useUsers } from '../../identity/hooks/use-users.ts';
import {
  useCustomFields,
  useHidePii,
  useRevealedPii,
  useRevealPii,
  useUpdateCustomer,
} from '../hooks/use-customers.ts';
import { type FieldDraft, type FieldEditor, InlineField } from './inline-field.tsx';
import { MarketingOptOutTag } from './value-badges.tsx';

/** The API's own check (contracts' emailAddress), so ａｂｃ＠ｑｑ．ｃｏｍ passes here and is stored as abc@qq.com. */
const isEmail = (value: string) => emailAddress.safeParse(value).success;

type Props = {
  customer: Customer;
  canEdit: boolean;
  canReveal: boolean;
  /** The inbox panel: contact and custom fields, no ID or bank card. */
  compact?: boolean;
};

const text = (value: string | null | undefined): string | null => (value?.trim() ? value : null);

/** 资料: identity fields, contact details, custom fields and notes — each editable in place. */
export function CustomerProfile({ customer, canEdit, canReveal, compact }: Props) {
  const { t } = useTranslation();
  const update = useUpdateCustomer();
  const fields = useCustomFields();
  const users = useUsers();
  const reveal = useRevealPii();
  const hide = useHidePii();
  const revealed = useRevealedPii(customer.id);

  const save = async (input: UpdateCustomerBody) => {
    try {
      await update.mutateAsync({ id: customer.id, input });
    } catch (error) {
      throw new Error(errorMessage(error, t));
    }
  };
  const textEditor = (maxLength: number, placeholder?: string): FieldEditor => ({
    kind: 'text',
    maxLength,
    placeholder,
  });
  const asText = (draft: FieldDraft) => (typeof draft === 'string' ? draft : null);
  const asList = (draft: FieldDraft) => (Array.isArray(draft) ? draft : []);

  /** 查看 / 隐藏 for these fields together: one audited reveal (POST /reveal), hiding needs no request. */
  const revealButton = (
    fields: RevealableField[],
    testId: string,
    words = { show: t('customerData.reveal'), help: t('customerData.revealHelp'), hide: t('common.hide') },
  ) => {
    if (!canReveal) return null;
    const isShown = fields.every((field) => revealed[field] !== undefined);
    return (
      <Tooltip title={isShown ? words.hide : words.help}>
        <Button
          type="link"
          size="small"
          icon={isShown ? <EyeInvisibleOutlined /> : <EyeOutlined />}
          loading={reveal.isPending && fields.some((field) => reveal.variables?.fields.includes(field))}
          onClick={() => (isShown ? hide(customer.id, fields) : reveal.mutate({ id: customer.id, fields }))}
          data-testid={testId}
        >
          {isShown ? words.hide : words.show}
        </Button>
      </Tooltip>
    );
  };

  const userOptions = (users.data ?? [])
    .filter((user) => !user.disabled || user.id === customer.ownerId)
    .map((user) => ({ value: user.id, label: user.name }));
  const owner = customer.ownerId ? users.data?.find((user) => user.id === customer.ownerId) : undefined;

  // Phones: roles without customers:reveal_pii get them masked from the API. Roles with it get them in full, and
  // the profile masks every one of them (main and other phones alike) until the user reveals: one audited reveal
  // of both fields shows them all, here and in the duplicates tab.
  const phonesShown = !customer.piiMasked && revealed.phone !== undefined && revealed.phones !== undefined;
  const phoneText = (phone: string) => (customer.piiMasked || phonesShown ? phone : maskPhone(phone));
  const hasPhones = Boolean(customer.phone) || customer.phones.length > 0;
  const phonesReveal =
    hasPhones && !customer.piiMasked
      ? revealButton(['phone', 'phones'], 'reveal-phones', {
          show: t('customerData.revealPhones'),
          help: t('customerData.revealPhonesHelp'),
          hide: t('customerData.hidePhones'),
        })
      : null;
  const revealError = reveal.isError ? <div className="hk-field-error">{errorMessage(reveal.error, t)}</div> : null;

  return (
    <div
      className={compact ? 'hk-profile' : 'hk-profile hk-profile-wide'}
      data-testid="customer-profile"
      data-customer-id={customer.id}
    >
      <Section title={t('customerData.sectionBasic')} compact={compact}>
        <InlineField
          label={t('customer.name')}
          display={text(customer.name)}
          value={customer.name}
          editor={textEditor(100)}
          canEdit={canEdit}
          testId="customer-name"
          onSave={(draft) => save({ name: asText(draft) })}
        />
        <InlineField
          label={t('customerData.nickname')}
          display={text(customer.nickname)}
          value={customer.nickname}
          editor={textEditor(100)}
          canEdit={canEdit}
          testId="customer-nickname"
          onSave={(draft) => save({ nickname: asText(draft) })}
        />
        <div className="hk-field-pair">
          <InlineField
            label={t('customerData.gender')}
            display={customer.gender === 'unknown' ? null : t(`customerData.genders.${customer.gender}`)}
            value={customer.gender}
            editor={{
              kind: 'select',
              allowClear: false,
              options: genders.map((gender) => ({ value: gender, label: t(`customerData.genders.${gender}`) })),
            }}
            canEdit={canEdit}
            testId="customer-gender"
            onSave={(draft) => save({ gender: (asText(draft) ?? 'unknown') as Customer['gender'] })}
          />
          <InlineField
            label={t('customerData.birthday')}
            display={customer.birthday}
            value={customer.birthday}
            editor={{ kind: 'date' }}
            canEdit={canEdit}
            testId="customer-birthday"
            validate={(draft) =>
              typeof draft === 'string' && draft > new Date().toISOString().slice(0, 10)
                ? t('customerData.birthdayFuture')
                : null
            }
            onSave={(draft) => save({ birthday: asText(draft) })}
          />
        </div>
        <InlineField
          label={t('customerData.region')}
          display={text(customer.region)}
          value={customer.region}
          editor={textEditor(100, t('customerData.regionPlaceholder'))}
          canEdit={canEdit}
          testId="customer-region"
          onSave={(draft) => save({ region: asText(draft) })}
        />
      </Section>

      <Section title={t('customerData.sectionContact')} compact={compact}>
        <InlineField
          label={t('customer.phone')}
          display={
            customer.phone ? (
              <span className="hk-mono" data-testid="customer-phone-value">
                {phoneText(customer.phone)}
              </span>
            ) : null
          }
          extra={customer.phone ? phonesReveal : null}
          value={phonesShown ? customer.phone : ''}
          editor={textEditor(30, customer.phone && !phonesShown ? t('customerData.replaceMasked') : undefined)}
          canEdit={canEdit}
          testId="customer-phone"
          validate={(draft) => (normalizePhone(String(draft)) ? null : t('customerData.phoneInvalid'))}
          onSave={(draft) => save({ phone: asText(draft) })}
        />
        <InlineField
          label={t('customerData.otherPhones')}
          display={
            customer.phones.length > 0 ? (
              <span className="hk-chip-list">
                {customer.phones.map((phone) => (
                  <span key={phone} className="hk-mono" data-testid="customer-other-phone">
                    {phoneText(phone)}
                  </span>
                ))}
              </span>
            ) : null
          }
          extra={customer.phone ? null : phonesReveal}
          value={phonesShown ? customer.phones : []}
          editor={{ kind: 'list', placeholder: t('customerData.listPlaceholder') }}
          // The list is saved whole: editable once the numbers in it are shown (or when there are none).
          canEdit={canEdit && !customer.piiMasked && (phonesShown || customer.phones.length === 0)}
          testId="customer-phones"
          validate={(draft) => {
            const bad = asList(draft).find((phone) => !normalizePhone(phone));
            return bad ? t('customerData.phoneInvalidNamed', { value: bad }) : null;
          }}
          onSave={(draft) => save({ phones: asList(draft) })}
        />
        {reveal.variables?.fields.includes('phone') && revealError}
        <InlineField
          label={t('customer.email')}
          display={text(customer.email)}
          value={customer.email}
          editor={textEditor(254)}
          canEdit={canEdit}
          testId="customer-email"
          validate={(draft) => (isEmail(String(draft)) ? null : t('customer.emailInvalid'))}
          onSave={(draft) => save({ email: asText(draft) })}
        />
        <InlineField
          label={t('customerData.otherEmails')}
          display={customer.emails.length > 0 ? customer.emails.join('、') : null}
          value={customer.emails}
          editor={{ kind: 'list', placeholder: t('customerData.listPlaceholder') }}
          canEdit={canEdit}
          testId="customer-emails"
          validate={(draft) => {
            const bad = asList(draft).find((email) => !isEmail(email));
            return bad ? t('customerData.emailInvalidNamed', { value: bad }) : null;
          }}
          onSave={(draft) => save({ emails: asList(draft) })}
        />
        <MarketingField customer={customer} canEdit={canEdit} />
      </Section>

      <Section title={t('customerData.sectionSource')} compact={compact}>
        <div className="hk-field-pair">
          <InlineField
            label={t('customerData.source')}
            display={text(customer.source)}
            value={customer.source}
            editor={textEditor(100, t('customerData.sourcePlaceholder'))}
            canEdit={canEdit}
            testId="customer-source"
            onSave={(draft) => save({ source: asText(draft) })}
          />
          <InlineField
            label={t('customerData.campaign')}
            display={text(customer.campaign)}
            value={customer.campaign}
            editor={textEditor(100, t('customerData.campaignPlaceholder'))}
            canEdit={canEdit}
            testId="customer-campaign"
            onSave={(draft) => save({ campaign: asText(draft) })}
          />
        </div>
        <InlineField
          label={t('customerData.owner')}
          display={owner ? owner.name : customer.ownerId ? t('chat.unknownAgent') : null}
          value={customer.ownerId}
          editor={{ kind: 'select', options: userOptions }}
          canEdit={canEdit}
          testId="customer-owner"
          onSave={(draft) => save({ ownerId: asText(draft) })}
        />
      </Section>

      {!compact && (
        <Section title={t('customerData.sectionPii')}>
          <InlineField
            label={t('customerData.idCard')}
            display={customer.idCard ? <span className="hk-mono">{revealed.idCard ?? customer.idCard}</span> : null}
            extra={customer.idCard ? revealButton(['idCard'], 'reveal-idCard') : null}
            value=""
            editor={textEditor(18, t('customerData.idCardPlaceholder'))}
            canEdit={canEdit}
            testId="customer-id-card"
            validate={(draft) => (isValidIdCard(String(draft).toUpperCase()) ? null : t('customerData.idCardInvalid'))}
            onSave={(draft) => save({ idCard: asText(draft) })}
          />
          <InlineField
            label={t('customerData.bankCard')}
            display={
              customer.bankCard ? <span className="hk-mono">{revealed.bankCard ?? customer.bankCard}</span> : null
            }
            extra={customer.bankCard ? revealButton(['bankCard'], 'reveal-bankCard') : null}
            value=""
            editor={textEditor(23, t('customerData.bankCardPlaceholder'))}
            canEdit={canEdit}
            testId="customer-bank-card"
            validate={(draft) =>
              isValidBankCard(String(draft).replace(/[\s-]/g, '')) ? null : t('customerData.bankCardInvalid')
            }
            onSave={(draft) => save({ bankCard: asText(draft) })}
          />
          {!reveal.variables?.fields.includes('phone') && revealError}
          {!canReveal && (customer.idCard || customer.bankCard) && (
            <div className="hk-muted hk-small">{t('customerData.piiHidden')}</div>
          )}
        </Section>
      )}

      {fields.isPending ? (
        <Skeleton active title={false} paragraph={{ rows: 2 }} />
      ) : (fields.data ?? []).length > 0 ? (
        <Section title={t('customerData.sectionCustom')} compact={compact}>
          {(fields.data ?? []).map((definition) => (
            <CustomFieldRow
              key={definition.id}
              definition={definition}
              value={customer.customFields[definition.key]}
              canEdit={canEdit}
              onSave={(value) => save({ customFields: { [definition.key]: value } })}
            />
          ))}
        </Section>
      ) : null}

      <Section title={t('customer.notes')} compact={compact} hideTitle>
        <InlineField
          label={t('customer.notes')}
          display={text(customer.notes)}
          value={customer.notes}
          editor={{ kind: 'textarea', maxLength: 5000, placeholder: t('customer.notesPlaceholder') }}
          canEdit={canEdit}
          testId="customer-notes"
          onSave={(draft) => save({ notes: asText(draft) ?? '' })}
        />
      </Section>
      {!compact && (
        <div className="hk-profile-meta hk-muted hk-small">
          <span>
            {t('customer.createdAt')} {formatDateTime(customer.createdAt)}
          </span>
          {customer.profileUpdatedAt && (
            <span>
              {t('customerData.profileUpdatedAt')} {formatDateTime(customer.profileUpdatedAt)}
            </span>
          )}
        </div>
      )}
    </div>
  );
}

/**
 * 接收营销短信: a switch for those who send campaigns (off = unsubscribed, as a 退订 reply does); everyone else sees
 * whether the customer receives them, with the 已退订营销 tag and its date.
 */
function MarketingField({ customer, canEdit }: { customer: Customer; canEdit: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const can = useCan();
  const update = useUpdateCustomer();
  const canSwitch = canEdit && can('campaigns:send');
  return (
    <div className="hk-field" data-testid="customer-marketing">
      <div className="hk-field-label">{t('customerChannels.marketing.label')}</div>
      <div className="hk-field-value">
        <div className="hk-field-text">
          {canSwitch && (
            <Tooltip title={t('customerChannels.marketing.switchHelp')}>
              <Switch
                size="small"
                checked={!customer.marketingOptOutAt}
                loading={update.isPending}
                onChange={(receives) =>
                  update.mutate(
                    { id: customer.id, input: { marketingOptOut: !receives } },
                    {
                      onSuccess: () => void message.success(t('customerChannels.marketing.saved')),
                      onError: (error) => void message.error(errorMessage(error, t)),
                    },
                  )
                }
                data-testid="customer-marketing-switch"
              />
            </Tooltip>
          )}{' '}
          {customer.marketingOptOutAt ? (
            <MarketingOptOutTag optedOutAt={customer.marketingOptOutAt} />
          ) : (
            !canSwitch && t('customerChannels.marketing.receives')
          )}
        </div>
      </div>
    </div>
  );
}

function Section({
  title,
  compact,
  hideTitle,
  children,
}: {
  title: ReactNode;
  compact?: boolean;
  hideTitle?: boolean;
  children: ReactNode;
}) {
  return (
    <section className={compact ? 'hk-profile-section hk-profile-section-compact' : 'hk-profile-section'}>
      {!compact && !hideTitle && <div className="hk-profile-section-title">{title}</div>}
      {children}
    </section>
  );
}

export function formatCustomValue(value: CustomFieldValue | undefined): ReactNode | null {
  if (value === undefined || value === null || value === '') return null;
  if (Array.isArray(value))
    return value.length === 0 ? null : (
      <span className="hk-chip-list">
        {value.map((item) => (
          <Tag key={item} className="hk-badge">
            {item}
          </Tag>
        ))}
      </span>
    );
  return String(value);
}

function CustomFieldRow({
  definition,
  value,
  canEdit,
  onSave,
}: {
  definition: CustomFieldDefinition;
  value: CustomFieldValue | undefined;
  canEdit: boolean;
  onSave: (value: CustomFieldValue | null) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const options = definition.options.map((option) => ({ value: option, label: option }));
  const editor: FieldEditor =
    definition.type === 'number'
      ? { kind: 'number' }
      : definition.type === 'date'
        ? { kind: 'date' }
        : definition.type === 'single_select'
          ? { kind: 'select', options }
          : definition.type === 'multi_select'
            ? { kind: 'multiselect', options }
            : { kind: 'text', maxLength: 500 };
  return (
    <InlineField
      label={definition.label}
      required={definition.required}
      display={formatCustomValue(value)}
      value={value ?? (definition.type === 'multi_select' ? [] : null)}
      editor={editor}
      canEdit={canEdit}
      testId={`custom-field-${definition.key}`}
      validate={(draft) =>
        definition.type === 'number' && typeof draft !== 'number' ? t('customerData.numberInvalid') : null
      }
      onSave={(draft) => onSave(draft as CustomFieldValue | null)}
    />
  );
}
