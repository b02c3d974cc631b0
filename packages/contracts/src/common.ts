import { z } from 'zod';

// Validation details reach people (API callers, form errors): zh-CN first, like every other message.
z.config(z.locales.zhCN());

export const id = z.uuid();
export const isoDateTime = z.string().describe('ISO 8601 date-time, UTC');

export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.string().max(200).optional(),
});

/** Every list answers `{ items, nextCursor }`; `nextCursor` is null on the last page. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const idParams = z.strictObject({ id });
