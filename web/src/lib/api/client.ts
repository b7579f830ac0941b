import createClient, { createQuerySerializer, type Client } from "openapi-fetch";
import { ApiError } from "./errors";
import type {
  CheckoutRequest,
  FulfilmentSettingsIn,
  ImageUploadRequest,
  LoginRequest,
  OrdersQuery,
  PasswordChangeRequest,
  PasswordResetConfirm,
  OrderStatus,
  PackRequest,
  ProfileUpdate,
  ProductCreate,
  MyProductQuery,
  ProductQuery,
  ProductUpdate,
  RefundRequest,
  SavedAddressCreate,
  SavedAddressIn,
  SellerCommissionRequest,
  SellerOrdersQuery,
  SellerPayoutsQuery,
  SignupRequest,
  User,
  UsersQuery,
  UserUpdate,
} from "./models";
import type { paths } from "./openapi.gen";
import type { SessionStore } from "./tokens";

export interface ApiClientOptions {
  session: SessionStore;
  fetch?: typeof fetch;
  baseUrl?: string;
  /** Called when the session could not be refreshed and has been cleared. */
  onSessionExpired?: () => void;
  /**
   * Runs a refresh while holding a lock shared by every tab of the site (default: the Web Locks API
   * when the browser has it), so two tabs never present the same single-use refresh token.
   */
  crossTabLock?: <T>(task: () => Promise<T>) => Promise<T>;
}

/** The header the cookie routes require (see docs/security.md): a cross-site form cannot send it. */
export const CSRF_HEADER = { "x-smartgrocer-csrf": "1" } as const;
const REFRESH_LOCK = "smartgrocer-session-refresh";

function webLocks<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? (locks.request(REFRESH_LOCK, task) as Promise<T>) : task();
}

/**
 * Answer of the local runner's payment confirm route (local payment provider only; not part of the
 * API): "authorized" when the card took the hold (it is charged at packing), "failed" when declined.
 */
export interface LocalPaymentResult {
  status: "authorized" | "failed";
}

/**
 * What openapi-fetch builds for each call, kept as a URL and its init rather than a `Request`: the
 * SPA calls same-origin relative URLs (the runner and CloudFront serve SPA and API together), which
 * `Request` only accepts inside a browser page, and a JSON string body can be sent again after a
 * token refresh.
 */
class PendingRequest {
  readonly url: string;
  readonly method: string;
  readonly init: RequestInit;

  constructor(url: string | URL, init: RequestInit = {}) {
    this.url = String(url);
    this.init = init;
    this.method = init.method ?? "GET";
  }
}

/** Filters left blank are not sent: empty strings are dropped like undefined and null. */
const serializeQuery = createQuerySerializer();
function querySerializer(query: Record<string, unknown>): string {
  return serializeQuery(Object.fromEntries(Object.entries(query).filter(([, value]) => value !== "")));
}

type ApiResult<T> = { data?: T; error?: unknown; response: Response };

/**
 * The typed SmartGrocer client. Paths, parameters, bodies and answers come from the generated
 * `paths` of openapi.json through openapi-fetch; this class adds what the SPA needs around each
 * call: the bearer token, one shared silent refresh on 401, and the API's error envelope as ApiError.
 */
export class ApiClient {
  private readonly session: SessionStore;
  private readonly fetchImpl: typeof fetch;
  private readonly baseUrl: string;
  private readonly onSessionExpired?: () => void;
  private readonly crossTabLock: <T>(task: () => Promise<T>) => Promise<T>;
  /** One refresh at a time in this tab: refresh tokens are single-use, so parallel 401s (and the
   * restore on load) share it; other tabs wait for the cross-tab lock. */
  private refreshing: Promise<boolean> | null = null;
  /** Calls made as the signed-in user (token sent when there is one, refreshed on 401). */
  private readonly http: Client<paths>;
  /** Calls that never send the token nor try a refresh (login, signup, refresh itself, public lists). */
  private readonly anonymous: Client<paths>;

