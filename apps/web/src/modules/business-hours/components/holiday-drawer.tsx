import { App, DatePicker, Form, Input, Radio, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { GuardedFormDrawer } from '../../../ui/guarded-form-drawer.tsx';
import type { Holiday } from '../api/business-hours-api.ts';
import { useFindHoliday, useHolidays, useSaveHoliday } from '../hooks/use-holidays.ts';

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
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveHoliday();
  const findHoliday = useFindHoliday();
  // A new day on a date that is already on the calendar replaces it: said under the date, and asked before saving.
  const picked = Form.useWatch('date', form);
  const pickedYear = picked?.year() ?? year;
  const days = useHolidays(pickedYear, { enabled: open && !holiday });
  const taken =
    !holiday && picked ? days.data?.items.find((day) => day.date === picked.format('YYYY-MM-DD')) : undefined;
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
    const write = () =>
      save.mutate(
        { date, input: { kind: values.kind, name: values.name.trim() } },
        {
          onSuccess: () => {
            void message.success(t('holidays.saved', { date }));
            onClose();
          },
        },
      );
    const existing = holiday ? undefined : await findHoliday(date).catch(() => undefined);
    if (!existing) {
      write();
      return;
    }
    modal.confirm({
      title: t('holidays.replaceTitle', { date, name: existing.name }),
      content: t('holidays.replaceHelp'),
      okText: t('holidays.replace'),
      cancelText: t('common.cancel'),
      okButtonProps: { 'data-testid': 'holiday-replace-confirm' },
      onOk: write,
    });
  };

  return (
    <GuardedFormDrawer
      open={open}
      onClose={onClose}
      isDirty={() => form.isFieldsTouched()}
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
          extra={
            taken && (
              <Typography.Text type="warning" data-testid="holiday-date-taken">
                {t('holidays.replaceTitle', { date: taken.date, name: taken.name })}
              </Typography.Text>
            )
          }
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
    </GuardedFormDrawer>
  );
}
