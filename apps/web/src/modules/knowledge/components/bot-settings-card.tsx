import type { InboxBotSettings } from '@huike/contracts';
import { Alert, App, Button, Card, Form, Input, Select, Slider, Statistic, Switch } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorMessage } from '../../../ui/errors.tsx';
import { useArticles, useBotStats, useUpdateBotSettings } from '../hooks/use-knowledge.ts';

type Values = InboxBotSettings['settings'];

const percent = (rate: number) => `${Math.round(rate * 1000) / 10}%`;

/** One inbox's bot: on/off, threshold, greeting, quick questions, and its last 30 days (机器人解决率 / 转人工率). */
export function BotSettingsCard({ item, canManage }: { item: InboxBotSettings; canManage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const update = useUpdateBotSettings();
  const stats = useBotStats(item.inboxId);
  const published = useArticles({ status: 'published' });
  const isEnabled = Form.useWatch('enabled', form);
  const hasNoArticles = published.data?.items.length === 0;
  // A rate over no conversations is no result at all: show 「—」 as 服务数据 does, not a green 0%.
  const hasServed = (stats.data?.sessions ?? 0) > 0;
  const rate = (value: number | undefined) => (hasServed && value !== undefined ? percent(value) : '—');

  useEffect(() => form.setFieldsValue(item.settings), [form, item.settings]);

  const submit = async () => {
    // A rejected validation is already shown under its field.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    await update
      .mutateAsync({ inboxId: item.inboxId, settings: { ...values, quickQuestions: values.quickQuestions ?? [] } })
      .then(
        () => void message.success(t('common.saved')),
        (failure) => void message.error(errorMessage(failure, t)),
      );
  };

  return (
    <Card title={item.inboxName} style={{ marginBottom: 16 }} data-testid="bot-settings-card">
      <div style={{ display: 'flex', gap: 32, flexWrap: 'wrap', marginBottom: 16 }}>
        <Statistic title={t('knowledge.sessions')} value={stats.data?.sessions ?? 0} loading={stats.isPending} />
        <Statistic title={t('knowledge.answered')} value={stats.data?.answered ?? 0} loading={stats.isPending} />
        <Statistic
          title={t('knowledge.resolutionRate')}
          value={rate(stats.data?.resolutionRate)}
          loading={stats.isPending}
          valueStyle={hasServed ? { color: '#3f8600' } : undefined}
        />
        <Statistic title={t('knowledge.handoffRate')} value={rate(stats.data?.handoffRate)} loading={stats.isPending} />
        <span className="hk-muted hk-small" style={{ alignSelf: 'flex-end' }}>
          {t('knowledge.stats')}
        </span>
      </div>
      <Form form={form} layout="vertical" disabled={!canManage} style={{ maxWidth: 560 }}>
        <Form.Item name="enabled" label={t('knowledge.botEnabled')} valuePropName="checked">
          <Switch data-testid="bot-enabled" />
        </Form.Item>
        {isEnabled && hasNoArticles && (
          <Alert
            type="warning"
            showIcon
            title={t('knowledge.botNoArticles')}
            action={<Link to="/knowledge">{t('knowledge.botNoArticlesAction')}</Link>}
            style={{ marginBottom: 16 }}
            data-testid="bot-no-articles"
          />
        )}
        <Form.Item name="threshold" label={t('knowledge.threshold')} extra={t('knowledge.thresholdHelp')}>
          <Slider min={0.1} max={1} step={0.05} marks={{ 0.3: '0.3', 0.6: '0.6', 0.9: '0.9' }} />
        </Form.Item>
        <Form.Item name="greeting" label={t('knowledge.greeting')} rules={[{ max: 200 }]}>
          <Input.TextArea rows={2} maxLength={200} />
        </Form.Item>
        <Form.Item
          name="quickQuestions"
          label={t('knowledge.quickQuestions')}
          extra={t('knowledge.quickQuestionsHelp')}
        >
          <Select mode="tags" open={false} maxCount={6} />
        </Form.Item>
        {canManage && (
          <Button
            type="primary"
            loading={update.isPending}
            onClick={() => void submit().catch(() => undefined)}
            data-testid="bot-save"
          >
            {t('common.save')}
          </Button>
        )}
      </Form>
    </Card>
  );
}
