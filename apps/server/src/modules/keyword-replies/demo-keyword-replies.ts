import type { Executor } from '../../platform/db-helpers.ts';
import { newId } from '../../platform/ids.ts';
import { normalizeForMatch } from './keyword-matcher.ts';
import * as repo from './keyword-replies.repository.ts';

const DEMO_RULES = [
  {
    name: '询价',
    keywords: ['价格', '多少钱', '优惠'],
    template: null,
    replyText:
      '您好，商品页显示的就是当前到手价，下单时会自动使用可用的优惠券；如需批量采购价请留言，客服稍后为您报价。',
    frequency: 'cooldown' as const,
  },
  {
    name: '发货时间',
    keywords: ['发货', '几天到'],
    template: '发货时间',
    replyText: null,
    frequency: 'every_time' as const,
  },
  {
    name: '退货',
    keywords: ['退货', '退款', '七天无理由'],
    template: '退货流程',
    replyText: null,
    frequency: 'once_per_conversation' as const,
  },
  {
    name: '物流查询',
    keywords: ['快递到哪了', '物流', '单号'],
    template: '快递查询',
    replyText: null,
    frequency: 'every_time' as const,
  },
];

/** The demo shop's rules (价格 / 发货 / 退货 / 快递到哪了), pointing at the demo templates where they exist. */
export async function seedDemoKeywordReplies(executor: Executor, workspaceId: string, ownerId: string) {
  const titles = DEMO_RULES.flatMap((rule) => (rule.template ? [rule.template] : []));
  const templateIds = await repo.workspaceTemplateIdsByTitle(executor, workspaceId, titles);
  let priority = 0;
  for (const rule of DEMO_RULES) {
    priority += 10;
    const templateId = rule.template ? (templateIds.get(rule.template) ?? null) : null;
    await repo.insertRule(executor, {
      id: newId(),
      workspaceId,
      name: rule.name,
      keywords: rule.keywords,
      normalizedKeywords: rule.keywords.map(normalizeForMatch),
      matchMode: 'contains',
      templateId,
      replyText: templateId ? null : (rule.replyText ?? `您好，关于“${rule.name}”的问题客服马上为您解答。`),
      hours: 'always',
      frequency: rule.frequency,
      cooldownMinutes: rule.frequency === 'cooldown' ? 30 : null,
      priority,
      stopOtherRules: false,
      enabled: true,
      createdBy: ownerId,
    });
  }
}
