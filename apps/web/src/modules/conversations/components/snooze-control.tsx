import { ClockCircleOutlined } from '@ant-design/icons';
import { Button, Dropdown, Tooltip } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { getWorkspaceTimezone, inWorkspace } from '../../../ui/time.ts';

type Preset = 'minutes30' | 'hour1' | 'hours3' | 'tomorrow' | 'nextMonday';

/** When a preset ends, in the workspace's timezone ("tomorrow 09:00" is the shop's morning). */
export function snoozeUntil(preset: Preset, now = Date.now()): string {
  const local = inWorkspace(now);
  const atNine = (day: dayjs.Dayjs) => dayjs.tz(`${day.format('YYYY-MM-DD')} 09:00`, getWorkspaceTimezone());
  switch (preset) {
    case 'minutes30':
      return dayjs(now).add(30, 'minute').toISOString();
    case 'hour1':
      return dayjs(now).add(1, 'hour').toISOString();
    case 'hours3':
      return dayjs(now).add(3, 'hour').toISOString();
    case 'tomorrow':
      return atNine(local.add(1, 'day')).toISOString();
    case 'nextMonday': {
      const daysAhead = (8 - local.day()) % 7 || 7;
      return atNine(local.add(daysAhead, 'day')).toISOString();
    }
  }
}

const presets: Preset[] = ['minutes30', 'hour1', 'hours3', 'tomorrow', 'nextMonday'];

export function SnoozeControl({ onSnooze, isLoading }: { onSnooze: (until: string) => void; isLoading: boolean }) {
  const { t } = useTranslation();
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: presets.map((preset) => ({ key: preset, label: t(`snooze.${preset}`) })),
        onClick: ({ key }) => onSnooze(snoozeUntil(key as Preset)),
      }}
    >
      <Tooltip title={t('snooze.help')}>
        <Button
          icon={<ClockCircleOutlined />}
          loading={isLoading}
          className="hk-collapsible-label"
          aria-label={t('snooze.button')}
          data-testid="action-snooze"
        >
          {t('snooze.button')}
        </Button>
      </Tooltip>
    </Dropdown>
  );
}
