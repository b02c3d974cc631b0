/** One changed field of an audited record: its value before and after (null when it had none). */
export type FieldChange = { before: unknown; after: unknown };

/** Order-insensitive for object keys, so `{a, b}` and `{b, a}` compare equal (jsonb reorders keys). */
function comparable(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(comparable).join(',')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${comparable(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The fields of `after` whose value differs from `before`, as `{ field: { before, after } }` — what the audit log
 * shows as 「角色：客服 → 管理员」. Only the fields of `after` are compared (a patch's fields); lists compare in
 * order, so callers sort sets (members, categories) first. Never pass secrets: record `{ changed: true }` instead.
 */
export function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {};
  for (const [field, value] of Object.entries(after)) {
    if (value === undefined) continue;
    if (comparable(before[field]) !== comparable(value)) {
      changes[field] = { before: before[field] ?? null, after: value ?? null };
    }
  }
  return changes;
}

/** Whether a change list is empty (an update that changed nothing records nothing). */
export const hasChanges = (changes: Record<string, unknown>) => Object.keys(changes).length > 0;
