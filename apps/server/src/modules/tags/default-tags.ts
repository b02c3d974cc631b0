import type { TagGroupKind, TagGroupSelection } from '@huike/contracts';
import type { Executor } from '../../platform/db-helpers.ts';
import { newId } from '../../platform/ids.ts';
import * as repo from './tags.repository.ts';

type DefaultTag = { name: string; color: string; children?: DefaultTag[] };
type DefaultGroup = { name: string; kind: TagGroupKind; selection: TagGroupSelection; tags: DefaultTag[] };

/** What a new workspace starts with: the three groups every shop uses, with a few common tags. */
export const DEFAULT_TAG_GROUPS: DefaultGroup[] = [
  {
    name: '状态',
    kind: 'status',
    selection: 'single',
    tags: [
      { name: '意向客户', color: '#faad14' },
      { name: '新客户', color: '#52c41a' },
      { name: '老客户', color: '#1677ff' },
      { name: '售后客户', color: '#fa541c' },
    ],
  },
  {
    name: '来源',
    kind: 'source',
    selection: 'multi',
    tags: [
      {
        name: '电商平台',
        color: '#722ed1',
        children: [
          { name: '淘宝', color: '#fa8c16' },
          { name: '天猫', color: '#f5222d' },
          { name: '京东', color: '#cf1322' },
          { name: '抖音', color: '#13c2c2' },
          { name: '拼多多', color: '#eb2f96' },
        ],
      },
      { name: '官网', color: '#2f54eb' },
      { name: '微信', color: '#389e0d' },
    ],
  },
  {
    name: '行为',
    kind: 'behavior',
    selection: 'multi',
    tags: [
      { name: 'VIP', color: '#d4b106' },
      { name: '复购', color: '#389e0d' },
      { name: '高频咨询', color: '#08979c' },
      { name: '价格敏感', color: '#c41d7f' },
    ],
  },
];

/** Creates the default groups and tags in a new workspace (inside its creating transaction). Answers tag ids by name. */
export async function seedDefaultTags(executor: Executor, workspaceId: string): Promise<Map<string, string>> {
  const byName = new Map<string, string>();
  const insertTags = async (groupId: string, parentId: string | null, list: DefaultTag[]) => {
    for (const [position, tag] of list.entries()) {
      const row = await repo.insertTag(executor, {
        id: newId(),
        workspaceId,
        groupId,
        parentId,
        name: tag.name,
        color: tag.color,
        position,
      });
      byName.set(tag.name, row.id);
      if (tag.children) await insertTags(groupId, row.id, tag.children);
    }
  };
  for (const [position, group] of DEFAULT_TAG_GROUPS.entries()) {
    const row = await repo.insertGroup(executor, {
      id: newId(),
      workspaceId,
      name: group.name,
      kind: group.kind,
      selection: group.selection,
      position,
    });
    await insertTags(row.id, null, group.tags);
  }
  return byName;
}
