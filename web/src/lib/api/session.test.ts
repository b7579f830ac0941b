import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiClient } from "./client";
import { forgetStoredSession, LEGACY_STORAGE_KEY, memorySessionStore, type Session } from "./tokens";
import type { User } from "./models";

/** The auth client against the session cookie: restore on load, refresh, logout, one refresh at a time. */

const user: User = { id: "u1", email: "a@b.test", full_name: "Ann", role: "shopper", is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };

function json(status: number, body: unknown) {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}
const signedIn = (access: string) => json(200, { user, access_token: access, token_type: "bearer", expires_in: 900 });
const refused = () => json(401, { error: { code: "missing_refresh_token", message: "Sign in to continue", details: null } });

/** A promise the test settles by hand: a request in flight, without any timer. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

function setup(session: Session | null = null, crossTabLock?: <T>(task: () => Promise<T>) => Promise<T>) {
  const store = memorySessionStore(session);
  const fetchMock = vi.fn<typeof fetch>();
  const onSessionExpired = vi.fn();
  const client = new ApiClient({ session: store, fetch: fetchMock, onSessionExpired, crossTabLock });
  return { store, fetchMock, client, onSessionExpired };
}

const headerOf = (call: Parameters<typeof fetch>, name: string) => new Headers(call[1]?.headers).get(name);

afterEach(() => localStorage.clear());

describe("session restore", () => {
  it("restores the session on load with one refresh by cookie", async () => {
    const { client, fetchMock, store } = setup();
    fetchMock.mockResolvedValueOnce(signedIn("access-1"));
    await expect(client.restoreSession()).resolves.toEqual(user);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe("/api/auth/refresh");
    expect(init?.method).toBe("POST");
    expect(init?.body ?? null).toBeNull();
    expect(headerOf(fetchMock.mock.calls[0], "X-SmartGrocer-CSRF")).toBe("1");
    expect(headerOf(fetchMock.mock.calls[0], "Authorization")).toBeNull();
    expect(store.get()).toEqual({ accessToken: "access-1", user });
  });

  it("stays signed out, quietly, when there is no cookie to restore", async () => {
    const { client, fetchMock, store, onSessionExpired } = setup();
    fetchMock.mockResolvedValueOnce(refused());
    await expect(client.restoreSession()).resolves.toBeNull();
    expect(store.get()).toBeNull();
    expect(onSessionExpired).not.toHaveBeenCalled(); // nobody was signed in: no "session ended" notice
  });

  it("stays signed out when offline, without signing anything out", async () => {
    const { client, fetchMock, store } = setup();
    fetchMock.mockRejectedValueOnce(new TypeError("offline"));
    await expect(client.restoreSession()).resolves.toBeNull();
    expect(store.get()).toBeNull();
  });

  it("shares one refresh between the restore and parallel 401s in a tab (the token is single-use)", async () => {
    const { client, fetchMock } = setup({ accessToken: "access-0", user });
    const answer = deferred<Response>();
    fetchMock.mockImplementation(async (input, init) => {
      if (String(input) === "/api/auth/refresh") return answer.promise;
      const auth = new Headers(init?.headers).get("Authorization");
      return auth === "Bearer access-1" ? json(200, user) : refused();
    });
    const calls = [client.restoreSession(), client.me(), client.me()];
    await vi.waitFor(() => expect(fetchMock.mock.calls.filter(([url]) => url === "/api/auth/refresh")).toHaveLength(1));
    answer.resolve(signedIn("access-1"));
    await expect(Promise.all(calls)).resolves.toEqual([user, user, user]);
    expect(fetchMock.mock.calls.filter(([url]) => url === "/api/auth/refresh")).toHaveLength(1);
  });

  it("refreshes inside the cross-tab lock, so another tab's rotation finishes first", async () => {
    const order: string[] = [];
    const otherTab = deferred<void>();
    // The lock is held by another tab until it is done with its own refresh.
    const lock = async <T,>(task: () => Promise<T>) => {
      order.push("waiting for the lock");
      await otherTab.promise;
      order.push("lock acquired");
      return task();
    };
    const { client, fetchMock } = setup(null, lock);
    fetchMock.mockImplementation(async () => {
      order.push("refresh sent");
      return signedIn("access-2");
    });
    const restored = client.restoreSession();
    await vi.waitFor(() => expect(order).toEqual(["waiting for the lock"]));
    expect(fetchMock).not.toHaveBeenCalled();
    otherTab.resolve();
    await expect(restored).resolves.toEqual(user);
    expect(order).toEqual(["waiting for the lock", "lock acquired", "refresh sent"]);
  });

  it("ends the session and says so when the cookie is refused mid-session", async () => {
    const { client, fetchMock, store, onSessionExpired } = setup({ accessToken: "access-1", user });
    fetchMock.mockResolvedValueOnce(json(401, { error: { code: "invalid_token", message: "expired" } })).mockResolvedValueOnce(refused());
    await expect(client.me()).rejects.toMatchObject({ status: 401 });
    expect(store.get()).toBeNull();
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
  });
});

describe("logout", () => {
  it("asks the server to end the cookie's session, with the CSRF header and no token in the body", async () => {
    const { client, fetchMock } = setup({ accessToken: "access-1", user });
    fetchMock.mockResolvedValueOnce(json(204, null));
    await expect(client.logout()).resolves.toBeUndefined();
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe("/api/auth/logout");
    expect(init?.method).toBe("POST");
    expect(init?.body ?? null).toBeNull();
    expect(headerOf(fetchMock.mock.calls[0], "X-SmartGrocer-CSRF")).toBe("1");
  });
});

describe("forgetStoredSession", () => {
  it("removes the session an earlier version kept in localStorage, and nothing else", () => {
    localStorage.setItem(LEGACY_STORAGE_KEY, JSON.stringify({ accessToken: "a", user }));
    localStorage.setItem("sg.basket.v2", "[]");
    forgetStoredSession();
    expect(localStorage.getItem(LEGACY_STORAGE_KEY)).toBeNull();
    expect(localStorage.getItem("sg.basket.v2")).toBe("[]");
  });

  it("copes with storage that refuses access", () => {
    const broken = { removeItem: () => { throw new DOMException("denied", "SecurityError"); } } as unknown as Storage;
    expect(() => forgetStoredSession(broken)).not.toThrow();
  });
});
