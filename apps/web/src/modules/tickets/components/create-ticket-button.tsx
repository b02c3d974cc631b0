import { FileAddOutlined } from '@ant-design/icons';
import type { Conversation } from '@huike/contracts';
import { App, Button, Tooltip } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useMessages } from '../../conversations/hooks/use-messages.ts';
import { useCan } from '../../identity/hooks/use-session.ts';
import { useCustomerOrders } from '../../orders/hooks/use-orders.ts';
import type { TicketRow } from '../api/tickets-api.ts';
import { TicketCreateDrawer, type TicketPrefill } from './ticket-create-drawer.tsx';

/** A subject from the customer's last message: its first line, trimmed to what fits a title. */
export function subjectFrom(text: string | undefined): string {
  const line =
    (text ?? '')
      .split('\n')
      .find((each) => each.trim())
      ?.trim() ?? '';
  return Array.from(line).length > 60 ? `${Array.from(line).slice(0, 60).join('')}…` : line;
}

/** 创建工单 in the chat header: a drawer prefilled with the customer, their latest order and the last message. */
export function CreateTicketButton({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const can = useCan();
  const [isOpen, setOpen] = useState(false);
  const [created, setCreated] = useState<TicketRow | null>(null);
  const messages = useMessages(conversation.id);
  const orders = useCustomerOrders(conversation.customerId);

  // biome-ignore lint/correctness/useExhaustiveDependencies: computed once per opening, from what is loaded at that moment
  const prefill = useMemo<TicketPrefill | undefined>(() => {
    if (!isOpen) return undefined;
    const items = messages.items ?? [];
    let lastCustomerText: string | undefined;
    for (let index = items.length - 1; index >= 0; index--) {
      const item = items[index];
      if (item?.kind === 'message' && item.message.senderKind === 'customer' && item.message.content.trim()) {
        lastCustomerText = item.message.content;
        break;
      }
    }
    const latestOrder = orders.data?.pages[0]?.items[0];
    return {
      customerId: conversation.customerId,
      customerName: conversation.customerName,
      conversationId: conversation.id,
      subject: subjectFrom(lastCustomerText ?? conversation.lastMessagePreview ?? ''),
      description: lastCustomerText ?? '',
      orderIds: latestOrder ? [latestOrder.id] : [],
    };
  }, [isOpen]);

  if (!can('tickets:write')) return null;
  return (
    <>
      {created && (
        <Link to={`/tickets/${created.id}`} className="hk-workbench-ticket-link" data-testid="workbench-ticket-link">
          {t('tickets.workbench.open')} #{created.number}
        </Link>
      )}
      <Tooltip title={t('tickets.workbench.createHelp')}>
        <Button icon={<FileAddOutlined />} onClick={() => setOpen(true)} data-testid="workbench-create-ticket">
          {t('tickets.workbench.create')}
        </Button>
      </Tooltip>
      <TicketCreateDrawer
        open={isOpen}
        prefill={prefill}
        onClose={() => setOpen(false)}
        onCreated={(ticket) => {
          setOpen(false);
          setCreated(ticket);
          void message.success(t('tickets.workbench.created', { number: ticket.number }));
        }}
      />
    </>
  );
}
