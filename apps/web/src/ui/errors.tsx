import { importFieldLabel } from '@huike/contracts';
import i18n, { type TFunction } from 'i18next';
import { ApiError } from '../api/client.ts';
import { englishErrorText } from './error-texts-en.ts';

/** Minutes until a locked account may try again, from Retry-After or the error's details. */
export function lockMinutes(error: ApiError): number | undefined {
  const details = (error.details ?? {}) as Record<string, unknown>;
  const seconds =
    error.retryAfter ??
    (typeof details.retryAfterSeconds === 'number' ? details.retryAfterSeconds : undefined) ??
    (typeof details.retryAfter === 'number' ? details.retryAfter : undefined);
  if (seconds !== undefined) return Math.max(1, Math.ceil(seconds / 60));
  if (typeof details.lockedUntil === 'string') {
    const ms = Date.parse(details.lockedUntil) - Date.now();
    if (!Number.isNaN(ms)) return Math.max(1, Math.ceil(ms / 60_000));
  }
  if (typeof details.retryAfterMinutes === 'number') return Math.max(1, details.retryAfterMinutes);
  if (typeof details.minutes === 'number') return details.minutes;
  return undefined;
}

const namesIn = (list: unknown, key: 'name' | 'title'): string[] =>
  Array.isArray(list)
    ? list.map((item) => (item as Record<string, unknown> | null)?.[key]).filter((name) => typeof name === 'string')
    : [];

/**
 * 「团队「物流组」仍被使用…：路由规则「物流问题」；1 条团队话术」 in the user's language, from the refusal's details
 * (the team's name and what uses it, by name); the server's message when the details lack the name.
 */
function teamInUseMessage(error: ApiError, t: TFunction): string {
  const details = (error.details ?? {}) as Record<string, unknown>;
  if (typeof details.teamName !== 'string') return error.message || t('errors.unknown');
  const quoted = (names: string[]) =>
    names.map((name) => t('errors.teamUses.name', { name })).join(t('errors.teamUses.nameSeparator'));
  const uses: string[] = [];
  for (const kind of ['routingRules', 'slaPolicies', 'automationRules'] as const) {
    const names = namesIn(details[kind], 'name');
    if (names.length > 0) uses.push(t(`errors.teamUses.${kind}`, { names: quoted(names) }));
  }
  const templates = namesIn(details.templates, 'title').length;
  if (templates > 0) uses.push(t('errors.teamUses.templates', { count: templates }));
  return t('errors.teamInUse', { name: details.teamName, uses: uses.join(t('errors.teamUses.separator')) });
}

/** A mapping refused for the fields it names (details.fields / details.field), named in the UI language. */
function importMappingMessage(error: ApiError, t: TFunction): string {
  const details = (error.details ?? {}) as Record<string, unknown>;
  const label = (key: unknown) => importFieldLabel(String(key), i18n.language === 'en' ? 'en' : 'zh-CN') ?? String(key);
  if (Array.isArray(details.fields)) {
    const fields = details.fields.map(label).join(t('imports.mappingErrors.fieldSeparator'));
    return t('imports.mappingErrors.missingRequired', { fields });
  }
  if (details.field !== undefined) return t('imports.mappingErrors.duplicateField', { field: label(details.field) });
  return error.message || t('errors.unknown');
}

/** What went wrong, in the user's language when we know the code, else the server's own message. */
export function errorMessage(error: unknown, t: TFunction): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : t('errors.unknown');
  switch (error.code) {
    case 'network.unreachable':
      return t('errors.network');
    case 'auth.invalid_credentials':
      return t('errors.invalidCredentials');
    case 'auth.locked': {
      const minutes = lockMinutes(error);
      return minutes === undefined ? error.message || t('errors.lockedSoon') : t('errors.locked', { minutes });
    }
    case 'auth.required':
      return t('errors.sessionEnded');
    case 'auth.user_disabled':
      return t('errors.userDisabled');
    case 'auth.forbidden':
      return t('errors.forbidden');
    case 'auth.csrf':
      return t('errors.csrf');
    case 'user.email_taken':
      return t('errors.emailTaken');
    case 'user.owner_protected':
      return t('errors.ownerProtected');
    case 'conversation.invalid_transition':
      return t('errors.invalidTransition');
    case 'team.in_use':
      return teamInUseMessage(error, t);
    case 'import.mapping_missing_required':
    case 'import.mapping_duplicate_field':
      return importMappingMessage(error, t);
    case 'rate_limited':
      return t('errors.rateLimited');
    case 'internal':
      return t('errors.internal');
    default:
      // The server's sentence is Chinese; English says it by code.
      return (i18n.language === 'en' && englishErrorText[error.code]) || error.message || t('errors.unknown');
  }
}
