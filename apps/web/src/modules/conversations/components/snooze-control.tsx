import { ClockCircleOutlined } from '@ant-design/icons';
import { Button, type ButtonProps, DatePicker, Dropdown, Modal, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getWorkspaceTimezone, inWorkspace, workspaceToday } from '../../../ui/time.ts';

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
const PICKED_FORMAT = 'YYYY-MM-DD HH:mm';

/**
 * The picker's value is a wall-clock time of the browser's days (antd pickers know no other zone); it is read as that
 * wall-clock time in the workspace's zone, like the presets' 09:00.
 */
const pickedInstant = (picked: dayjs.Dayjs): dayjs.Dayjs =>
  dayjs.tz(picked.format(PICKED_FORMAT), getWorkspaceTimezone());

export function SnoozeControl({ onSnooze, isLoading }: { onSnooze: (until: string) => void; isLoading: boolean }) {
  const { t } = useTranslation();
  const [picking, setPicking] = useState(false);
  const [picked, setPicked] = useState<dayjs.Dayjs | null>(null);
  const today = workspaceToday();
  const pickedIsFuture = picked !== null && pickedInstant(picked).isAfter(dayjs());
  const openPicker = () => {
    // Tomorrow 09:00 from the day the picker opens, not the day the header last rendered (a tab left open overnight).
    setPicked(workspaceToday().add(1, 'day').hour(9).minute(0).second(0).millisecond(0));
    setPicking(true);
  };
  const confirmPicked = () => {
    if (!picked || !pickedIsFuture) return;
    onSnooze(pickedInstant(picked).toISOString());
    setPicking(false);
  };
  return (
    <>
      <Dropdown
        trigger={['click']}
        menu={{
          items: [
            ...presets.map((preset) => ({ key: preset, label: t(`snooze.${preset}`) })),
            { type: 'divider' as const },
            { key: 'custom', label: t('snooze.custom') },
          ],
          onClick: ({ key }) => (key === 'custom' ? openPicker() : onSnooze(snoozeUntil(key as Preset))),
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
      <Modal
        open={picking}
        title={t('snooze.customTitle')}
        okText={t('snooze.button')}
        okButtonProps={{ disabled: !pickedIsFuture, 'data-testid': 'snooze-custom-ok' } as ButtonProps}
        onOk={confirmPicked}
        onCancel={() => setPicking(false)}
        destroyOnHidden
      >
        <DatePicker
          showTime={{ format: 'HH:mm', minuteStep: 5 }}
          format={PICKED_FORMAT}
          value={picked}
          onChange={setPicked}
          allowClear={false}
          disabledDate={(day) => day.isBefore(today, 'day') || day.isAfter(today.add(1, 'year'), 'day')}
          style={{ width: '100%' }}
          data-testid="snooze-custom-time"
        />
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {picked && !pickedIsFuture
            ? t('snooze.customPast')
            : t('snooze.customHelp', { zone: getWorkspaceTimezone() })}
        </Typography.Paragraph>
      </Modal>
    </>
  );
}
