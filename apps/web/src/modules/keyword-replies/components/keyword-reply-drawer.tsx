import {
  type KeywordMatchMode,
  type KeywordReplyFrequency,
  type KeywordReplyHours,
  keywordMatchModes,
  keywordReplyFrequencies,
  keywordReplyHours,
  splitKeywords,
} from '@huike/contracts';
import { App, Form, Input, InputNumber, Radio, Select, Switch } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { FormDrawer } from '../../../ui/form-drawer.tsx';
import { useInboxes } from '../../inboxes/hooks/use-inboxes.ts';
import { useTemplates } from '../../templates/hooks/use-templates.ts';
import type { KeywordReply } from '../api/keyword-replies-api.ts';
import { useCreateKeywordReply, useUpdateKeywordReply } from '../hooks/use-keyword-replies.ts';

type Values = {
  name: string;
  keywords: string[];
  patterns: string;
  matchMode: KeywordMatchMode;
  replyKind: 'template' | 'text';
  templateId?: string;
  replyText?: string;
  inboxIds: string[];
  hours: KeywordReplyHours;
  frequency: KeywordReplyFrequency;
  cooldownMinutes?: number | null;
  stopOtherRules: boolean;
  enabled: boolean;
};

const defaults: Values = {
  name: '',
  keywords: [],
  patterns: '',
  matchMode: 'contains',
  replyKind: 'text',
  replyText: '',
  inboxIds: [],
  hours: 'always',
  frequency: 'every_time',
  cooldownMinutes: 30,
  stopOtherRules: false,
  enabled: true,
};

/** Tags typed in a Select in tags mode may hold several words pasted at once: split them like the server would. */
const normaliseTags = (values: string[]) => [...new Set(values.flatMap(splitKeywords))];

