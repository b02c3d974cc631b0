import {
  DeleteOutlined,
  EditOutlined,
  LeftOutlined,
  PlusOutlined,
  ReloadOutlined,
  RightOutlined,
} from '@ant-design/icons';
import { App, Button, Calendar, Card, Popconfirm, Segmented, Space, Table, Tooltip } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Holiday } from '../modules/business-hours/api/business-hours-api.ts';
import { HolidayDrawer } from '../modules/business-hours/components/holiday-drawer.tsx';
import { HolidayKindTag } from '../modules/business-hours/components/holiday-kind-tag.tsx';
import { useDeleteHoliday, useHolidays, useImportHolidayPreset } from '../modules/business-hours/hooks/use-holidays.ts';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { errorMessage } from '../ui/errors.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { inWorkspace, workspaceToday } from '../ui/time.ts';
import { useDocumentTitle } from '../ui/use-document-title.ts';

/** 节假日: the workspace calendar of public holidays (closed) and 调休 workdays (open), per year. */
/** Readers of automation only: other roles get a plain no-permission page instead of a failing list. */
export function SettingsHolidaysPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('holidays.title'));
  const can = useCan();
  if (!can('automation:read')) {
    return (
      <div className="hk-page">
        <PageHeader title={t('holidays.title')} />
        <Card variant="borderless" className="hk-card">
          <EmptyState title={t('errors.forbidden')} />
        </Card>
      </div>
    );
  }
  return <HolidaysSettings />;
}

function HolidaysSettings() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const can = useCan();
  const canManage = can('automation:manage');
  const [year, setYear] = useState(() => inWorkspace().year());
  const [editing, setEditing] = useState<{ holiday?: Holiday; date?: string } | null>(null);
  const [view, setView] = useState<'list' | 'calendar'>('list');
  const [month, setMonth] = useState<Dayjs>(() => workspaceToday());
  const changeYear = (next: number) => {
    setYear(next);
    setMonth((current) => current.year(next));
  };
  const holidays = useHolidays(year);
  const remove = useDeleteHoliday();
  const importPreset = useImportHolidayPreset();
  const hasPreset = holidays.data?.presetYears.includes(year) ?? false;

  const restore = () =>
    modal.confirm({
      title: t('holidays.restoreTitle', { year }),
      content: t('holidays.restoreExplain'),
      okText: t('holidays.restore'),
      onOk: () =>
        importPreset.mutateAsync(year).then(
          () => void message.success(t('holidays.restored', { year })),
          (error) => void message.error(errorMessage(error, t)),
        ),
    });

  const items = holidays.data?.items ?? [];
  const byDate = new Map(items.map((day) => [day.date, day]));
  const counts = {
    holiday: items.filter((d) => d.kind === 'holiday').length,
    workday: items.filter((d) => d.kind === 'workday').length,
  };

  return (
    <div className="hk-page">
      <PageHeader
        title={t('holidays.title')}
        subtitle={t('holidays.subtitle')}
        extra={
          canManage && (
            <Space>
              <Tooltip title={hasPreset ? undefined : t('holidays.noPreset', { year })}>
                <Button icon={<ReloadOutlined />} onClick={restore} disabled={!hasPreset} data-testid="holiday-restore">
                  {t('holidays.restore')}
                </Button>
              </Tooltip>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({})} data-testid="holiday-add">
                {t('holidays.add')}
              </Button>
            </Space>
          )
        }
      />
      <Card
        variant="borderless"
        className="hk-card"
        title={
          <Space>
            <Button
              size="small"
              icon={<LeftOutlined />}
              onClick={() => changeYear(year - 1)}
              aria-label={t('holidays.prevYear')}
            />
            <span data-testid="holiday-year">{t('holidays.year', { year })}</span>
            <Button
              size="small"
              icon={<RightOutlined />}
              onClick={() => changeYear(year + 1)}
              aria-label={t('holidays.nextYear')}
            />
          </Space>
        }
        extra={
          <Space>
            <Segmented
              size="small"
              value={view}
              onChange={(value) => setView(value as 'list' | 'calendar')}
              options={[
                { value: 'list', label: t('holidays.viewList') },
                { value: 'calendar', label: t('holidays.viewCalendar') },
              ]}
              data-testid="holiday-view"
            />
            <span className="hk-muted hk-small">
              {t('holidays.counts', { holidays: counts.holiday, workdays: counts.workday })}
            </span>
          </Space>
        }
      >
        {holidays.isError ? (
          <ErrorState error={holidays.error} onRetry={() => void holidays.refetch()} />
        ) : view === 'calendar' ? (
          <Calendar
            value={month}
            validRange={[dayjs(`${year}-01-01`), dayjs(`${year}-12-31`)]}
            onPanelChange={(value) => setMonth(value)}
            onSelect={(value, info) => {
              setMonth(value);
              if (info.source !== 'date' || !canManage) return;
              const date = value.format('YYYY-MM-DD');
              const holiday = byDate.get(date);
              setEditing(holiday ? { holiday } : { date });
            }}
            cellRender={(value, info) => {
              if (info.type !== 'date') return info.originNode;
              const holiday = byDate.get(value.format('YYYY-MM-DD'));
              return holiday ? (
                <div className="hk-small" data-testid="holiday-cell">
                  <HolidayKindTag kind={holiday.kind} /> {holiday.name}
                </div>
              ) : null;
            }}
          />
        ) : (
          <Table<Holiday>
            rowKey="date"
            size="middle"
            loading={holidays.isPending}
            dataSource={items}
            pagination={false}
            data-testid="holiday-table"
            locale={{
              emptyText: (
                <EmptyState
                  title={t('holidays.emptyTitle', { year })}
                  description={hasPreset ? t('holidays.emptyWithPreset') : t('holidays.emptyDescription')}
                />
              ),
            }}
            columns={[
              {
                title: t('holidays.date'),
                dataIndex: 'date',
                width: 200,
                // In the current language (dayjs follows it): 「1月1日 周四」, "Jan 1, Thu".
                render: (date: string) => (
                  <span data-testid="holiday-row-date">
                    {dayjs(date).format(t('holidays.listDate'))}
                    <span className="hk-muted"> {dayjs(date).format('ddd')}</span>
                  </span>
                ),
              },
              {
                title: t('holidays.kind'),
                dataIndex: 'kind',
                width: 100,
                render: (kind: Holiday['kind']) => <HolidayKindTag kind={kind} />,
              },
              { title: t('holidays.name'), dataIndex: 'name' },
              ...(canManage
                ? [
                    {
                      title: t('common.actions'),
                      key: 'actions',
                      width: 120,
                      render: (_: unknown, holiday: Holiday) => (
                        <Space>
                          <Button
                            type="text"
                            size="small"
                            icon={<EditOutlined />}
                            aria-label={t('common.edit')}
                            onClick={() => setEditing({ holiday })}
                          />
                          <Popconfirm
                            title={t('holidays.deleteConfirm', { date: holiday.date, name: holiday.name })}
                            onConfirm={() =>
                              remove.mutateAsync(holiday.date).then(
                                () => void message.success(t('holidays.deleted')),
                                (error) => void message.error(errorMessage(error, t)),
                              )
                            }
                          >
                            <Button
                              type="text"
                              size="small"
                              danger
                              icon={<DeleteOutlined />}
                              aria-label={t('holidays.delete')}
                            />
                          </Popconfirm>
                        </Space>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </Card>
      <HolidayDrawer
        open={editing !== null}
        holiday={editing?.holiday}
        date={editing?.date}
        year={year}
        onClose={() => setEditing(null)}
      />
    </div>
  );
}
