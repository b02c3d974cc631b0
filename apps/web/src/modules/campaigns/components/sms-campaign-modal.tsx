import { DeleteOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import type { Job } from '@huike/contracts';
import { Alert, Button, Col, Form, Input, Row, Select, Statistic, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorMessage } from '../../../ui/errors.tsx';
import { applyServerFieldErrors } from '../../../ui/form-errors.ts';
import { useInboxes } from '../../inboxes/hooks/use-inboxes.ts';
import { ConfirmJobModal } from '../../jobs/components/confirm-job-modal.tsx';
import { resultNumber } from '../../jobs/components/job-progress.tsx';
import { useSendSmsCampaign, useSmsCampaignPreview } from '../hooks/use-sms-campaign.ts';

type Props = {
  open: boolean;
  segmentId: string;
  /** Who it goes to, e.g. 「分组：沉睡客户」. */
  description: string;
  onClose: () => void;
};

type Values = { inboxId?: string; params: { name?: string; value?: string }[] };

const n = (value: number) => value.toLocaleString('zh-CN');
const paramName = /^[A-Za-z_]\w{0,31}$/;

/** The preview's three counts: who gets it, and who is skipped and why. */
const countColumns = [
  { key: 'recipients', title: 'smsCampaign.recipients', testId: 'sms-campaign-recipients' },
  { key: 'optedOut', title: 'smsCampaign.optedOut', testId: 'sms-campaign-opted-out' },
  { key: 'withoutPhone', title: 'smsCampaign.withoutPhone', testId: 'sms-campaign-without-phone' },
] as const;

const marketingTemplate = (config: Record<string, unknown>): string | null => {
  const templates = config.templates;
  if (!templates || typeof templates !== 'object') return null;
  const code = (templates as Record<string, unknown>).marketing;
  return typeof code === 'string' && code ? code : null;
};

/**
 * 群发短信: pick the SMS inbox, fill in the marketing template's parameters, see exactly how many get it (and how
 * many are skipped: 退订, no mobile), confirm, then watch the sending job.
 */
export function SmsCampaignModal({ open, segmentId, description, onClose }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const inboxes = useInboxes();
  const smsInboxes = useMemo(() => (inboxes.data ?? []).filter((inbox) => inbox.channelType === 'sms'), [inboxes.data]);
  const inboxId = Form.useWatch('inboxId', form);
  const preview = useSmsCampaignPreview(segmentId, inboxId, open);
  const send = useSendSmsCampaign();
  const [job, setJob] = useState<Job | null>(null);

  useEffect(() => {
    if (!open) {
      setJob(null);
      send.reset();
      return;
    }
    const usable = smsInboxes.filter((inbox) => marketingTemplate(inbox.channelConfig));
    if (!form.getFieldValue('inboxId') && usable.length === 1) form.setFieldValue('inboxId', usable[0]?.id);
  }, [open, smsInboxes, form, send.reset]);

  const counts = preview.data;
  const submit = (values: Values) => {
    if (!values.inboxId) return;
    const templateParams = Object.fromEntries(
      (values.params ?? [])
        .filter((param) => param.name?.trim())
        .map((param) => [param.name?.trim() ?? '', param.value ?? '']),
    );
    send.mutate(
      { inboxId: values.inboxId, segmentId, templateParams },
      { onSuccess: setJob, onError: (error) => applyServerFieldErrors(form, error) },
    );
  };

  return (
    <ConfirmJobModal
      open={open}
      title={t('smsCampaign.title')}
      onClose={onClose}
      width={600}
      testIdPrefix="sms-campaign"
      job={job}
      confirm={{
        label: counts ? t('smsCampaign.confirm', { count: n(counts.recipients) }) : t('smsCampaign.confirmNoCount'),
        onClick: () => form.submit(),
        disabled: !counts || counts.recipients === 0 || preview.isFetching,
        loading: send.isPending,
      }}
      renderResult={(done) => (
        <Typography.Text data-testid="sms-campaign-result">
          {t('smsCampaign.done', { count: n(resultNumber(done, 'queued') || done.progress.done) })}
        </Typography.Text>
      )}
      header={<Typography.Paragraph>{description}</Typography.Paragraph>}
    >
      {inboxes.isSuccess && smsInboxes.length === 0 ? (
        <Alert
          type="info"
          showIcon
          title={t('smsCampaign.noInbox')}
          description={<Link to="/settings/inboxes">{t('smsCampaign.noInboxAction')}</Link>}
          data-testid="sms-campaign-no-inbox"
        />
      ) : (
        <Form<Values> form={form} layout="vertical" onFinish={submit} initialValues={{ params: [{}] }}>
          <Form.Item
            name="inboxId"
            label={t('smsCampaign.inbox')}
            rules={[{ required: true, message: t('smsCampaign.inboxRequired') }]}
          >
            <Select
              placeholder={t('smsCampaign.inboxPlaceholder')}
              loading={inboxes.isPending}
              options={smsInboxes.map((inbox) => {
                const template = marketingTemplate(inbox.channelConfig);
                return {
                  value: inbox.id,
                  disabled: !template,
                  label: template
                    ? t('smsCampaign.inboxOption', { name: inbox.name, template })
                    : t('smsCampaign.inboxNoTemplate', { name: inbox.name }),
                };
              })}
              data-testid="sms-campaign-inbox"
            />
          </Form.Item>
          <Form.Item
            label={t('smsCampaign.params')}
            extra={
              <span data-testid="sms-params-help">
                <Trans i18nKey="smsCampaign.paramsHelp" components={{ code: <code className="hk-mono" /> }} />
              </span>
            }
          >
            <Form.List name="params">
              {(fields, { add, remove }) => (
                <div className="hk-stack-tight">
                  {fields.map((field) => (
                    <Row key={field.key} gutter={8} align="top">
                      <Col span={9}>
                        <Form.Item
                          name={[field.name, 'name']}
                          style={{ marginBottom: 8 }}
                          rules={[{ pattern: paramName, message: t('smsCampaign.paramNameInvalid') }]}
                        >
                          <Input placeholder={t('smsCampaign.paramName')} data-testid="sms-param-name" />
                        </Form.Item>
                      </Col>
                      <Col span={13}>
                        <Form.Item name={[field.name, 'value']} style={{ marginBottom: 8 }} rules={[{ max: 200 }]}>
                          <Input placeholder={t('smsCampaign.paramValue')} data-testid="sms-param-value" />
                        </Form.Item>
                      </Col>
                      <Col span={2}>
                        <Button
                          type="text"
                          icon={<DeleteOutlined />}
                          onClick={() => remove(field.name)}
                          aria-label={t('smsCampaign.removeParam')}
                        />
                      </Col>
                    </Row>
                  ))}
                  {fields.length < 20 && (
                    <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} data-testid="sms-param-add">
                      {t('smsCampaign.addParam')}
                    </Button>
                  )}
                </div>
              )}
            </Form.List>
          </Form.Item>
          {inboxId && (
            <div data-testid="sms-campaign-preview">
              {preview.isError ? (
                <Alert
                  type="error"
                  showIcon
                  title={errorMessage(preview.error, t)}
                  action={
                    <Button size="small" icon={<ReloadOutlined />} onClick={() => void preview.refetch()}>
                      {t('common.retry')}
                    </Button>
                  }
                />
              ) : (
                <Row gutter={16}>
                  {countColumns.map((column) => (
                    <Col span={8} key={column.key}>
                      <Statistic
                        title={t(column.title)}
                        value={counts?.[column.key] ?? '—'}
                        loading={preview.isFetching}
                        suffix={counts ? t('smsCampaign.people') : undefined}
                        data-testid={column.testId}
                      />
                    </Col>
                  ))}
                </Row>
              )}
              {counts && (
                <Alert
                  style={{ marginTop: 12 }}
                  type={counts.recipients === 0 ? 'warning' : 'info'}
                  title={
                    counts.recipients === 0
                      ? t('smsCampaign.nobody')
                      : t('smsCampaign.sentence', {
                          count: n(counts.recipients),
                          optedOut: n(counts.optedOut),
                          withoutPhone: n(counts.withoutPhone),
                        })
                  }
                  data-testid="sms-campaign-sentence"
                />
              )}
            </div>
          )}
          {send.isError && (
            <Alert type="error" showIcon title={errorMessage(send.error, t)} style={{ marginTop: 12 }} />
          )}
        </Form>
      )}
    </ConfirmJobModal>
  );
}
