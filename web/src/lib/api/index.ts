import { ApiClient } from "./client";
import { forgetStoredSession, memorySessionStore } from "./tokens";

export { ApiClient } from "./client";
export { ApiError, errorMessage, fieldErrors, isApiError, staleProduct } from "./errors";
export type * from "./models";
export type { LocalPaymentResult } from "./client";

const sessionExpiredListeners = new Set<() => void>();

forgetStoredSession(); // the refresh token once kept in localStorage: gone on the first load of this version

/** The app-wide client: same-origin relative URLs (the runner and CloudFront serve SPA and API together). */
export const sessionStore = memorySessionStore();
export const api = new ApiClient({
  session: sessionStore,
  onSessionExpired: () => sessionExpiredListeners.forEach((listener) => listener()),
});

export function onSessionExpired(listener: () => void): () => void {
  sessionExpiredListeners.add(listener);
  return () => sessionExpiredListeners.delete(listener);
}
