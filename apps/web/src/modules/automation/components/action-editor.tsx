import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { type AutomationAction, ticketSeverities } from '@huike/contracts';
import { Button, Dropdown, Input, InputNumber, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useTeams, useUsers } from '../../identity/hooks/use-users.ts';
import { TagSelect } from '../../segments/components/tag-select.tsx';
import { useSegments } from '../../segments/hooks/use-segments.ts';
import { useTemplates } from '../../templates/hooks/use-templates.ts';
import { useTicketCategories } from '../../tickets/hooks/use-tickets.ts';

type ActionType = AutomationAction['type'];

const ACTION_TYPES: ActionType[] = [
  'add_tag',
  'remove_tag',
  'assign',
  'set_priority',
  'reply_template',
  'private_note',
  'set_status',
  'set_lifecycle',
  'add_to_segment',
  'webhook',
  'create_ticket',
];

export function defaultAction(type: ActionType): AutomationAction {
  switch (type) {
    case 'add_tag':
    case 'remove_tag':
      return { type, target: 'conversation', tagId: '' };
    case 'assign':
      return { type };
    case 'set_priority':
      return { type, priority: 'high' };
    case 'reply_template':
      return { type, templateId: '' };
    case 'private_note':
      return { type, content: '' };
    case 'set_status':
      return { type, status: 'resolved' };
    case 'create_ticket':
      return { type };
    case 'webhook':
      return { type, url: 'https://' };
    case 'set_lifecycle':
      return { type, stage: 'active' };
    case 'add_to_segment':
      return { type, segmentId: '' };
  }
}

function ActionFields({ action, onChange }: { action: AutomationAction; onChange: (next: AutomationAction) => void }) {
  const { t } = useTranslation();
  const users = useUsers();
  const teams = useTeams();
  const templates = useTemplates({});
  const segments = useSegments();
  const ticketCategories = useTicketCategories();
  const set = (patch: Record<string, unknown>) => onChange({ ...action, ...patch } as AutomationAction);
  const keep = { value: '__keep', label: t('automation.keep') };
  switch (action.type) {
    case 'add_tag':
    case 'remove_tag':
      return (
        <Space wrap>
          <Select
            value={action.target}
            onChange={(target) => set({ target })}
            options={(['conversation', 'customer'] as const).map((value) => ({
              value,
              label: t(`automation.tagTarget.${value}`),
            }))}
            style={{ width: 100 }}
          />
          <div style={{ minWidth: 200 }}>
            <TagSelect
              value={action.tagId ? [action.tagId] : []}
              onChange={(value) => set({ tagId: value.at(-1) ?? '' })}
              testId="action-tag"
            />
          </div>
        </Space>
      );
    case 'assign':
      return (
        <Space wrap>
          <span>{t('automation.assignee')}</span>
          <Select
            value={action.assigneeId === undefined ? '__keep' : action.assigneeId}
            onChange={(value: string) => set({ assigneeId: value === '__keep' ? undefined : value })}
            options={[
              keep,
              ...(users.data ?? [])
                .filter((user) => !user.disabled)
                .map((user) => ({ value: user.id, label: user.name })),
            ]}
            style={{ width: 150 }}
          />
          <span>{t('automation.team')}</span>
          <Select
            value={action.teamId === undefined ? '__keep' : action.teamId}
            onChange={(value: string) => set({ teamId: value === '__keep' ? undefined : value })}
            options={[keep, ...(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))]}
            style={{ width: 150 }}
          />
        </Space>
      );
    case 'set_priority':
      return (
        <Select
          value={action.priority}
          onChange={(priority) => set({ priority })}
          options={(['low', 'normal', 'high', 'urgent'] as const).map((value) => ({
            value,
            label: t(`automation.priorities.${value}`),
          }))}
          style={{ width: 120 }}
        />
      );
    case 'reply_template':
      return (
        <Select
          showSearch={{ optionFilterProp: 'label' }}
          value={action.templateId || undefined}
          placeholder={t('automation.template')}
          onChange={(templateId) => set({ templateId })}
          options={(templates.data ?? [])
            .filter((template) => template.scope !== 'personal')
            .map((template) => ({ value: template.id, label: `${template.category} / ${template.title}` }))}
          style={{ minWidth: 260 }}
        />
      );
    case 'private_note':
      return (
        <Input.TextArea
          value={action.content}
          onChange={(event) => set({ content: event.target.value })}
          placeholder={t('automation.note')}
          autoSize={{ minRows: 1, maxRows: 4 }}
          style={{ width: 320 }}
        />
      );
    case 'set_status':
      return (
        <Space wrap>
          <Select
            value={action.status}
            onChange={(status) =>
              set({ status, snoozeMinutes: status === 'snoozed' ? (action.snoozeMinutes ?? 60) : undefined })
            }
            options={(['resolved', 'snoozed', 'open'] as const).map((value) => ({
              value,
              label: t(`automation.statuses.${value}`),
            }))}
            style={{ width: 120 }}
          />
          {action.status === 'snoozed' && (
            <InputNumber
              data-testid="action-snooze-minutes"
              value={action.snoozeMinutes}
              onChange={(value) => set({ snoozeMinutes: value ?? undefined })}
              addonAfter={t('automation.minutes')}
            />
          )}
        </Space>
      );
    case 'create_ticket':
      return (
        <Space wrap>
          <Input
            value={action.subject}
            onChange={(event) => set({ subject: event.target.value || undefined })}
            placeholder={t('automation.ticketSubject')}
            maxLength={200}
            style={{ width: 220 }}
            data-testid="action-ticket-subject"
          />
          <Select
            value={action.category}
            onChange={(category) => set({ category })}
            allowClear
            placeholder={t('automation.ticketCategory')}
            options={(ticketCategories.data ?? []).map((category) => ({ value: category.key, label: category.name }))}
            style={{ width: 130 }}
          />
          <Select
            value={action.severity}
            onChange={(severity) => set({ severity })}
            allowClear
            placeholder={t('automation.ticketSeverity')}
            options={ticketSeverities.map((value) => ({ value, label: t(`tickets.severities.${value}`) }))}
            style={{ width: 110 }}
          />
        </Space>
      );
    case 'webhook':
      return (
        <Space direction="vertical" size={2}>
          <Input
            value={action.url}
            onChange={(event) => set({ url: event.target.value })}
            placeholder={t('automation.webhookUrl')}
            style={{ width: 340 }}
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('automation.webhookHelp')}
          </Typography.Text>
        </Space>
      );
    case 'set_lifecycle':
      return (
        <Select
          value={action.stage}
          onChange={(stage) => set({ stage })}
          options={(['prospect', 'new', 'active', 'dormant', 'churned', 'returning'] as const).map((value) => ({
            value,
            label: t(`automation.lifecycle.${value}`),
          }))}
          style={{ width: 120 }}
        />
      );
    case 'add_to_segment':
      return (
        <Space direction="vertical" size={2}>
          <Select
            value={action.segmentId || undefined}
            placeholder={t('automation.pick')}
            onChange={(segmentId) => set({ segmentId })}
            options={(segments.data ?? []).map((segment) => ({ value: segment.id, label: segment.name }))}
            style={{ width: 240 }}
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('automation.segmentHelp')}
          </Typography.Text>
        </Space>
      );
  }
}

