import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from "react";
import { api, onSessionExpired, sessionStore } from "./api";
import type { LoginRequest, SignupRequest, User } from "./api/models";
import type { AuthResponse } from "./api/models";
import { toast } from "@/components/ui/toast";

interface AuthContextValue {
  user: User | null;
  login(body: LoginRequest): Promise<User>;
  signup(body: SignupRequest): Promise<User>;
  logout(): Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

function storeSession(response: AuthResponse): User {
  sessionStore.set({ accessToken: response.access_token, refreshToken: response.refresh_token, user: response.user });
  return response.user;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const session = useSyncExternalStore(sessionStore.subscribe, sessionStore.get, sessionStore.get);
  const user = session?.user ?? null;

  // Revalidate a remembered session once: the role may have changed or the account been deactivated.
  useEffect(() => {
    if (!sessionStore.get()) return;
    api
      .me()
      .then((fresh) => {
        const current = sessionStore.get();
        if (current) sessionStore.set({ ...current, user: fresh });
      })
      .catch(() => {
        // A failed refresh already cleared the session; network errors keep it for later.
      });
  }, []);

  useEffect(
    () =>
      onSessionExpired(() => {
        queryClient.clear();
        toast("Your session has ended", { description: "Please log in again.", tone: "info" });
      }),
    [queryClient],
  );

  const login = useCallback(async (body: LoginRequest) => storeSession(await api.login(body)), []);
  const signup = useCallback(async (body: SignupRequest) => storeSession(await api.signup(body)), []);
  const logout = useCallback(async () => {
    const refreshToken = sessionStore.get()?.refreshToken;
    try {
      if (refreshToken) await api.logout(refreshToken);
    } catch {
      // Logging out locally matters most; the token expires on its own anyway.
    } finally {
      sessionStore.set(null);
      queryClient.clear();
    }
  }, [queryClient]);

  const value = useMemo(() => ({ user, login, signup, logout }), [user, login, signup, logout]);
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
