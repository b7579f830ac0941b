import { ApiClient } from "./client";
import { localSessionStore } from "./tokens";

export { ApiClient } from "./client";
export { ApiError, errorMessage, fieldErrors, isApiError, staleProduct } from "./errors";
export type * from "./models";
export type { LocalPaymentResult } from "./client";

const sessionExpiredListeners = new Set<() => void>();

/** The app-wide client: same-origin relative URLs (the runner and CloudFront serve SPA and API together). */
export const sessionStore = localSessionStore();
export const api = new ApiClient({
  session: sessionStore,
  onSessionExpired: () => sessionExpiredListeners.forEach((listener) => listener()),
});

export function onSessionExpired(listener: () => void): () => void {
  sessionExpiredListeners.add(listener);
  return () => sessionExpiredListeners.delete(listener);
}