type Props = {
  actions: AutomationAction[];
  onChange: (next: AutomationAction[]) => void;
  /** A problem per row (index), shown under it. */
  errors?: Record<number, string>;
};

/** 那么…: the actions, run in this order (a failing one is logged and the next still runs). */
export function ActionListEditor({ actions, onChange, errors = {} }: Props) {
  const { t } = useTranslation();
  const update = (index: number, next: AutomationAction | null) => {
    const list = [...actions];
    if (next) list[index] = next;
    else list.splice(index, 1);
    onChange(list);
  };
  const move = (index: number, by: -1 | 1) => {
    const list = [...actions];
    const [item] = list.splice(index, 1);
    list.splice(index + by, 0, item!);
    onChange(list);
  };
  return (
    <div>
      {actions.map((action, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: actions have no ids; their order is what the user edits
        <div key={index} className="hk-automation-row" data-testid="action-row">
          <Typography.Text type="secondary">{index + 1}.</Typography.Text>
          <Select<ActionType>
            value={action.type}
            onChange={(type) => update(index, defaultAction(type))}
            options={ACTION_TYPES.map((type) => ({ value: type, label: t(`automation.actions.${type}`) }))}
            style={{ width: 150 }}
          />
          <ActionFields action={action} onChange={(next) => update(index, next)} />
          <Space size={0}>
            <Button
              type="text"
              size="small"
              icon={<ArrowUpOutlined />}
              disabled={index === 0}
              onClick={() => move(index, -1)}
              aria-label={t('automation.moveUp')}
            />
            <Button
              type="text"
              size="small"
              icon={<ArrowDownOutlined />}
              disabled={index === actions.length - 1}
              onClick={() => move(index, 1)}
              aria-label={t('automation.moveDown')}
            />
            <Button
              type="text"
              size="small"
              icon={<DeleteOutlined />}
              onClick={() => update(index, null)}
              aria-label={t('automation.remove')}
            />
          </Space>
          {errors[index] && (
            <div className="hk-automation-row-error" role="alert">
              {errors[index]}
            </div>
          )}
        </div>
      ))}
      <Dropdown
        menu={{
          items: ACTION_TYPES.map((type) => ({ key: type, label: t(`automation.actions.${type}`) })),
          onClick: ({ key }) => onChange([...actions, defaultAction(key as ActionType)]),
        }}
      >
        <Button size="small" icon={<PlusOutlined />} data-testid="add-action">
          {t('automation.addAction')}
        </Button>
      </Dropdown>
    </div>
  );
}
