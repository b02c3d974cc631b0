import type { TFunction } from 'i18next';
import { ApiError } from '../api/client.ts';

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
    case 'rate_limited':
      return t('errors.rateLimited');
    case 'internal':
      return t('errors.internal');
    default:
      return error.message || t('errors.unknown');
  }
}
