import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Holiday } from '../api/business-hours-api.ts';

/** 休 (a public holiday: closed) in red, 班 (a 调休 make-up workday: open with Monday's hours) in blue. */
export function HolidayKindTag({ kind }: { kind: Holiday['kind'] }) {
  const { t } = useTranslation();
  return <Tag color={kind === 'holiday' ? 'red' : 'blue'}>{t(`holidays.kinds.${kind}`)}</Tag>;
}
