import { Select } from 'antd';
import { type CSSProperties, useMemo } from 'react';

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

type Props = {
  value?: string;
  onChange?: (value: string) => void;
  id?: string;
  disabled?: boolean;
  style?: CSSProperties;
};

/** Common zones first, then every zone the browser knows; a saved zone it does not know stays pickable. */
export function TimezoneSelect({ value, onChange, id, disabled, style }: Props) {
  const options = useMemo(() => {
    const zones = allTimezones();
    const known = !value || zones.includes(value) ? zones : [value, ...zones];
    return known.map((zone) => ({ value: zone, label: zone }));
  }, [value]);
  return (
    <Select id={id} showSearch value={value} onChange={onChange} options={options} disabled={disabled} style={style} />
  );
}
