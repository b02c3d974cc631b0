import type { AutomationAction, AutomationPreset } from '@huike/contracts';
import { sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db-helpers.ts';
import { newId, randomToken } from '../../platform/ids.ts';
import * as repo from './automation.repository.ts';

/** A tag action naming its tag; resolved to the workspace's tag of that name (or listed as needed). */
type TagByName = { type: 'add_tag'; target: 'customer' | 'conversation'; tagName: string };

type PresetSource = Omit<AutomationPreset, 'rule' | 'needs'> & {
  rule: Omit<AutomationPreset['rule'], 'actions'> & { actions: (AutomationAction | TagByName)[] };
};

/** One-click rule templates of the gallery. 自动标签 (auto-tag) rules are presets like any other. */
const PRESETS: PresetSource[] = [
  {
    key: 'auto_tag_after_sales',
    category: '自动标签',
    name: '退货咨询自动打标签',
    description: '客户消息提到「退货 / 退款 / 换货」时，给会话打上「售后处理中」，给客户打上「售后客户」',
    rule: {
      name: '退货咨询自动打标签',
      description: '消息提到 退货 → 会话标签 售后处理中 + 客户标签 售后客户',
      enabled: false,
      trigger: { type: 'message.created', direction: 'inbound' },
      conditions: {
        op: 'or',
        conditions: [
          { field: 'message.content', operator: 'contains', value: '退货' },
          { field: 'message.content', operator: 'contains', value: '退款' },
          { field: 'message.content', operator: 'contains', value: '换货' },
        ],
      },
      actions: [
        { type: 'add_tag', target: 'conversation', tagName: '售后处理中' },
        { type: 'add_tag', target: 'customer', tagName: '售后客户' },
      ],
    },
  },
  {
    key: 'auto_tag_price_sensitive',
    category: '自动标签',
    name: '询价客户自动打标签',
    description: '客户消息提到「便宜 / 优惠 / 打折」时，给客户打上「价格敏感」',
    rule: {
      name: '询价客户自动打标签',
      description: '消息提到 优惠 → 客户标签 价格敏感',
      enabled: false,
      trigger: { type: 'message.created', direction: 'inbound' },
      conditions: {
        op: 'or',
        conditions: [
          { field: 'message.content', operator: 'contains', value: '便宜' },
          { field: 'message.content', operator: 'contains', value: '优惠' },
          { field: 'message.content', operator: 'contains', value: '打折' },
        ],
      },
      actions: [{ type: 'add_tag', target: 'customer', tagName: '价格敏感' }],
    },
  },
  {
    key: 'urgent_escalation',
    category: '紧急诉求',
    name: '紧急诉求升级',
    description: '客户消息被识别为紧急（投诉、12315、差评威胁等）时，会话优先级设为紧急并添加内部备注',
    rule: {
      name: '紧急诉求升级',
      description: '紧急消息 → 优先级 紧急 + 内部备注',
      enabled: false,
      trigger: { type: 'message.created', direction: 'inbound' },
      conditions: { op: 'and', conditions: [{ field: 'message.urgent', operator: 'is', value: true }] },
      actions: [
        { type: 'set_priority', priority: 'urgent' },
        { type: 'private_note', content: '【自动化】客户诉求紧急，请主管优先跟进。' },
      ],
    },
  },
  {
    key: 'no_agent_reply_10m',
    category: '时效提醒',
    name: '10 分钟未回复提醒',
    description: '客户等待超过 10 分钟仍无人回复时，提高会话优先级并添加内部备注',
    rule: {
      name: '10 分钟未回复提醒',
      description: '客户等待 10 分钟 → 优先级 高 + 内部备注',
      enabled: false,
      trigger: { type: 'time.no_agent_reply', minutes: 10 },
      conditions: { op: 'and', conditions: [] },
      actions: [
        { type: 'set_priority', priority: 'high' },
        { type: 'private_note', content: '【自动化】客户已等待超过 10 分钟，请尽快回复。' },
      ],
    },
  },
  {
    key: 'big_order_vip',
    category: '自动标签',
    name: '大额订单客户标记 VIP',
    description: '新订单金额不低于 1000 元时，给客户打上「VIP」',
    rule: {
      name: '大额订单客户标记 VIP',
      description: '订单金额 ≥ 1000 元 → 客户标签 VIP',
      enabled: false,
      trigger: { type: 'order.created' },
      conditions: { op: 'and', conditions: [{ field: 'order.amount_fen', operator: 'gte', value: 100_000 }] },
      actions: [{ type: 'add_tag', target: 'customer', tagName: 'VIP' }],
    },
  },
];

/** The gallery for a workspace: tag names resolved to its tags; tags it lacks are left out and named in `needs`. */
export async function presetsFor(executor: Executor, workspaceId: string): Promise<AutomationPreset[]> {
  const names = [
    ...new Set(
      PRESETS.flatMap((preset) =>
        preset.rule.actions.flatMap((action) => ('tagName' in action ? [action.tagName] : [])),
      ),
    ),
  ];
  const rows = await executor.execute<{ id: string; name: string }>(
    sql`select distinct on (name) id, name from tags where workspace_id = ${workspaceId}
        and name = any(${`{${names.join(',')}}`}::text[]) order by name, position, id`,
  );
  const byName = new Map(rows.rows.map((row) => [row.name, row.id]));
  return PRESETS.map((preset) => {
    const needs: AutomationPreset['needs'] = [];
    const actions: AutomationAction[] = [];
    for (const action of preset.rule.actions) {
      if (!('tagName' in action)) {
        actions.push(action);
        continue;
      }
      const tagId = byName.get(action.tagName);
      if (tagId) actions.push({ type: 'add_tag', target: action.target, tagId });
      else needs.push({ tagName: action.tagName, target: action.target });
    }
    return { ...preset, rule: { ...preset.rule, actions }, needs };
  });
}

/** Demo data: the auto-tag presets as disabled rules (an admin switches them on). */
export async function seedDemoAutomation(executor: Executor, workspaceId: string, ownerId: string) {
  const presets = await presetsFor(executor, workspaceId);
  let position = await repo.nextPosition(executor, workspaceId);
  for (const preset of presets.filter((p) => ['auto_tag_after_sales', 'urgent_escalation'].includes(p.key))) {
    if (preset.rule.actions.length === 0) continue;
    await repo.insertRule(executor, {
      id: newId(),
      workspaceId,
      name: preset.rule.name,
      description: preset.rule.description,
      enabled: false,
      triggerType: preset.rule.trigger.type,
      trigger: preset.rule.trigger,
      conditions: preset.rule.conditions,
      actions: preset.rule.actions,
      position: position++,
      webhookSecret: randomToken(24),
      createdBy: ownerId,
    });
  }
}
