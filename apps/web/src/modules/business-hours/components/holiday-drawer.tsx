import { App, DatePicker, Form, Input, Radio } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { FormDrawer } from '../../../ui/form-drawer.tsx';
import type { Holiday } from '../api/business-hours-api.ts';
import { useSaveHoliday } from '../hooks/use-holidays.ts';

type Values = { date: Dayjs; kind: Holiday['kind']; name: string };

/** Adds a day to the calendar, or edits one (its date is fixed: delete and add to move it). */
export function HolidayDrawer({
  open,
  holiday,
  year,
  date,
  onClose,
}: {
  open: boolean;
  holiday: Holiday | undefined;
  year: number;
  /** A new day's date, when picked on the calendar. */
  date?: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveHoliday();
  useEffect(() => {
    if (!open) return;
    save.reset();
    form.setFieldsValue(
      holiday
        ? { date: dayjs(holiday.date), kind: holiday.kind, name: holiday.name }
        : {
            date: date ? dayjs(date) : year === dayjs().year() ? dayjs() : dayjs(`${year}-01-01`),
            kind: 'holiday',
            name: '',
          },
    );
  }, [open, holiday, year, date, form, save.reset]);

  const submit = async () => {
    // A rejected validation is already shown under its field.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    const date = values.date.format('YYYY-MM-DD');
    save.mutate(
      { date, input: { kind: values.kind, name: values.name.trim() } },
      {
        onSuccess: () => {
          void message.success(t('holidays.saved', { date }));
          onClose();
        },
      },
    );
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      size={420}
      title={holiday ? t('holidays.edit') : t('holidays.add')}
      submitLabel={t('common.save')}
      submitTestId="holiday-submit"
      isSubmitting={save.isPending}
      error={save.error}
      onSubmit={() => void submit()}
    >
      <Form<Values> form={form} layout="vertical">
        <Form.Item
          name="date"
          label={t('holidays.date')}
          rules={[{ required: true, message: t('holidays.dateRequired') }]}
        >
          <DatePicker disabled={Boolean(holiday)} style={{ width: '100%' }} data-testid="holiday-date" />
        </Form.Item>
        <Form.Item name="kind" label={t('holidays.kind')} extra={t('holidays.kindHelp')}>
          <Radio.Group
            options={[
              { value: 'holiday', label: t('holidays.kinds.holiday') },
              { value: 'workday', label: t('holidays.kinds.workday') },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('holidays.name')}
          rules={[{ required: true, whitespace: true, message: t('holidays.nameRequired') }, { max: 50 }]}
        >
          <Input placeholder={t('holidays.namePlaceholder')} maxLength={50} data-testid="holiday-name" />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
