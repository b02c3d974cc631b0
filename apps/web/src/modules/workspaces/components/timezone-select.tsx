import { Select } from 'antd';
import { useMemo } from 'react';

const common = [
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Taipei',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Asia/Bangkok',
  'Asia/Kuala_Lumpur',
  'Asia/Dubai',
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'America/Los_Angeles',
  'Australia/Sydney',
  'UTC',
];

function allTimezones(): string[] {
  try {
    const zones = Intl.supportedValuesOf('timeZone');
    return Array.from(new Set([...common, ...zones]));
  } catch {
    return common;
  }
}

type Props = { value?: string; onChange?: (value: string) => void; id?: string };

export function TimezoneSelect({ value, onChange, id }: Props) {
  const options = useMemo(() => allTimezones().map((zone) => ({ value: zone, label: zone })), []);
  return <Select id={id} showSearch value={value} onChange={onChange} options={options} />;
}
