import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from "react";
import { api, onSessionExpired, sessionStore } from "./api";
import type { LoginRequest, SignupRequest, User } from "./api/models";
import type { AuthResponse } from "./api/models";
import { toast } from "@/components/ui/toast";

interface AuthContextValue {
  user: User | null;
  /** True while a reload's session is being restored from the cookie: not known yet to be signed out. */
  restoring: boolean;
  login(body: LoginRequest): Promise<User>;
  signup(body: SignupRequest): Promise<User>;
  logout(): Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

/** Tells the site's other tabs about a sign-out, so they drop their in-memory access token at once. */
const SESSION_CHANNEL = "smartgrocer-session";
function sessionChannel(): BroadcastChannel | null {
  return typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(SESSION_CHANNEL);
}

function storeSession(response: AuthResponse): User {
  // The refresh token is in the HttpOnly cookie the answer set; only the access token is kept, in memory.
  sessionStore.set({ accessToken: response.access_token, user: response.user });
  return response.user;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const session = useSyncExternalStore(sessionStore.subscribe, sessionStore.get, sessionStore.get);
  const user = session?.user ?? null;
  const [restoring, setRestoring] = useState(() => sessionStore.get() === null);

  // A reload or a new tab: the session lives on in the refresh cookie; one refresh brings it back.
  useEffect(() => {
    if (sessionStore.get()) return; // already signed in (restoring started false)
    let live = true;
    api
      .restoreSession()
      .catch(() => null) // offline: stay signed out until the next action
      .finally(() => {
        if (live) setRestoring(false);
      });
    return () => {
      live = false;
    };
  }, []);

  useEffect(
    () =>
      onSessionExpired(() => {
        queryClient.clear();
        toast("Your session has ended", { description: "Please log in again.", tone: "info" });
      }),
    [queryClient],
  );

  useEffect(() => {
    const channel = sessionChannel();
    if (!channel) return;
    channel.onmessage = (event: MessageEvent) => {
      if (event.data === "signed-out" && sessionStore.get()) {
        sessionStore.set(null);
        queryClient.clear();
      }
    };
    return () => channel.close();
  }, [queryClient]);

  const login = useCallback(async (body: LoginRequest) => storeSession(await api.login(body)), []);
  const signup = useCallback(async (body: SignupRequest) => storeSession(await api.signup(body)), []);
  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // Signing out here matters most; the server-side session ends with its cookie's lifetime anyway.
    } finally {
      sessionStore.set(null);
      queryClient.clear();
      const channel = sessionChannel();
      channel?.postMessage("signed-out");
      channel?.close();
    }
  }, [queryClient]);

  const value = useMemo(() => ({ user, restoring, login, signup, logout }), [user, restoring, login, signup, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const context = useContext(AuthContext);
  if (!context) throw new Error("useAuth must be used inside <AuthProvider>");
  return context;
}

export function homeFor(user: User | null): string {
  if (user?.role === "seller") return "/seller";
  if (user?.role === "admin") return "/admin";
  return "/";
}
