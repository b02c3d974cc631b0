import type { SurveySettings } from '@huike/contracts';
import { App, Button, Card, Form, Input, InputNumber, Switch, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState } from '../../../ui/error-state.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { useSaveSurveySettings, useSurveySettings } from '../hooks/use-surveys.ts';

/** CSAT on/off, auto-send, questions, low-score thresholds and link expiry. */
export function SurveySettingsForm({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const settings = useSurveySettings();
  const save = useSaveSurveySettings();
  const [form] = Form.useForm<SurveySettings>();

  useEffect(() => {
    if (settings.data) form.setFieldsValue(settings.data);
  }, [settings.data, form]);

  if (settings.isError) return <ErrorState error={settings.error} onRetry={() => settings.refetch()} />;

  return (
    <Card loading={settings.isLoading} style={{ maxWidth: 640 }}>
      {!canManage && <Typography.Paragraph type="secondary">{t('surveys.settings.readOnly')}</Typography.Paragraph>}
      <Form<SurveySettings>
        form={form}
        layout="vertical"
        disabled={!canManage}
        onFinish={(values) =>
          save.mutate(values, {
            onSuccess: () => message.success(t('surveys.settings.saved')),
            onError: (error) => message.error(errorMessage(error, t)),
          })
        }
      >
        <Form.Item name="csatEnabled" label={t('surveys.settings.csatEnabled')} valuePropName="checked">
          <Switch data-testid="survey-csat-enabled" />
        </Form.Item>
        <Form.Item name="csatAutoSend" label={t('surveys.settings.csatAutoSend')} valuePropName="checked">
          <Switch data-testid="survey-csat-auto" />
        </Form.Item>
        <Form.Item
          name="csatQuestion"
          label={t('surveys.settings.csatQuestion')}
          rules={[{ required: true, max: 200 }]}
        >
          <Input maxLength={200} data-testid="survey-csat-question" />
        </Form.Item>
        <Form.Item name="npsQuestion" label={t('surveys.settings.npsQuestion')} rules={[{ required: true, max: 200 }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="csatLowThreshold" label={t('surveys.settings.csatLowThreshold')} rules={[{ required: true }]}>
          <InputNumber min={1} max={4} precision={0} />
        </Form.Item>
        <Form.Item name="npsLowThreshold" label={t('surveys.settings.npsLowThreshold')} rules={[{ required: true }]}>
          <InputNumber min={0} max={9} precision={0} />
        </Form.Item>
        <Form.Item name="expiryDays" label={t('surveys.settings.expiryDays')} rules={[{ required: true }]}>
          <InputNumber min={1} max={90} precision={0} />
        </Form.Item>
        {canManage && (
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="survey-settings-save">
            {t('surveys.settings.save')}
          </Button>
        )}
      </Form>
    </Card>
  );
}