  constructor(options: ApiClientOptions) {
    this.session = options.session;
    this.fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.baseUrl = options.baseUrl ?? "";
    this.onSessionExpired = options.onSessionExpired;
    this.crossTabLock = options.crossTabLock ?? webLocks;
    const clientFor = (useAuth: boolean) =>
      createClient<paths>({
        baseUrl: this.baseUrl,
        Request: PendingRequest as unknown as typeof Request,
        fetch: (request) => this.dispatch(request as unknown as PendingRequest, useAuth),
        querySerializer,
      });
    this.http = clientFor(true);
    this.anonymous = clientFor(false);
  }

  private async dispatch(request: PendingRequest, useAuth: boolean): Promise<Response> {
    const sentToken = useAuth ? this.session.get()?.accessToken : undefined;
    const response = await this.send(request, sentToken);
    // The access token may simply have expired: rotate once and retry with the new one.
    if (response.status === 401 && sentToken && (await this.refreshSession(sentToken))) {
      return this.send(request, this.session.get()?.accessToken);
    }
    return response;
  }

  private async send(request: PendingRequest, token: string | undefined): Promise<Response> {
    const headers = new Headers(request.init.headers);
    headers.set("Accept", "application/json");
    if (token) headers.set("Authorization", `Bearer ${token}`);
    try {
      return await this.fetchImpl(request.url, {
        method: request.method,
        headers,
        body: request.init.body,
        signal: request.init.signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError(0, "network_error", "We couldn't reach SmartGrocer. Check your connection and try again.");
    }
  }

  /**
   * Restores the session from the HttpOnly refresh cookie (a reload, a new tab): one refresh. Resolves
   * to the user, or null when there is no session to restore (no cookie, or it was refused).
   */
  async restoreSession(): Promise<User | null> {
    await this.refresh();
    return this.session.get()?.user ?? null;
  }

  /** true when a fresh session is stored. `staleToken` lets a late 401 reuse a refresh another call already did. */
  private refreshSession(staleToken: string): Promise<boolean> {
    const current = this.session.get();
    if (!current) return Promise.resolve(false);
    if (current.accessToken !== staleToken) return Promise.resolve(true);
    return this.refresh();
  }

  private refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = this.crossTabLock(() => this.doRefresh()).finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const hadSession = this.session.get() !== null;
    try {
      // The browser sends the cookie (same origin); the header proves it is our own script asking.
      const fresh = await settle(this.anonymous.POST("/api/auth/refresh", { params: { header: CSRF_HEADER } }));
      this.session.set({ accessToken: fresh.access_token, user: fresh.user });
      return true;
    } catch (error) {
      // Only a definite "no" ends the session; a network blip should not sign the user out.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        this.session.set(null);
        if (hadSession) this.onSessionExpired?.();
      }
      return false;
    }
  }

  // ---- the calls the SPA makes ----------------------------------------------------------------

  signup(body: SignupRequest) {
    return settle(this.anonymous.POST("/api/auth/signup", { body }));
  }

  login(body: LoginRequest) {
    return settle(this.anonymous.POST("/api/auth/login", { body }));
  }

  me() {
    return settle(this.http.GET("/api/auth/me"));
  }

  /** Changes the signed-in user's name and/or phone; answers the user as now stored. */
  updateMe(body: ProfileUpdate) {
    return settle(this.http.PATCH("/api/me", { body }));
  }

  /** The signed-in user's saved addresses, the default first. */
  addresses(signal?: AbortSignal) {
    return settle(this.http.GET("/api/me/addresses", { signal }));
  }

  /** Saves an address; 409 `address_book_full` beyond the limit. The first one saved is the default. */
  addAddress(body: SavedAddressCreate) {
    return settle(this.http.POST("/api/me/addresses", { body }));
  }

