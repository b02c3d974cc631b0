import type { SegmentFilter } from '@huike/contracts';
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { customers, segments, tagGroups, tags } from '../../db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { applyTags } from '../tags/index.ts';

/** Which demo customers (by position, oldest first) carry which default tags. */
function demoTagsFor(i: number): string[] {
  const names: string[] = [];
  if (i % 7 === 3) names.push('售后客户');
  else if (i % 4 === 1) names.push('老客户');
  else if (i % 9 === 2) names.push('新客户');
  if (i % 10 === 0) names.push('VIP');
  if (i % 5 === 2) names.push('抖音');
  if (i % 5 === 3) names.push('淘宝');
  if (i % 5 === 4) names.push('官网');
  if (i < 60 && i % 3 === 0) names.push('高频咨询');
  return names;
}

/**
 * Demo data for tags and segments: tags some of the demo shop's customers (with timeline entries by the owner)
 * and saves the funnel segments 潜在客户 / 已下单 / 售后客户 / 沉睡客户.
 */
export async function seedDemoTagsAndSegments(db: Db, workspaceId: string, ownerId: string) {
  await db.transaction(async (tx) => {
    // Conversation tags the demo's automation rules apply (the 退货 preset tags its conversations 售后处理中).
    const groupId = newId();
    await tx
      .insert(tagGroups)
      .values({ id: groupId, workspaceId, name: '会话', kind: 'custom', selection: 'multi', position: 3 });
    await tx.insert(tags).values(
      [
        { name: '售后处理中', color: '#fa541c' },
        { name: '待回访', color: '#1677ff' },
      ].map((tag, position) => ({ id: newId(), workspaceId, groupId, ...tag, position })),
    );
    const tagRows = await tx
      .select({ id: tags.id, name: tags.name })
      .from(tags)
      .where(eq(tags.workspaceId, workspaceId));
    const tagId = new Map(tagRows.map((row) => [row.name, row.id]));
    const customerRows = await tx
      .select({ id: customers.id })
      .from(customers)
      .where(sql`${customers.workspaceId} = ${workspaceId} and ${customers.mergedIntoId} is null`)
      .orderBy(asc(customers.id));
    for (const [i, customer] of customerRows.entries()) {
      const add = demoTagsFor(i)
        .map((name) => tagId.get(name))
        .filter((id): id is string => Boolean(id));
      if (add.length === 0) continue;
      await applyTags(tx, {
        workspaceId,
        actorId: ownerId,
        target: { kind: 'customer', id: customer.id },
        add,
        remove: [],
      });
    }
    const afterSales = tagId.get('售后客户');
    const funnel: [string, string, SegmentFilter][] = [
      ['潜在客户', '还没有下过单的客户', { op: 'and', conditions: [{ field: 'order_count', op: 'eq', value: 0 }] }],
      ['已下单', '至少下过一单的客户', { op: 'and', conditions: [{ field: 'order_count', op: 'gte', value: 1 }] }],
      [
        '售后客户',
        '带「售后客户」标签的客户',
        { op: 'and', conditions: afterSales ? [{ field: 'tags', op: 'has_any', value: [afterSales] }] : [] },
      ],
      [
        '沉睡客户',
        '沉睡或流失阶段，或 90 天没有联系过的老客户',
        {
          op: 'or',
          conditions: [
            { field: 'lifecycle_stage', op: 'in', value: ['dormant', 'churned'] },
            {
              op: 'and',
              conditions: [
                { field: 'order_count', op: 'gte', value: 1 },
                { field: 'last_contact_at', op: 'older_than_days', value: 90 },
              ],
            },
          ],
        },
      ],
    ];
    await tx.insert(segments).values(
      funnel.map(([name, description, filter]) => ({
        id: newId(),
        workspaceId,
        name,
        description,
        filter,
        createdBy: ownerId,
      })),
    );
  });
}
