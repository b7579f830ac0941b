import type { User } from "./models";

export interface Session {
  accessToken: string;
  refreshToken: string;
  user: User;
}

export interface SessionStore {
  get(): Session | null;
  set(session: Session | null): void;
  subscribe(listener: (session: Session | null) => void): () => void;
}

const STORAGE_KEY = "sg.session";

/** In-memory store; the default for tests. */
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
 * Session kept in localStorage so a reload keeps the user signed in. Other tabs pick up
 * rotated tokens through the `storage` event: refresh tokens are single-use, so a tab holding a
 * stale one would otherwise trip the server's reuse detection and sign everyone out.
 */
export function localSessionStore(storage: Storage = window.localStorage): SessionStore {
  const memory = memorySessionStore(read(storage));
  window.addEventListener("storage", (event) => {
    if (event.key === STORAGE_KEY) memory.set(read(storage));
  });
  return {
    get: memory.get,
    subscribe: memory.subscribe,
    set(session) {
      try {
        if (session) storage.setItem(STORAGE_KEY, JSON.stringify(session));
        else storage.removeItem(STORAGE_KEY);
      } catch {
        // Private mode or full storage: the session still lives in memory for this tab.
      }
      memory.set(session);
    },
  };
}

function read(storage: Storage): Session | null {
  try {
    const raw = storage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Session;
    return parsed.accessToken && parsed.refreshToken && parsed.user ? parsed : null;
  } catch {
    return null;
  }
}
