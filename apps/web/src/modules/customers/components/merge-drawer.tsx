import type { DuplicateReason, MergeableField, MergePreview } from '@huike/contracts';
import { Alert, App, Button, Descriptions, Radio, Skeleton, Table } from 'antd';
import { type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { FormDrawer } from '../../../ui/form-drawer.tsx';
import { useUsers } from '../../identity/hooks/use-users.ts';
import { customersApi } from '../api/customers-api.ts';
import {
  useMergeCustomers,
  useMergePreview,
  useRefreshCustomers,
  useRevealedPhoneText,
} from '../hooks/use-customers.ts';
import { customerName } from './customers-table.tsx';
import { matchRestsOnUnverified, UnverifiedTag } from './unverified-tag.tsx';

/** `reasons`: what the two were matched on, when known (for the warning about unverified contact details). */
type Props = { survivorId: string; otherId: string | null; reasons?: DuplicateReason[]; onClose: () => void };

type Choice = 'survivor' | 'other';

/**
 * Merging two customers: the preview shows, field by field, what the kept record will say (choose per field),
 * and what moves over; after confirming, the notification offers 撤销合并.
 */
export function MergeDrawer({ survivorId, otherId, reasons = [], onClose }: Props) {
  const { t } = useTranslation();
  const { notification, message } = App.useApp();
  const preview = useMergePreview();
  const merge = useMergeCustomers();
  const refresh = useRefreshCustomers();
  const users = useUsers();
  const [choices, setChoices] = useState<Partial<Record<MergeableField, Choice>>>({});
  const { mutate: loadPreview, reset: resetPreview } = preview;

  useEffect(() => {
    setChoices({});
    resetPreview();
    if (otherId) loadPreview({ id: survivorId, otherId });
  }, [survivorId, otherId, loadPreview, resetPreview]);

  const data = preview.data;
  const phoneText = useRevealedPhoneText(survivorId);
  const show = (field: MergeableField, value: unknown): ReactNode => {
    if (value === null || value === undefined || value === '') return <span className="hk-muted">—</span>;
    // Masked until this customer's numbers are revealed, as in the duplicates list.
    if (field === 'phone' && data)
      return <span className="hk-mono">{phoneText(String(value), data.survivor.piiMasked)}</span>;
    if (field === 'ownerId') return users.data?.find((user) => user.id === value)?.name ?? t('chat.unknownAgent');
    if (field === 'gender') return t(`customerData.genders.${String(value)}` as 'customerData.genders.male');
    return <span className="hk-prewrap">{String(value)}</span>;
  };

  const confirm = () => {
    if (!otherId || !data) return;
    const fieldChoices = Object.fromEntries(
      Object.entries(choices).filter(
        ([field, choice]) => data.fields.find((each) => each.field === field)?.kept !== choice,
      ),
    );
    merge.mutate(
      { id: survivorId, body: { otherId, fieldChoices: Object.keys(fieldChoices).length ? fieldChoices : undefined } },
      {
        onSuccess: (result) => {
          onClose();
          const key = `merge-${result.mergeId}`;
          notification.success({
            key,
            title: t('merge.doneTitle'),
            // The names as the user saw them before merging: the kept record may have taken the other's name.
            description: t('merge.doneDescription', {
              other: customerName(data.other, t('customer.anonymous')),
              survivor: customerName(data.survivor, t('customer.anonymous')),
            }),
            duration: 15,
            actions: (
              <Button
                size="small"
                data-testid="merge-undo"
                // A plain call, not a hook: the drawer (and the duplicate it came from) is gone by now.
                onClick={() =>
                  customersApi.undoMerge(result.mergeId).then(
                    () => {
                      notification.destroy(key);
                      refresh();
                      void message.success(t('merge.undone'));
                    },
                    (error: unknown) => void message.error(errorMessage(error, t)),
                  )
                }
              >
                {t('merge.undo')}
              </Button>
            ),
          });
        },
      },
    );
  };

  return (
    <FormDrawer
      open={Boolean(otherId)}
      onClose={onClose}
      size={720}
      title={t('merge.title')}
      submitLabel={t('merge.confirm')}
      submitTestId="merge-confirm"
      isSubmitting={merge.isPending}
      error={merge.error ?? preview.error}
      onSubmit={confirm}
    >
      {!data ? (
        preview.isError ? null : (
          <Skeleton active paragraph={{ rows: 8 }} />
        )
      ) : (
        <MergeBody preview={data} reasons={reasons} choices={choices} onChoose={setChoices} show={show} />
      )}
    </FormDrawer>
  );
}

function MergeBody({
  preview,
  reasons,
  choices,
  onChoose,
  show,
}: {
  preview: MergePreview;
  reasons: DuplicateReason[];
  choices: Partial<Record<MergeableField, Choice>>;
  onChoose: (next: Partial<Record<MergeableField, Choice>>) => void;
  show: (field: MergeableField, value: unknown) => ReactNode;
}) {
  const { t } = useTranslation();
  const survivorName = customerName(preview.survivor, t('customer.anonymous'));
  const otherName = customerName(preview.other, t('customer.anonymous'));
  const { moves } = preview;
  return (
    <div data-testid="merge-preview">
      <Alert
        type="info"
        showIcon
        title={t('merge.explain', { survivor: survivorName, other: otherName })}
        style={{ marginBottom: 16 }}
      />
      {matchRestsOnUnverified(reasons, preview.survivor, preview.other) && (
        <Alert
          type="warning"
          showIcon
          title={t('unverifiedContacts.mergeWarningTitle')}
          description={t('unverifiedContacts.mergeWarning')}
          style={{ marginBottom: 16 }}
          data-testid="merge-unverified-warning"
        />
      )}
      <Table
        rowKey="field"
        size="small"
        pagination={false}
        dataSource={preview.fields}
        columns={[
          {
            key: 'field',
            title: t('merge.field'),
            width: 96,
            render: (_, row) => t(`customerData.fieldNames.${row.field}`),
          },
          {
            key: 'survivor',
            title: t('merge.keepSide', { name: survivorName }),
            render: (_, row) => (
              <Pick row={row} side="survivor" preview={preview} choices={choices} onChoose={onChoose} show={show} />
            ),
          },
          {
            key: 'other',
            title: t('merge.otherSide', { name: otherName }),
            render: (_, row) => (
              <Pick row={row} side="other" preview={preview} choices={choices} onChoose={onChoose} show={show} />
            ),
          },
        ]}
      />
      <div className="hk-merge-united hk-muted hk-small">{t('merge.united')}</div>
      <Descriptions
        size="small"
        column={3}
        title={t('merge.movesTitle')}
        className="hk-merge-moves"
        items={(['conversations', 'orders', 'tickets', 'identities', 'tags', 'events'] as const).map((key) => ({
          key,
          label: t(`merge.moves.${key}`),
          children: <span data-testid={`merge-moves-${key}`}>{moves[key]}</span>,
        }))}
      />
    </div>
  );
}

function Pick({
  row,
  side,
  preview,
  choices,
  onChoose,
  show,
}: {
  row: MergePreview['fields'][number];
  side: Choice;
  preview: MergePreview;
  choices: Partial<Record<MergeableField, Choice>>;
  onChoose: (next: Partial<Record<MergeableField, Choice>>) => void;
  show: (field: MergeableField, value: unknown) => ReactNode;
}) {
  const value = side === 'survivor' ? row.survivor : row.other;
  const chosen = choices[row.field] ?? row.kept;
  const isSame = JSON.stringify(row.survivor ?? null) === JSON.stringify(row.other ?? null);
  const shown = (
    <>
      {show(row.field, value)}
      {(row.field === 'phone' || row.field === 'email') && Boolean(value) && (
        <UnverifiedTag customer={preview[side]} field={row.field} />
      )}
    </>
  );
  if (isSame) return shown;
  return (
    <Radio
      checked={chosen === side}
      onChange={() => onChoose({ ...choices, [row.field]: side })}
      data-testid={`merge-pick-${row.field}-${side}`}
    >
      {shown}
    </Radio>
  );
}
