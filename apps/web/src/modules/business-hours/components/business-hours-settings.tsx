import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  type BusinessHours,
  describeOpening,
  type Inbox,
  isOpenAt,
  nextOpeningAt,
  summarizeWeekly,
  type WeekdayKey,
  weekdays,
} from '@huike/contracts';
import { Alert, App, Button, Divider, Input, Space, Switch, TimePicker, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { getWorkspaceTimezone } from '../../../ui/time.ts';
import { useCan } from '../../identity/hooks/use-session.ts';
import { useUpdateInbox } from '../../inboxes/hooks/use-inboxes.ts';
import { TimezoneSelect } from '../../workspaces/components/timezone-select.tsx';
import { useHolidays } from '../hooks/use-holidays.ts';

type Range = { start: string; end: string };
type Weekly = Record<WeekdayKey, Range[]>;
type State = { enabled: boolean; timezone: string; weekly: Weekly; offlineEnabled: boolean; offlineContent: string };

const DEFAULT_RANGE: Range = { start: '09:00', end: '18:00' };
const DEFAULT_OFFLINE = '您好，现在是非工作时间，我们将于{{next_open}}回复您。';
const workdays: WeekdayKey[] = ['tue', 'wed', 'thu', 'fri'];

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function fromInbox(inbox: Inbox): State {
  const hours = inbox.settings.businessHours;
  const weekly = Object.fromEntries(
    weekdays.map((day) => [day, hours ? hours.weekly[day] : ['sat', 'sun'].includes(day) ? [] : [DEFAULT_RANGE]]),
  ) as Weekly;
  return {
    enabled: hours?.enabled ?? false,
    timezone: hours?.timezone ?? getWorkspaceTimezone(),
    weekly,
    offlineEnabled: inbox.settings.offlineReply?.enabled ?? false,
    offlineContent: inbox.settings.offlineReply?.content ?? DEFAULT_OFFLINE,
  };
}

/** The first problem of a day's ranges (the server checks the same), or null. */
function dayProblem(ranges: Range[]): 'endBeforeStart' | 'overlap' | null {
  const sorted = [...ranges].sort((a, b) => minutes(a.start) - minutes(b.start));
  for (const [index, range] of sorted.entries()) {
    if (minutes(range.end) <= minutes(range.start)) return 'endBeforeStart';
    const previous = sorted[index - 1];
    if (previous && minutes(range.start) < minutes(previous.end)) return 'overlap';
  }
  return null;
}

const toDayjs = (hhmm: string) => dayjs(`2000-01-01T${hhmm === '24:00' ? '23:59' : hhmm}:00`);
/** The picker cannot show 24:00: 23:59 as an end means "until midnight". */
const fromPicker = (value: Dayjs, isEnd: boolean) => {
  const text = value.format('HH:mm');
  return isEnd && text === '23:59' ? '24:00' : text;
};

function useNow(intervalMs: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(new Date()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** 工作时间: weekly ranges per day in a timezone, the offline auto-reply, and a live "open now?" preview. */
export function BusinessHoursSettings({ inbox, canManage }: { inbox: Inbox; canManage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const can = useCan();
  const update = useUpdateInbox();
  const initial = useMemo(() => fromInbox(inbox), [inbox]);
  const [state, setState] = useState(initial);
  useEffect(() => setState(initial), [initial]);
  const holidays = useHolidays(undefined, { enabled: can('automation:read') });
  const now = useNow(30_000);

  const problems = weekdays
    .map((day) => ({ day, problem: dayProblem(state.weekly[day]) }))
    .filter((each) => each.problem);

  const hours: BusinessHours = { enabled: state.enabled, timezone: state.timezone, weekly: state.weekly };
  const preview = (() => {
    if (!hours.enabled || problems.length > 0) return null;
    const days = holidays.data?.items ?? [];
    const open = isOpenAt(hours, days, now);
    const next = open ? null : nextOpeningAt(hours, days, now);
    return { open, nextText: next ? describeOpening(next, now, hours.timezone) : null };
  })();

  const setDay = (day: WeekdayKey, ranges: Range[]) =>
    setState((s) => ({ ...s, weekly: { ...s.weekly, [day]: ranges } }));

  const save = () => {
    if (problems.length > 0) return;
    update.mutate(
      {
        id: inbox.id,
        input: {
          settings: {
            businessHours: { enabled: state.enabled, timezone: state.timezone, weekly: state.weekly },
            offlineReply: { enabled: state.offlineEnabled, content: state.offlineContent.trim() || DEFAULT_OFFLINE },
          },
        },
      },
      {
        onSuccess: () => void message.success(t('common.saved')),
        onError: (error) => void message.error(errorMessage(error, t)),
      },
    );
  };

  const disabled = !canManage;
  return (
    <div className="hk-stack" data-testid="business-hours">
      <Space>
        <Switch
          checked={state.enabled}
          disabled={disabled}
          onChange={(enabled) => setState((s) => ({ ...s, enabled }))}
          data-testid="business-hours-enabled"
        />
        <span>{t('businessHours.enable')}</span>
      </Space>
      <Typography.Text type="secondary">{t('businessHours.enableHelp')}</Typography.Text>

      {preview === null ? (
        <Alert
          type="info"
          showIcon
          title={state.enabled ? t('businessHours.previewInvalid') : t('businessHours.alwaysOpen')}
        />
      ) : preview.open ? (
        <Alert type="success" showIcon title={t('businessHours.nowOpen')} data-testid="business-hours-preview" />
      ) : (
        <Alert
          type="warning"
          showIcon
          data-testid="business-hours-preview"
          title={
            preview.nextText ? t('businessHours.nowClosed', { next: preview.nextText }) : t('businessHours.neverOpen')
          }
        />
      )}

      <div>
        <Typography.Text strong>{t('businessHours.timezone')}</Typography.Text>
        <TimezoneSelect
          value={state.timezone}
          disabled={disabled}
          style={{ width: '100%', marginTop: 8 }}
          onChange={(timezone) => setState((s) => ({ ...s, timezone }))}
        />
      </div>

      <div>
        <Space style={{ justifyContent: 'space-between', width: '100%' }}>
          <Typography.Text strong>{t('businessHours.weekly')}</Typography.Text>
          <Button
            size="small"
            disabled={disabled}
            onClick={() =>
              setState((s) => ({
                ...s,
                weekly: { ...s.weekly, ...Object.fromEntries(workdays.map((day) => [day, [...s.weekly.mon]])) },
              }))
            }
          >
            {t('businessHours.copyMonday')}
          </Button>
        </Space>
        <div className="hk-muted hk-small" style={{ margin: '4px 0 8px' }}>
          {t('businessHours.weeklyHelp')}
        </div>
        {weekdays.map((day) => {
          const ranges = state.weekly[day];
          const problem = problems.find((each) => each.day === day)?.problem;
          return (
            <div key={day} style={{ display: 'flex', gap: 12, padding: '6px 0' }} data-testid={`hours-${day}`}>
              <div style={{ width: 48, paddingTop: 4 }}>{t(`businessHours.days.${day}`)}</div>
              <div style={{ flex: 1 }}>
                {ranges.length === 0 && <span className="hk-muted">{t('businessHours.closedDay')}</span>}
                {ranges.map((range, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a range has no identity but its position in the day
                  <Space key={`${day}-${index}`} style={{ display: 'flex', marginBottom: 4 }}>
                    <TimePicker.RangePicker
                      format="HH:mm"
                      allowClear={false}
                      disabled={disabled}
                      value={[toDayjs(range.start), toDayjs(range.end)]}
                      onChange={(values) => {
                        if (!values?.[0] || !values[1]) return;
                        const next = [...ranges];
                        next[index] = { start: fromPicker(values[0], false), end: fromPicker(values[1], true) };
                        setDay(day, next);
                      }}
                    />
                    <Button
                      type="text"
                      icon={<DeleteOutlined />}
                      disabled={disabled}
                      aria-label={t('businessHours.removeRange')}
                      onClick={() =>
                        setDay(
                          day,
                          ranges.filter((_, i) => i !== index),
                        )
                      }
                    />
                  </Space>
                ))}
                {problem && <div style={{ color: '#ff4d4f' }}>{t(`businessHours.${problem}`)}</div>}
              </div>
              <Button
                size="small"
                type="dashed"
                icon={<PlusOutlined />}
                disabled={disabled || ranges.length >= 6}
                onClick={() => {
                  const last = ranges.at(-1);
                  const start = last ? last.end : DEFAULT_RANGE.start;
                  const fresh = last ? { start, end: minutes(start) < 22 * 60 ? '22:00' : '24:00' } : DEFAULT_RANGE;
                  setDay(day, [...ranges, fresh]);
                }}
              >
                {t('businessHours.addRange')}
              </Button>
            </div>
          );
        })}
        {state.enabled && problems.length === 0 && (
          <div className="hk-muted hk-small">
            {t('businessHours.summary', { summary: summarizeWeekly(state.weekly) || t('businessHours.closedDay') })}
          </div>
        )}
      </div>

      <Divider style={{ margin: '8px 0' }} />
      <Space>
        <Switch
          checked={state.offlineEnabled}
          disabled={disabled}
          onChange={(offlineEnabled) => setState((s) => ({ ...s, offlineEnabled }))}
          data-testid="offline-reply-enabled"
        />
        <span>{t('businessHours.offlineReply')}</span>
      </Space>
      <Input.TextArea
        value={state.offlineContent}
        disabled={disabled || !state.offlineEnabled}
        maxLength={1000}
        showCount
        autoSize={{ minRows: 2, maxRows: 5 }}
        onChange={(event) => setState((s) => ({ ...s, offlineContent: event.target.value }))}
        data-testid="offline-reply-content"
      />
      <Typography.Text type="secondary">
        {t('businessHours.offlineHelp', { variable: '{{next_open}}' })}
      </Typography.Text>

      {canManage && (
        <div>
          <Button
            type="primary"
            onClick={save}
            loading={update.isPending}
            disabled={problems.length > 0}
            data-testid="business-hours-save"
          >
            {t('common.save')}
          </Button>
        </div>
      )}
    </div>
  );
}
