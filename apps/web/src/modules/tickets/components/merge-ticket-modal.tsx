import { useQuery } from '@tanstack/react-query';
import { Alert, App, type ButtonProps, Modal, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { type TicketRow, ticketsApi } from '../api/tickets-api.ts';
import { useMergeTicket } from '../hooks/use-tickets.ts';

type Props = { ticket: TicketRow; open: boolean; onClose: () => void; onMerged: (target: TicketRow) => void };

/** 合并到…: search the duplicate's target by number or subject, confirm, merge. */
export function MergeTicketModal({ ticket, open, onClose, onMerged }: Props) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const [q, setQ] = useState('');
  const [targetId, setTargetId] = useState<string>();
  const merge = useMergeTicket();
  const found = useQuery({
    queryKey: ['tickets', 'merge-search', ticket.id, q],
    queryFn: ({ signal }) =>
      ticketsApi.list({ q: q.replace(/^#/, '') || undefined, limit: 20, sort: 'updatedAt', order: 'desc' }, signal),
    enabled: open,
  });
  const candidates = (found.data?.items ?? []).filter((each) => each.id !== ticket.id && !each.mergedIntoId);
  const target = candidates.find((each) => each.id === targetId);

  const submit = () => {
    if (!target) {
      void message.warning(t('tickets.merge.pick'));
      return;
    }
    modal.confirm({
      title: t('tickets.merge.confirmTitle', { from: ticket.number, to: target.number }),
      content: t('tickets.merge.confirmContent'),
      okText: t('tickets.merge.submit'),
      okButtonProps: { danger: true, 'data-testid': 'ticket-merge-confirm' } as ButtonProps,
      cancelText: t('common.cancel'),
      onOk: () =>
        merge.mutateAsync({ id: ticket.id, targetId: target.id }).then(
          () => {
            void message.success(t('tickets.merge.done', { number: target.number }));
            onMerged(target);
          },
          (error) => void message.error(errorMessage(error, t)),
        ),
    });
  };

  return (
    <Modal
      open={open}
      title={t('tickets.merge.title', { number: ticket.number })}
      onCancel={onClose}
      onOk={submit}
      okText={t('tickets.merge.submit')}
      okButtonProps={{ disabled: !target, 'data-testid': 'ticket-merge-submit' } as ButtonProps}
      cancelText={t('common.cancel')}
      destroyOnHidden
    >
      <Alert
        type="info"
        showIcon
        title={t('tickets.merge.help', { number: ticket.number })}
        style={{ marginBottom: 12 }}
      />
      <Select<string>
        style={{ width: '100%' }}
        showSearch={{ filterOption: false, onSearch: setQ }}
        value={targetId}
        onChange={setTargetId}
        placeholder={t('tickets.merge.search')}
        loading={found.isFetching}
        options={candidates.map((each) => ({ value: each.id, label: `#${each.number} ${each.subject}` }))}
        data-testid="ticket-merge-target"
      />
    </Modal>
  );
}
