import { deliveries, webhookEndpoints } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import { newId, randomToken } from '../../platform/ids.ts';
import { WEBHOOK_KIND } from './webhooks.repository.ts';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

/**
 * Demo: two integrations as a shop would have them, switched off (their addresses are examples), with a short
 * delivery history — a few successes and one dead delivery in the dead-letter list.
 */
export async function seedDemoWebhooks(executor: Executor, workspaceId: string, ownerId: string) {
  const erp = newId();
  const bi = newId();
  await executor.insert(webhookEndpoints).values([
    {
      id: erp,
      workspaceId,
      url: 'https://erp.example.com/huike/webhooks',
      description: '旺店通 ERP：新客户与工单同步（示例，未启用）',
      events: ['customer.created', 'customer.updated', 'ticket.created', 'ticket.resolved'],
      enabled: false,
      secret: randomToken(32),
      createdBy: ownerId,
      createdAt: minutesAgo(60 * 24 * 7),
    },
    {
      id: bi,
      workspaceId,
      url: 'https://bi.example.com/collect/huike',
      description: '数据看板：会话与消息（示例，未启用）',
      events: ['message.created', 'conversation.created', 'conversation.resolved'],
      enabled: false,
      secret: randomToken(32),
      createdBy: ownerId,
      createdAt: minutesAgo(60 * 24 * 3),
    },
  ]);
  const history: { endpoint: string; event: string; ok: boolean; minutes: number; ms: number }[] = [
    { endpoint: erp, event: 'customer.created', ok: true, minutes: 300, ms: 182 },
    { endpoint: erp, event: 'ticket.created', ok: true, minutes: 240, ms: 214 },
    { endpoint: erp, event: 'customer.updated', ok: false, minutes: 180, ms: 10_000 },
    { endpoint: bi, event: 'conversation.created', ok: true, minutes: 120, ms: 96 },
    { endpoint: bi, event: 'message.created', ok: true, minutes: 119, ms: 88 },
    { endpoint: bi, event: 'conversation.resolved', ok: true, minutes: 60, ms: 102 },
  ];
  await executor.insert(deliveries).values(
    history.map((item) => {
      const at = minutesAgo(item.minutes);
      return {
        id: newId(),
        workspaceId,
        kind: WEBHOOK_KIND,
        subjectId: item.endpoint,
        payload: { event: item.event, key: `demo:${newId()}`, occurredAt: at.toISOString(), data: { demo: true } },
        status: item.ok ? ('succeeded' as const) : ('dead' as const),
        attempts: item.ok ? 1 : 8,
        nextAttemptAt: at,
        lastError: item.ok ? null : '无法送达：请求超时（10 秒）',
        lastReason: item.ok ? null : { code: 'delivery.timeout', params: { seconds: 10 } },
        lastStatusCode: item.ok ? 200 : null,
        lastDurationMs: item.ms,
        finishedAt: at,
        createdAt: at,
        updatedAt: at,
      };
    }),
  );
}
