import type { TicketSeverity, TicketStatus } from '@huike/contracts';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { useTicketCategories } from './hooks/use-tickets.ts';
import { ticketsZhCN } from './i18n.ts';

const severityColors: Record<TicketSeverity, string> = { normal: 'default', serious: 'orange', urgent: 'red' };
const statusColors: Record<TicketStatus, string> = {
  new: 'blue',
  open: 'processing',
  waiting_customer: 'gold',
  waiting_third_party: 'purple',
  resolved: 'green',
  closed: 'default',
};

export function SeverityTag({ severity }: { severity: TicketSeverity }) {
  const { t } = useTranslation();
  const label = t(`tickets.severities.${severity}`);
  return (
    <Tag
      color={severityColors[severity]}
      className="hk-badge"
      title={label}
      data-testid="ticket-severity"
      data-severity={severity}
    >
      {label}
    </Tag>
  );
}

export function TicketStatusTag({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  const label = t(`tickets.statuses.${status}`);
  return (
    <Tag
      color={statusColors[status]}
      className="hk-badge"
      title={label}
      data-testid="ticket-status"
      data-status={status}
    >
      {label}
    </Tag>
  );
}

const builtIn = new Set(['inquiry', 'logistics', 'return', 'complaint', 'other']);
const defaultNames = new Set(Object.values(ticketsZhCN.categories));

/**
 * A category's name: a built-in one still named as shipped shows in the user's language; a renamed or custom one
 * shows the workspace's own name; unknown keys show as they are.
 */
export function useCategoryName(): (key: string) => string {
  const { t } = useTranslation();
  const { byKey } = useTicketCategories();
  return (key: string) => {
    const category = byKey.get(key);
    const label = builtIn.has(key) ? t(`tickets.categories.${key as 'inquiry'}`) : undefined;
    if (!category) return label ?? key;
    return label && defaultNames.has(category.name) ? label : category.name;
  };
}

export function CategoryTag({ category }: { category: string }) {
  const label = useCategoryName()(category);
  return (
    <Tag
      color={category === 'complaint' ? 'magenta' : undefined}
      className="hk-badge"
      title={label}
      data-testid="ticket-category"
    >
      {label}
    </Tag>
  );
}

export type StatusMove = Exclude<TicketStatus, 'new'> | 'reopen';

/** The state machine as buttons: which moves make sense from each status (the server has the last word). */
export const statusMoves: Record<TicketStatus, StatusMove[]> = {
  new: ['open', 'waiting_customer', 'waiting_third_party', 'resolved', 'closed'],
  open: ['waiting_customer', 'waiting_third_party', 'resolved', 'closed'],
  waiting_customer: ['open', 'waiting_third_party', 'resolved', 'closed'],
  waiting_third_party: ['open', 'waiting_customer', 'resolved', 'closed'],
  resolved: ['reopen', 'closed'],
  closed: ['reopen'],
};

export const isDone = (status: TicketStatus): boolean => status === 'resolved' || status === 'closed';

export const ticketNumber = (number: number): string => `#${number}`;