  /**
   * Replaces a saved address, if it is still the version named by `etag`: a 412 `stale_address` ApiError
   * means it changed meanwhile; its details are StaleAddressDetails.
   */
  updateAddress(id: string, body: SavedAddressIn, etag: string) {
    return settle(this.http.PUT("/api/me/addresses/{id}", { params: { path: { id }, header: { "if-match": etag } }, body }));
  }

  /** Deletes a saved address; when it was the default, the oldest other one becomes the default. */
  deleteAddress(id: string) {
    return settle(this.http.DELETE("/api/me/addresses/{id}", { params: { path: { id } } }));
  }

  makeDefaultAddress(id: string) {
    return settle(this.http.POST("/api/me/addresses/{id}/default", { params: { path: { id } } }));
  }

  /** Mails a reset link if an account uses `email`; the answer is the same either way (202). */
  requestPasswordReset(email: string) {
    return settle(this.anonymous.POST("/api/auth/password-reset", { body: { email } }));
  }

  /**
   * Sets a new password with a mailed link's token and ends every session. 400 `reset_token_invalid`
   * or `reset_token_expired`; 403 `account_deactivated`; 422 for a password that breaks the rules.
   */
  confirmPasswordReset(body: PasswordResetConfirm) {
    return settle(this.anonymous.POST("/api/auth/password-reset/confirm", { body }));
  }

  /** Changes the signed-in user's password; this session goes on, every other one ends. 400 `wrong_password`. */
  changePassword(body: PasswordChangeRequest) {
    return settle(this.http.POST("/api/auth/password", { body }));
  }

  /** Ends the session of the refresh cookie (the server revokes it and clears the cookie). */
  logout() {
    return settle(this.anonymous.POST("/api/auth/logout", { params: { header: CSRF_HEADER } }));
  }

  listProducts(query: ProductQuery = {}, signal?: AbortSignal) {
    return settle(this.http.GET("/api/products", { params: { query }, signal }));
  }

  /** The signed-in seller's own products, including those not listed yet (payouts not set up). */
  listMyProducts(query: MyProductQuery = {}, signal?: AbortSignal) {
    return settle(this.http.GET("/api/seller/products", { params: { query }, signal }));
  }

  /** Suggestions while typing a search: public and cacheable, so never sent with the token. */
  suggestProducts(q: string, signal?: AbortSignal) {
    return settle(this.anonymous.GET("/api/products/suggest", { params: { query: { q } }, signal }));
  }

  getProduct(id: string, signal?: AbortSignal) {
    return settle(this.http.GET("/api/products/{id}", { params: { path: { id } }, signal }));
  }

  createProduct(body: ProductCreate) {
    return settle(this.http.POST("/api/products", { body }));
  }

  /**
   * Saves `body` (send only what changed) over the version named by `etag`, the `etag` of the product
   * the change was made on. A 412 `stale_product` ApiError means it changed meanwhile; its details are
   * StaleProductDetails.
   */
  updateProduct(id: string, body: ProductUpdate, etag: string) {
    return settle(this.http.PUT("/api/products/{id}", { params: { path: { id }, header: { "if-match": etag } }, body }));
  }

  deleteProduct(id: string) {
    return settle(this.http.DELETE("/api/products/{id}", { params: { path: { id } } }));
  }

  requestImageUpload(id: string, body: ImageUploadRequest) {
    return settle(this.http.POST("/api/products/{id}/images", { params: { path: { id } }, body }));
  }

  listCategories(signal?: AbortSignal) {
    return settle(this.anonymous.GET("/api/categories", { signal }));
  }

  checkout(body: CheckoutRequest, idempotencyKey: string) {
    return settle(this.http.POST("/api/orders", { params: { header: { "idempotency-key": idempotencyKey } }, body }));
  }

  myOrders(query: OrdersQuery = {}) {
    return settle(this.http.GET("/api/orders/my-orders", { params: { query } }));
  }

  getOrder(id: string, signal?: AbortSignal) {
    return settle(this.http.GET("/api/orders/{id}", { params: { path: { id } }, signal }));
  }