/** Create or edit a keyword rule: keywords, match mode, the reply (template or text) and when it applies. */
export function KeywordReplyDrawer({
  open,
  rule,
  onClose,
}: {
  open: boolean;
  rule: KeywordReply | undefined;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const create = useCreateKeywordReply();
  const update = useUpdateKeywordReply();
  const save = rule ? update : create;
  const templates = useTemplates({ scope: 'workspace' }, { enabled: open });
  const inboxes = useInboxes();
  const matchMode = Form.useWatch('matchMode', form);
  const replyKind = Form.useWatch('replyKind', form);
  const frequency = Form.useWatch('frequency', form);

  useEffect(() => {
    if (!open) return;
    create.reset();
    update.reset();
    form.setFieldsValue(
      rule
        ? {
            name: rule.name,
            keywords: rule.matchMode === 'regex' ? [] : rule.keywords,
            patterns: rule.matchMode === 'regex' ? rule.keywords.join('\n') : '',
            matchMode: rule.matchMode,
            replyKind: rule.templateId ? 'template' : 'text',
            templateId: rule.templateId ?? undefined,
            replyText: rule.replyText ?? '',
            inboxIds: rule.inboxIds,
            hours: rule.hours,
            frequency: rule.frequency,
            cooldownMinutes: rule.cooldownMinutes ?? 30,
            stopOtherRules: rule.stopOtherRules,
            enabled: rule.enabled,
          }
        : defaults,
    );
  }, [open, rule, form, create.reset, update.reset]);

  const submit = async () => {
    // A rejected validation is already shown under its field.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    const keywords =
      values.matchMode === 'regex'
        ? values.patterns
            .split('\n')
            .map((line) => line.trim())
            .filter(Boolean)
        : normaliseTags(values.keywords);
    const input = {
      name: values.name.trim(),
      keywords,
      matchMode: values.matchMode,
      templateId: values.replyKind === 'template' ? (values.templateId ?? null) : null,
      replyText: values.replyKind === 'text' ? (values.replyText?.trim() ?? '') : null,
      inboxIds: values.inboxIds,
      hours: values.hours,
      frequency: values.frequency,
      cooldownMinutes: values.frequency === 'cooldown' ? (values.cooldownMinutes ?? null) : null,
      stopOtherRules: values.stopOtherRules,
      enabled: values.enabled,
    };
    const done = {
      onSuccess: () => {
        void message.success(t('keywordReplies.saved'));
        onClose();
      },
    };
    if (rule) update.mutate({ id: rule.id, input }, done);
    else create.mutate(input, done);
  };

  const required = { required: true, message: t('keywordReplies.form.required') };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      size={520}
      title={rule ? t('keywordReplies.edit') : t('keywordReplies.create')}
      submitLabel={rule ? t('keywordReplies.save') : t('keywordReplies.create')}
      submitTestId="keyword-reply-submit"
      isSubmitting={save.isPending}
      error={save.error}
      onSubmit={() => void submit()}
    >
      <Form<Values> form={form} layout="vertical" initialValues={defaults}>
        <Form.Item name="name" label={t('keywordReplies.form.name')} rules={[{ ...required, whitespace: true }]}>
          <Input
            maxLength={60}
            placeholder={t('keywordReplies.form.namePlaceholder')}
            data-testid="keyword-reply-name"
          />
        </Form.Item>
        <Form.Item name="matchMode" label={t('keywordReplies.form.mode')}>
          <Radio.Group
            optionType="button"
            options={keywordMatchModes.map((mode) => ({ value: mode, label: t(`keywordReplies.modes.${mode}`) }))}
          />
        </Form.Item>
        {matchMode === 'regex' ? (
          <Form.Item
            name="patterns"
            label={t('keywordReplies.form.keywords')}
            extra={t('keywordReplies.form.regexHelp')}
            rules={[{ ...required, whitespace: true }]}
          >
            <Input.TextArea rows={3} placeholder={'订单号?\\d{6,}'} data-testid="keyword-reply-patterns" />
          </Form.Item>
        ) : (
          <Form.Item
            name="keywords"
            label={t('keywordReplies.form.keywords')}
            extra={t('keywordReplies.form.keywordsHelp')}
            rules={[{ ...required, type: 'array', min: 1 }]}
            normalize={(value: string[]) => normaliseTags(value ?? [])}
          >
            <Select
              mode="tags"
              open={false}
              suffixIcon={null}
              tokenSeparators={['、', '，', ',', ';', '；']}
              placeholder="发货、几天到"
              data-testid="keyword-reply-keywords"
            />
          </Form.Item>
        )}
        <Form.Item name="replyKind" label={t('keywordReplies.form.replyKind')}>
          <Radio.Group
            options={[
              { value: 'text', label: t('keywordReplies.form.replyText') },
              { value: 'template', label: t('keywordReplies.form.replyTemplate') },
            ]}
          />
        </Form.Item>
        {replyKind === 'template' ? (
          <Form.Item name="templateId" label={t('keywordReplies.form.template')} rules={[required]}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              loading={templates.isPending}
              placeholder={t('keywordReplies.form.templatePlaceholder')}
              options={(templates.data ?? []).map((template) => ({
                value: template.id,
                label: `${template.category} · ${template.title}`,
              }))}
              data-testid="keyword-reply-template"
            />
          </Form.Item>
        ) : (
          <Form.Item name="replyText" label={t('keywordReplies.form.text')} rules={[{ ...required, whitespace: true }]}>
            <Input.TextArea rows={4} maxLength={2000} showCount data-testid="keyword-reply-text" />
          </Form.Item>
        )}
        <Form.Item name="inboxIds" label={t('keywordReplies.form.inboxes')}>
          <Select
            mode="multiple"
            allowClear
            placeholder={t('keywordReplies.form.inboxesPlaceholder')}
            options={(inboxes.data ?? []).map((inbox) => ({ value: inbox.id, label: inbox.name }))}
          />
        </Form.Item>
        <Form.Item name="hours" label={t('keywordReplies.form.hours')}>
          <Radio.Group
            options={keywordReplyHours.map((hours) => ({ value: hours, label: t(`keywordReplies.hours.${hours}`) }))}
          />
        </Form.Item>
        <Form.Item name="frequency" label={t('keywordReplies.form.frequency')}>
          <Select
            options={keywordReplyFrequencies.map((value) => ({
              value,
              label: t(`keywordReplies.frequencies.${value}`),
            }))}
          />
        </Form.Item>
        {frequency === 'cooldown' && (
          <Form.Item name="cooldownMinutes" label={t('keywordReplies.form.cooldownMinutes')} rules={[required]}>
            <InputNumber min={1} max={10_080} style={{ width: 160 }} />
          </Form.Item>
        )}
        <Form.Item name="stopOtherRules" valuePropName="checked" label={t('keywordReplies.stopOthers')}>
          <Switch />
        </Form.Item>
        <Form.Item name="enabled" valuePropName="checked" label={t('keywordReplies.form.enabled')}>
          <Switch />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
