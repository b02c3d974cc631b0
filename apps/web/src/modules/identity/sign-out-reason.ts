/**
 * Why the session ended, when the server told us (the agent socket closes with 4403 when an admin disables the
 * user). Kept in sessionStorage for the redirect to /login, which shows it (`?reason=disabled`).
 */
export type SignOutReason = 'disabled';

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
    return window.sessionStorage.getItem(storageKey) === 'disabled' ? 'disabled' : null;
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