  updateOrderStatus(id: string, status: OrderStatus) {
    return settle(this.http.PATCH("/api/orders/{id}/status", { params: { path: { id } }, body: { status } }));
  }

  /**
   * Records what the seller packed (weights, short picks, substitutes); the last order packed
   * captures the payment. 422 `invalid_packing` (details: PackingProblem[]) or `over_authorization`;
   * 409 `out_of_stock` (a substitute ran short) or `illegal_transition`.
   */
  packOrder(id: string, body: PackRequest) {
    return settle(this.http.POST("/api/orders/{id}/pack", { params: { path: { id } }, body }));
  }

  /**
   * Gives `amount` of a charged order back to the shopper (the order's seller or an admin); the
   * seller's payout is reversed by their share. `idempotencyKey`: one per submission, so a retry
   * never refunds twice. 409 `not_refundable` (not charged yet, or refunded in full); 422
   * `refund_too_large` (details: RefundTooLargeDetails) or a validation error.
   */
  refundOrder(id: string, body: RefundRequest, idempotencyKey: string) {
    return settle(
      this.http.POST("/api/orders/{id}/refunds", { params: { path: { id }, header: { "idempotency-key": idempotencyKey } }, body }),
    );
  }

  /** The buyer's checkout, with what is needed to resume its payment while it is open. */
  getCheckout(id: string, signal?: AbortSignal) {
    return settle(this.http.GET("/api/checkouts/{id}", { params: { path: { id } }, signal }));
  }

  /** The seller's orders, newest first; `slot_date` / `slot_id` narrow them to a day or a window. */
  sellerOrders(query: SellerOrdersQuery = {}) {
    return settle(this.http.GET("/api/seller/orders", { params: { query } }));
  }

  /** A seller's public page (public, cacheable: never sent with the token); 404 for a seller who cannot sell. */
  getSeller(id: string, signal?: AbortSignal) {
    return settle(this.anonymous.GET("/api/sellers/{id}", { params: { path: { id } }, signal }));
  }

  /** The signed-in seller's about text, as they edit it. */
  sellerProfile(signal?: AbortSignal) {
    return settle(this.http.GET("/api/seller/profile", { signal }));
  }

  saveSellerAbout(about: string) {
    return settle(this.http.PUT("/api/seller/profile", { body: { about } }));
  }

  /** The seller's delivery and pickup settings (the empty form when none are set). */
  sellerFulfilment(signal?: AbortSignal) {
    return settle(this.http.GET("/api/seller/fulfilment", { signal }));
  }

  /** Replaces the seller's settings; 422 `invalid_fulfilment` (details: FulfilmentProblem[]) or `validation_error`. */
  saveSellerFulfilment(body: FulfilmentSettingsIn) {
    return settle(this.http.PUT("/api/seller/fulfilment", { body }));
  }

  /**
   * A seller's open windows and terms (public, cacheable: never sent with the token). 404
   * `no_such_seller` for a seller without windows: they arrange delivery themselves.
   */
  sellerSlots(id: string, days?: number, signal?: AbortSignal) {
    return settle(this.anonymous.GET("/api/sellers/{id}/slots", { params: { path: { id }, query: { days } }, signal }));
  }

  /** One window's live orders and their lines summed by product (the seller's own). */
  sellerPackingList(slotId: string, signal?: AbortSignal) {
    return settle(this.http.GET("/api/seller/packing-list", { params: { query: { slot_id: slotId } }, signal }));
  }

  sellerAnalytics() {
    return settle(this.http.GET("/api/seller/analytics"));
  }

  /** The seller's payouts, newest first, one page at a time; `totals` cover every order. */
  sellerPayouts(query: SellerPayoutsQuery = {}, signal?: AbortSignal) {
    return settle(this.http.GET("/api/seller/payouts", { params: { query }, signal }));
  }

  /** The seller's payout account: none, pending (being checked) or active, and their commission. */
  sellerPayoutAccount(signal?: AbortSignal) {
    return settle(this.http.GET("/api/seller/payouts/account", { signal }));
  }

