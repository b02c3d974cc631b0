import { importFieldLabel, type RejectedRow } from '@huike/contracts';
import i18n, { type TFunction } from 'i18next';
import { englishErrorText } from '../../ui/error-texts-en.ts';

const CODE = /^import\.[a-z_]+$/;

/**
 * Each reason a row was rejected, in the user's language: worded from its code when this app knows it (the field
 * named as the mapping step names it; a custom field by its own name); an API error's code by its English text;
 * else the server's Chinese sentence (all a row from an older server carries).
 */
export function rejectedRowReasons(row: RejectedRow, t: TFunction): string[] {
  const english = i18n.language === 'en';
  const errors = Array.isArray(row.errors) && row.errors.length > 0 ? row.errors : null;
  if (!errors) return [row.reason];
  return errors.map((error) => {
    const key = CODE.test(error.code) ? `importErrors.${error.code.slice('import.'.length)}` : undefined;
    if (key && i18n.exists(key)) {
      const { field, label, ...params } = error.params;
      const name =
        field === undefined
          ? undefined
          : (importFieldLabel(String(field), english ? 'en' : 'zh-CN') ??
            (label === undefined ? String(field) : String(label)));
      return t(key as never, { ...params, ...(name === undefined ? {} : { field: name }) });
    }
    if (english && Object.hasOwn(englishErrorText, error.code)) return englishErrorText[error.code]!;
    return error.reason;
  });
}
