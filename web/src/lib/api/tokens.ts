import type { User } from "./models";

/**
 * The signed-in user and their short-lived access token, in this tab's memory only. The refresh
 * token never reaches script: the API keeps it in an HttpOnly cookie scoped to /api/auth, and a
 * reload restores the session by asking /api/auth/refresh once (see ApiClient.restoreSession).
 */
export interface Session {
  accessToken: string;
  user: User;
}

export interface SessionStore {
  get(): Session | null;
  set(session: Session | null): void;
  subscribe(listener: (session: Session | null) => void): () => void;
}

/** Where earlier versions kept the whole session, refresh token included, readable by any script. */
export const LEGACY_STORAGE_KEY = "sg.session";

export function memorySessionStore(initial: Session | null = null): SessionStore {
  let current = initial;
  const listeners = new Set<(session: Session | null) => void>();
  return {
    get: () => current,
    set(session) {
      current = session;
      listeners.forEach((listener) => listener(session));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Removes a session an earlier version stored in localStorage: its refresh token must not linger
 * where script can read it. That session is simply gone; the user signs in once more, and from then
 * on the cookie keeps them signed in.
 */
export function forgetStoredSession(storage: Storage | undefined = globalThis.localStorage): void {
  try {
    storage?.removeItem(LEGACY_STORAGE_KEY);
  } catch {
    // Storage disabled: there is nothing stored either.
  }
}