  /** Starts or resumes onboarding with the payment provider: the page to send the seller to. */
  startPayoutOnboarding() {
    return settle(this.http.POST("/api/seller/payouts/onboarding"));
  }

  /** The seller's own product read fresh (never a CDN copy): what an edit form starts from. */
  sellerProduct(id: string, signal?: AbortSignal) {
    return settle(this.http.GET("/api/seller/products/{id}", { params: { path: { id } }, signal }));
  }

  /** Orders with this number (SG-7K3F-92, any case, dashes optional): one, or none. 422 `invalid_order_number`. */
  adminFindOrders(number: string, signal?: AbortSignal) {
    return settle(this.http.GET("/api/admin/orders", { params: { query: { number } }, signal }));
  }

  adminUsers(query: UsersQuery = {}) {
    return settle(this.http.GET("/api/admin/users", { params: { query } }));
  }

  adminUpdateUser(id: string, body: UserUpdate) {
    return settle(this.http.PATCH("/api/admin/users/{id}", { params: { path: { id } }, body }));
  }

  /** Who activated or deactivated the user, when and why: newest first. */
  adminUserAudit(id: string, signal?: AbortSignal) {
    return settle(this.http.GET("/api/admin/users/{id}/audit", { params: { path: { id } }, signal }));
  }

  /** Sets a seller's own commission in basis points (0-5000), or null for the platform's rate. */
  adminUpdateSeller(id: string, body: SellerCommissionRequest) {
    return settle(this.http.PATCH("/api/admin/sellers/{id}", { params: { path: { id } }, body }));
  }

  /** Money by day over the last `days` (1-90): captured, commission kept, refunds, transfers. */
  adminFinance(days: number, signal?: AbortSignal) {
    return settle(this.http.GET("/api/admin/finance", { params: { query: { days } }, signal }));
  }

  /**
   * Local payment provider only: the runner charges the test card and delivers the signed webhook.
   * Served by the local runner at /local, outside the API, so it is not in openapi.json.
   */
  async confirmLocalPayment(body: { client_secret: string; card_number: string }): Promise<LocalPaymentResult> {
    const request = new PendingRequest(`${this.baseUrl}/local/payments/confirm`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const response = await this.dispatch(request, false);
    const data = parseJson(await response.text());
    if (!response.ok) throw toApiError(response, data);
    return data as LocalPaymentResult;
  }
}

/** The answer's data when it succeeded; the API's error envelope as an ApiError otherwise. */
async function settle<T>(call: Promise<ApiResult<T>>): Promise<T> {
  let result: ApiResult<T>;
  try {
    result = await call;
  } catch (error) {
    // A success whose body is not JSON (a proxy's page): a server fault as far as the SPA can tell.
    if (error instanceof SyntaxError) throw new ApiError(502, "bad_response", defaultMessage(502));
    throw error;
  }
  if (result.response.ok) return result.data as T;
  throw toApiError(result.response, result.error);
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function toApiError(response: Response, body: unknown): ApiError {
  const envelope =
    typeof body === "object" && body !== null
      ? (body as { error?: { code?: string; message?: string; details?: unknown } }).error
      : undefined;
  const retryAfterHeader = response.headers.get("Retry-After");
  const retryAfter = retryAfterHeader && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null;
  return new ApiError(
    response.status,
    envelope?.code ?? `http_${response.status}`,
    envelope?.message ?? defaultMessage(response.status),
    envelope?.details ?? null,
    retryAfter,
  );
}

function defaultMessage(status: number): string {
  if (status === 401) return "Please log in to continue.";
  if (status === 403) return "You don't have access to this.";
  if (status === 404) return "We couldn't find that.";
  if (status === 429) return "Too many attempts. Please wait a moment and try again.";
  if (status >= 500) return "SmartGrocer is having trouble right now. Please try again shortly.";
  return "The request could not be completed.";
}
