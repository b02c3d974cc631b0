import { and, eq } from 'drizzle-orm';
import { segments } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import { newId } from '../../platform/ids.ts';
import { templateSearch } from './template-render.ts';
import * as repo from './templates.repository.ts';

const DEMO_TEMPLATES = [
  {
    category: '售前',
    title: '欢迎语',
    content: '{{customer.name}}您好，我是{{workspace.name}}的客服{{agent.name}}，很高兴为您服务，请问有什么可以帮您？',
  },
  {
    category: '售前',
    title: '发货时间',
    content: '{{customer.name}}您好，现货商品付款后 48 小时内发货，预售商品以商品页标注的时间为准，请您放心。',
  },
  {
    category: '物流',
    title: '快递查询',
    content:
      '{{customer.name}}您好，您的订单 {{order.latest.order_no}} 已由{{order.latest.tracking_company}}发出，快递单号 {{order.latest.tracking_no}}，可在快递官网查询最新进度。',
  },
  {
    category: '售后',
    title: '退货流程',
    content:
      '{{customer.name}}您好，签收 7 天内商品未使用可无理由退货：在订单页点击“申请售后”，选择退货并填写原因，审核通过后按页面提示寄回即可，我们收到后 1–3 个工作日内退款。',
  },
  {
    category: '售后',
    title: '致歉安抚',
    content: '非常抱歉给您带来不好的体验，{{customer.name}}，您的问题我已记录，会尽快为您处理并第一时间回复您。',
  },
] as const;

/** A few workspace templates (售前 / 物流 / 售后) for the demo shop, and one in the 售后客户 segment's 话术 set. */
export async function seedDemoTemplates(executor: Executor, workspaceId: string, ownerId: string) {
  for (const item of DEMO_TEMPLATES) {
    await repo.insertTemplate(executor, {
      id: newId(),
      workspaceId,
      scope: 'workspace',
      category: item.category,
      title: item.title,
      content: item.content,
      ...templateSearch(item.title, item.content),
      createdBy: ownerId,
    });
  }
  const afterSales = await executor
    .select({ id: segments.id })
    .from(segments)
    .where(and(eq(segments.workspaceId, workspaceId), eq(segments.name, '售后客户')));
  if (afterSales[0]) {
    const title = '售后回访';
    const content = '{{customer.name}}您好，我是售后专员{{agent.name}}，想了解一下您上次售后问题是否已经解决？';
    await repo.insertTemplate(executor, {
      id: newId(),
      workspaceId,
      scope: 'workspace',
      category: '售后',
      title,
      content,
      segmentIds: [afterSales[0].id],
      ...templateSearch(title, content),
      createdBy: ownerId,
    });
  }
}
