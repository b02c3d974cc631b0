import {
  type CreateCustomFieldBody,
  type CustomFieldDefinition,
  calendarDate,
  type UpdateCustomFieldBody,
} from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import * as repo from './customers.repository.ts';

const MAX_TEXT = 2000;

const toDefinition = (row: repo.FieldDefinitionRow): CustomFieldDefinition => ({
  id: row.id,
  key: row.key,
  label: row.label,
  type: row.type,
  options: row.options,
  required: row.required,
  position: row.position,
  archived: row.archived,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

type Problem = { path: string; message: string };

const isBlank = (value: unknown) =>
  value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);

/** Why `value` does not fit the definition, or undefined when it does. */
function problemWith(definition: repo.FieldDefinitionRow, value: unknown): string | undefined {
  const label = definition.label;
  switch (definition.type) {
    case 'text':
      if (typeof value !== 'string') return `「${label}」应为文本`;
      if (value.length > MAX_TEXT) return `「${label}」最多 ${MAX_TEXT} 个字符`;
      return undefined;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `「${label}」应为数字`;
      return undefined;
    case 'date':
      if (typeof value !== 'string' || !calendarDate.safeParse(value).success) {
        return `「${label}」应为日期，格式 YYYY-MM-DD`;
      }
      return undefined;
    case 'single_select':
      if (typeof value !== 'string') return `「${label}」应为一个选项`;
      if (!definition.options.includes(value)) return `「${label}」没有选项「${value}」`;
      return undefined;
    case 'multi_select': {
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) return `「${label}」应为选项列表`;
      const unknown = value.find((item) => !definition.options.includes(item));
      if (unknown !== undefined) return `「${label}」没有选项「${unknown}」`;
      if (new Set(value).size !== value.length) return `「${label}」的选项重复`;
      return undefined;
    }
  }
}

/**
 * Applies a custom-field patch (keys sent change; null or empty clears) to the current values, checked against
 * the workspace's active definitions: type, option membership, and required fields (which cannot be left empty
 * once the custom fields are edited). Throws `request.invalid` listing every problem.
 */
export function validateCustomFields(
  definitions: repo.FieldDefinitionRow[],
  current: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const byKey = new Map(definitions.map((definition) => [definition.key, definition]));
  const problems: Problem[] = [];
  const result: Record<string, unknown> = { ...current };
  for (const [key, raw] of Object.entries(patch)) {
    const path = `/customFields/${key}`;
    const definition = byKey.get(key);
    if (!definition) {
      problems.push({ path, message: `没有自定义字段「${key}」` });
      continue;
    }
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (isBlank(value)) {
      delete result[key];
      continue;
    }
    const problem = problemWith(definition, value);
    if (problem) problems.push({ path, message: problem });
    else result[key] = value;
  }
  for (const definition of definitions) {
    if (
      definition.required &&
      isBlank(result[definition.key]) &&
      !problems.some((p) => p.path.endsWith(`/${definition.key}`))
    ) {
      problems.push({ path: `/customFields/${definition.key}`, message: `「${definition.label}」为必填项` });
    }
  }
  if (problems.length > 0) {
    throw new AppError('request.invalid', `自定义字段不正确：${problems[0]!.message}`, problems);
  }
  return result;
}

function checkOptions(type: CreateCustomFieldBody['type'], options: string[] | undefined) {
  const isSelect = type === 'single_select' || type === 'multi_select';
  if (isSelect && (!options || options.length === 0)) {
    throw new AppError('request.invalid', '选择类字段至少需要一个选项', [
      { path: '/options', message: '至少需要一个选项' },
    ]);
  }
  if (!isSelect && options && options.length > 0) {
    throw new AppError('request.invalid', '只有选择类字段可以设置选项', [
      { path: '/options', message: '此类型没有选项' },
    ]);
  }
}

export type CustomFieldsService = ReturnType<typeof createCustomFieldsService>;

/** Custom profile fields: admins define them (custom_fields:manage), everyone reads them. */
export function createCustomFieldsService({ db }: { db: Db }) {
  /**
   * The definition, locked FOR UPDATE in `tx`: counting customers that use it and changing it happen while no
   * customer write validated against it is in flight (those lock the definitions FOR SHARE, see applyPatch).
   */
  async function lockRow(tx: Executor, actor: Actor, id: string) {
    const row = await repo.findFieldDefinition(tx, actor.workspaceId, id, 'update');
    if (!row) throw new AppError('custom_field.not_found', '自定义字段不存在');
    return row;
  }

  return {
    async list(actor: Actor, includeArchived: boolean) {
      assertCan(actor, 'customers:read');
      return { items: (await repo.listFieldDefinitions(db, actor.workspaceId, includeArchived)).map(toDefinition) };
    },

    async create(actor: Actor, body: CreateCustomFieldBody) {
      assertCan(actor, 'custom_fields:manage');
      checkOptions(body.type, body.options);
      const row = await repo.insertFieldDefinition(db, {
        id: newId(),
        workspaceId: actor.workspaceId,
        key: body.key,
        label: body.label,
        type: body.type,
        options: body.options ?? [],
        required: body.required ?? false,
        position: body.position ?? 0,
      });
      if (!row) throw new AppError('custom_field.key_taken', `字段标识「${body.key}」已被使用`);
      return toDefinition(row);
    },

    /** Edits a definition; an option still held by customers cannot be removed (archive the field instead). */
    async update(actor: Actor, id: string, body: UpdateCustomFieldBody) {
      assertCan(actor, 'custom_fields:manage');
      return db.transaction(async (tx) => {
        const row = await lockRow(tx, actor, id);
        if (body.options) {
          checkOptions(row.type, body.options);
          const removed = row.options.filter((option) => !body.options!.includes(option));
          if (removed.length > 0) {
            const uses = await repo.countCustomFieldUses(tx, actor.workspaceId, row.key, removed);
            if (uses > 0) {
              throw new AppError('custom_field.in_use', `有 ${uses} 位客户正在使用要删除的选项，无法删除`, {
                options: removed,
                customers: uses,
              });
            }
          }
        }
        return toDefinition((await repo.updateFieldDefinition(tx, actor.workspaceId, id, body))!);
      });
    },

    /** Deletes a definition no customer has a value for; otherwise answers 409 (archive it instead). */
    async remove(actor: Actor, id: string) {
      assertCan(actor, 'custom_fields:manage');
      await db.transaction(async (tx) => {
        const row = await lockRow(tx, actor, id);
        const uses = await repo.countCustomFieldUses(tx, actor.workspaceId, row.key);
        if (uses > 0) {
          throw new AppError('custom_field.in_use', `有 ${uses} 位客户填写了「${row.label}」，请改为归档`, {
            customers: uses,
          });
        }
        await repo.deleteFieldDefinition(tx, actor.workspaceId, id);
      });
    },
  };
}
