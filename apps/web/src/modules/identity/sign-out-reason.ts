import { agentSocketCloseCodes } from '@huike/contracts';

/**
 * Why the session ended, when the server told us: the agent socket closes with `agentSocketCloseCodes.disabled` when
 * an admin disables the user, with `passwordChanged` when the password was changed elsewhere or reset. Kept in
 * sessionStorage for the redirect to /login, which shows it (`?reason=disabled`).
 */
export const signOutReasons = ['disabled', 'password_changed'] as const;
export type SignOutReason = (typeof signOutReasons)[number];

/** The reason a socket close code gives, if it gives one. */
export function signOutReasonOfCloseCode(code: number): SignOutReason | null {
  if (code === agentSocketCloseCodes.disabled) return 'disabled';
  if (code === agentSocketCloseCodes.passwordChanged) return 'password_changed';
  return null;
}

export const asSignOutReason = (value: string | null): SignOutReason | null =>
  signOutReasons.find((reason) => reason === value) ?? null;

const storageKey = 'huike.signOutReason';

export function noteSignOutReason(reason: SignOutReason): void {
  try {
    window.sessionStorage.setItem(storageKey, reason);
  } catch {
    // Storage blocked: the login page simply shows no reason.
  }
}

export function peekSignOutReason(): SignOutReason | null {
  try {
    return asSignOutReason(window.sessionStorage.getItem(storageKey));
  } catch {
    return null;
  }
}

export function clearSignOutReason(): void {
  try {
    window.sessionStorage.removeItem(storageKey);
  } catch {
    // Nothing to clear.
  }
}
