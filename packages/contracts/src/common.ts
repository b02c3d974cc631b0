import { z } from 'zod';

// Validation details reach people (API callers, form errors): zh-CN first, like every other message. zod's
// zh-CN locale calls every length limit 数值过大/过小 ("number too large"): texts and lists get their own words.
z.config(z.locales.zhCN());
z.config({
  customError: (issue) => {
    if (issue.code !== 'too_big' && issue.code !== 'too_small') return undefined;
    const limit = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
    if (issue.origin === 'string') {
      if (issue.code === 'too_big') return `太长：最多 ${limit} 个字符`;
      return limit <= 1 ? '不能为空' : `太短：至少 ${limit} 个字符`;
    }
    if (issue.origin === 'array') return issue.code === 'too_big' ? `太多：最多 ${limit} 项` : `太少：至少 ${limit} 项`;
    if (issue.origin === 'number' || issue.origin === 'int') {
      if (issue.code === 'too_big') return issue.inclusive ? `不能大于 ${limit}` : `必须小于 ${limit}`;
      return issue.inclusive ? `不能小于 ${limit}` : `必须大于 ${limit}`;
    }
    return undefined;
  },
});

/**
 * White space plus the invisible format characters that copy-paste and input methods leave behind: zero-width
 * space, non-joiner and joiner (U+200B–U+200D), word joiner (U+2060) and the BOM (U+FEFF). JavaScript's trim()
 * removes white space (U+3000 included) and the BOM but not the others, so "\u200b\u200b" passed as non-blank.
 */
const EDGE_BLANK = /^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$/gu;

/** `value` without leading and trailing white space and invisible characters (inner ones stay: emoji use ZWJ). */
export const trimBlank = (value: string): string => value.replace(EDGE_BLANK, '');

/**
 * The one way contracts read a text: a string trimmed of white space and invisible characters at both ends, so
 * `.min(1)` rejects a text made only of them. Use it instead of `z.string().trim()` (it chains the same way).
 */
export const trimmedString = () => z.string().overwrite(trimBlank);

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
