import { SearchOutlined } from '@ant-design/icons';
import { type TicketSeverity, ticketSeverities, ticketStatuses } from '@huike/contracts';
import { Button, DatePicker, Input, Select, Space } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getWorkspaceTimezone, inWorkspace } from '../../../ui/time.ts';
import { useTeams, useUsers } from '../../identity/hooks/use-users.ts';
import type { TicketFilters } from '../api/tickets-api.ts';
import { useTicketCategories } from '../hooks/use-tickets.ts';
import { useCategoryName } from '../labels.tsx';

type Props = {
  filters: TicketFilters;
  onChange: (key: keyof TicketFilters, value: string | undefined) => void;
  onChangeMany: (changes: Partial<Record<keyof TicketFilters, string | undefined>>) => void;
  onClear: () => void;
  extra?: React.ReactNode;
};

/** 状态 · 分类 · 级别 · 处理人 (我的/未分配/someone) · 团队 · SLA · 创建日期 · 搜索. */
export function TicketFilterBar({ filters, onChange, onChangeMany, onClear, extra }: Props) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(filters.q ?? '');
  useEffect(() => setDraft(filters.q ?? ''), [filters.q]);
  const categories = useTicketCategories();
  const categoryName = useCategoryName();
  const users = useUsers();
  const teams = useTeams();
  const hasFilters = Object.entries(filters).some(([key, value]) => key !== 'sort' && key !== 'order' && value);

  return (
    <div className="hk-filter-bar hk-ticket-filters">
      <Input.Search
        allowClear
        prefix={<SearchOutlined />}
        placeholder={t('tickets.searchPlaceholder')}
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
        onSearch={(value) => onChange('q', value)}
        style={{ width: 300 }}
        data-testid="ticket-search"
      />
      <Space wrap size={8}>
        <Select<string>
          allowClear
          placeholder={t('tickets.filters.status')}
          value={filters.status}
          onChange={(value) => onChange('status', value)}
          style={{ width: 130 }}
          options={[
            { value: 'active', label: t('tickets.filters.active') },
            ...ticketStatuses.map((value) => ({ value, label: t(`tickets.statuses.${value}`) })),
          ]}
          data-testid="ticket-filter-status"
        />
        <Select<string>
          allowClear
          placeholder={t('tickets.filters.category')}
          value={filters.category}
          onChange={(value) => onChange('category', value)}
          style={{ width: 120 }}
          options={(categories.data ?? [])
            .filter((category) => !category.archived)
            .map((category) => ({ value: category.key, label: categoryName(category.key) }))}
          data-testid="ticket-filter-category"
        />
        <Select<TicketSeverity>
          allowClear
          placeholder={t('tickets.filters.severity')}
          value={filters.severity}
          onChange={(value) => onChange('severity', value)}
          style={{ width: 100 }}
          options={ticketSeverities.map((value) => ({ value, label: t(`tickets.severities.${value}`) }))}
          data-testid="ticket-filter-severity"
        />
        <Select<string>
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('tickets.filters.assignee')}
          value={filters.assignee}
          onChange={(value) => onChange('assignee', value)}
          style={{ width: 130 }}
          options={[
            { value: 'mine', label: t('tickets.filters.mine') },
            { value: 'unassigned', label: t('tickets.filters.unassigned') },
            ...(users.data ?? [])
              .filter((user) => !user.disabled && user.role !== 'analyst')
              .map((user) => ({ value: user.id, label: user.name })),
          ]}
          data-testid="ticket-filter-assignee"
        />
        {(teams.data ?? []).length > 0 && (
          <Select<string>
            allowClear
            placeholder={t('tickets.filters.team')}
            value={filters.teamId}
            onChange={(value) => onChange('teamId', value)}
            style={{ width: 120 }}
            options={(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))}
          />
        )}
        <Select<string>
          allowClear
          placeholder={t('tickets.filters.sla')}
          value={filters.sla}
          onChange={(value) => onChange('sla', value)}
          style={{ width: 100 }}
          options={[
            { value: 'overdue', label: t('tickets.filters.overdue') },
            { value: 'breached', label: t('tickets.filters.breached') },
          ]}
          data-testid="ticket-filter-sla"
        />
        <DatePicker.RangePicker
          value={[
            filters.createdFrom ? inWorkspace(filters.createdFrom) : null,
            filters.createdTo ? inWorkspace(filters.createdTo) : null,
          ]}
          placeholder={[t('tickets.filters.dateFrom'), t('tickets.filters.dateTo')]}
          allowEmpty={[true, true]}
          onChange={(range) => {
            // Whole days in the workspace's timezone, sent as instants.
            const day = (value: Dayjs | null | undefined) =>
              value ? dayjs.tz(value.format('YYYY-MM-DD'), getWorkspaceTimezone()) : null;
            onChangeMany({
              createdFrom: day(range?.[0])?.startOf('day').toISOString(),
              createdTo: day(range?.[1])?.endOf('day').toISOString(),
              created: undefined,
            });
          }}
          style={{ width: 240 }}
        />
        {hasFilters && (
          <Button type="link" onClick={onClear} data-testid="ticket-filters-clear">
            {t('tickets.filters.clear')}
          </Button>
        )}
        {extra}
      </Space>
    </div>
  );
}
