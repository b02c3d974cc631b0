import { importIssueText, type RejectedRow } from '@huike/contracts';
import { currentLanguage } from '../../i18n/index.ts';
import { englishErrorText } from '../../ui/error-texts-en.ts';

/**
 * Each reason a row was rejected, in the user's language: worded from its code when the shared table knows it
 * (importIssueTexts in @huike/contracts); an API error's code by its English text; else the server's Chinese
 * sentence (all a row from an older server carries).
 */
export function rejectedRowReasons(row: RejectedRow): string[] {
  const language = currentLanguage();
  const errors = Array.isArray(row.errors) && row.errors.length > 0 ? row.errors : null;
  if (!errors) return [row.reason];
  return errors.map((error) => {
    const text = importIssueText(error, language);
    if (text !== undefined) return text;
    if (language === 'en' && Object.hasOwn(englishErrorText, error.code)) return englishErrorText[error.code]!;
    return error.reason;
  });
}
