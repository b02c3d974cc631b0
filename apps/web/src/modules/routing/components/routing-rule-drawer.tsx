import { type CreateRoutingRuleBody, type RoutingRule, rfmTiers } from '@huike/contracts';
import { Form, Input, Select, Switch } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { GuardedFormDrawer } from '../../../ui/guarded-form-drawer.tsx';
import { useTeams } from '../../identity/hooks/use-users.ts';
import { useInboxes } from '../../inboxes/hooks/use-inboxes.ts';
import { useTagCatalog } from '../../tags/hooks/use-tags.ts';
import { useRoutingAgents, useSaveRoutingRule } from '../hooks/use-routing.ts';

type Values = {
  name: string;
  enabled: boolean;
  tiers: string[];
  tagIds: string[];
  languages: string[];
  inboxIds: string[];
  channels: string[];
  keywords: string[];
  teamId: string | null;
  requiredSkill: string | null;
};

/** Create or edit one routing rule: conditions (all that are set must match) → team and required skill. */
export function RoutingRuleDrawer({
  open,
  rule,
  onClose,
}: {
  open: boolean;
  rule: RoutingRule | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const teams = useTeams();
  const inboxes = useInboxes();
  const tags = useTagCatalog();
  const agents = useRoutingAgents();
  const save = useSaveRoutingRule();
  // 'senior' is the level, not a skill tag: routing sends such rules to senior agents only.
  const skillOptions = [
    { value: 'senior', label: t('routing.settings.seniorSkill') },
    ...[...new Set((agents.data ?? []).flatMap((agent) => agent.skills))]
      .filter((skill) => skill !== 'senior')
      .map((skill) => ({ value: skill, label: skill })),
  ];

  useEffect(() => {
    if (!open) return;
    save.reset();
    const c = rule?.conditions ?? {};
    form.setFieldsValue({
      name: rule?.name ?? '',
      enabled: rule?.enabled ?? true,
      tiers: c.tiers ?? [],
      tagIds: c.tagIds ?? [],
      languages: c.languages ?? [],
      inboxIds: c.inboxIds ?? [],
      channels: c.channels ?? [],
      keywords: c.keywords ?? [],
      teamId: rule?.teamRemoved ? null : (rule?.teamId ?? null),
      requiredSkill: rule?.requiredSkill ?? null,
    });
  }, [open, rule, form, save.reset]);

  const submit = async () => {
    // A rejected validation is already shown under its field.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    const input = {
      name: values.name,
      enabled: values.enabled,
      conditions: {
        tiers: values.tiers,
        tagIds: values.tagIds,
        languages: values.languages,
        inboxIds: values.inboxIds,
        channels: values.channels,
        keywords: values.keywords,
      },
      teamId: values.teamId ?? null,
      requiredSkill: values.requiredSkill?.trim() || null,
    } as CreateRoutingRuleBody;
    save.mutate({ id: rule?.id, input }, { onSuccess: onClose });
  };

  return (
    <GuardedFormDrawer
      open={open}
      title={rule ? t('routing.settings.edit') : t('routing.settings.create')}
      size={560}
      submitLabel={t('common.save')}
      submitTestId="routing-rule-submit"
      isSubmitting={save.isPending}
      error={save.error}
      onSubmit={() => void submit()}
      onClose={onClose}
      isDirty={() => form.isFieldsTouched()}
    >
      <Form form={form} layout="vertical">
        <Form.Item name="name" label={t('routing.settings.name')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={60} data-testid="routing-rule-name" />
        </Form.Item>
        <Form.Item name="enabled" label={t('routing.settings.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="keywords" label={t('routing.settings.keywords')} extra={t('routing.settings.keywordsHelp')}>
          <Select mode="tags" tokenSeparators={[',', '，']} open={false} data-testid="routing-rule-keywords" />
        </Form.Item>
        <Form.Item name="tiers" label={t('routing.settings.tiers')}>
          <Select
            mode="multiple"
            options={rfmTiers.map((tier) => ({ value: tier, label: t(`value.tiers.${tier}`) }))}
          />
        </Form.Item>
        <Form.Item name="tagIds" label={t('routing.settings.tags')}>
          <Select
            mode="multiple"
            optionFilterProp="label"
            options={(tags.catalog?.options ?? []).map((tag: { id: string; path: string }) => ({
              value: tag.id,
              label: tag.path,
            }))}
          />
        </Form.Item>
        <Form.Item name="inboxIds" label={t('routing.settings.inboxes')}>
          <Select
            mode="multiple"
            options={(inboxes.data ?? []).map((inbox) => ({ value: inbox.id, label: inbox.name }))}
          />
        </Form.Item>
        <Form.Item name="channels" label={t('routing.settings.channels')}>
          <Select
            mode="multiple"
            options={(['website', 'api'] as const).map((channel) => ({
              value: channel,
              label: t(`channels.${channel}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="languages" label={t('routing.settings.languages')}>
          <Select
            mode="multiple"
            options={[
              { value: 'zh-CN', label: '中文' },
              { value: 'en', label: 'English' },
            ]}
          />
        </Form.Item>
        <Form.Item name="teamId" label={t('routing.settings.team')}>
          <Select
            allowClear
            placeholder={t('routing.settings.anyTeam')}
            data-testid="routing-rule-team"
            options={(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))}
          />
        </Form.Item>
        <Form.Item
          name="requiredSkill"
          label={t('routing.settings.requiredSkill')}
          extra={t('routing.settings.requiredSkillHelp')}
          // One skill: a tags select whose last pick replaces the one before.
          getValueProps={(skill: string | null) => ({ value: skill ? [skill] : [] })}
          normalize={(skills: string[]) => skills.at(-1)?.slice(0, 30) ?? null}
        >
          <Select mode="tags" allowClear options={skillOptions} data-testid="routing-rule-skill" />
        </Form.Item>
      </Form>
    </GuardedFormDrawer>
  );
}
