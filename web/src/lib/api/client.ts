import { ApiError } from "./errors";
import { buildPath, buildQuery, ENDPOINTS, type Endpoint } from "./endpoints";
import type { SessionStore } from "./tokens";
import type {
  AuthResponse,
  Category,
  Checkout,
  CheckoutRequest,
  CheckoutResponse,
  ImageContentType,
  ImageUploadResponse,
  LocalPaymentResult,
  LoginRequest,
  Order,
  OrderStatus,
  Page,
  Product,
  ProductCreate,
  ProductQuery,
  ProductUpdate,
  SellerAnalytics,
  SignupRequest,
  User,
} from "./types";

type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  params?: Record<string, string>;
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** false: never send the bearer token nor try a refresh (login, signup, refresh itself). */
  auth?: boolean;
}

export interface ApiClientOptions {
  session: SessionStore;
  fetch?: typeof fetch;
  baseUrl?: string;
  /** Called when the session could not be refreshed and has been cleared. */
  onSessionExpired?: () => void;
}

export class ApiClient {
  private readonly session: SessionStore;
  private readonly fetchImpl: typeof fetch;
  private readonly baseUrl: string;
  private readonly onSessionExpired?: () => void;
  /** One refresh at a time: refresh tokens are single-use, so parallel 401s must share it. */
  private refreshing: Promise<boolean> | null = null;

  constructor(options: ApiClientOptions) {
    this.session = options.session;
    this.fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.baseUrl = options.baseUrl ?? "";
    this.onSessionExpired = options.onSessionExpired;
  }

  async request<T>(endpoint: Endpoint, options: RequestOptions = {}): Promise<T> {
    const useAuth = options.auth !== false;
    const sentToken = useAuth ? this.session.get()?.accessToken : undefined;
    const response = await this.send(endpoint, options, sentToken);

    if (response.status === 401 && sentToken) {
      // The access token may simply have expired: rotate once and retry with the new one.
      if (await this.refreshSession(sentToken)) {
        const retried = await this.send(endpoint, options, this.session.get()?.accessToken);
        return this.parse<T>(retried);
      }
    }
    return this.parse<T>(response);
  }

  private async send(endpoint: Endpoint, options: RequestOptions, token: string | undefined): Promise<Response> {
    const url = this.baseUrl + buildPath(endpoint.path, options.params) + buildQuery(options.query);
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    try {
      return await this.fetchImpl(url, {
        method: endpoint.method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError(0, "network_error", "We couldn't reach SmartGrocer. Check your connection and try again.");
    }
  }

  private async parse<T>(response: Response): Promise<T> {
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let data: unknown = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (response.ok) return data as T;

    const envelope = (data as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    const retryAfterHeader = response.headers.get("Retry-After");
    const retryAfter = retryAfterHeader && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null;
    throw new ApiError(
      response.status,
      envelope?.code ?? `http_${response.status}`,
      envelope?.message ?? defaultMessage(response.status),
      envelope?.details ?? null,
      retryAfter,
    );
  }

  /** true when a fresh pair is stored. `staleToken` lets a late 401 reuse a refresh another call already did. */
  private refreshSession(staleToken: string): Promise<boolean> {
    const current = this.session.get();
    if (!current) return Promise.resolve(false);
    if (current.accessToken !== staleToken) return Promise.resolve(true);
    if (!this.refreshing) {
      this.refreshing = this.doRefresh(current.refreshToken).finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(refreshToken: string): Promise<boolean> {
    try {
      const fresh = await this.request<AuthResponse>(ENDPOINTS.refresh, {
        body: { refresh_token: refreshToken },
        auth: false,
      });
      this.session.set({ accessToken: fresh.access_token, refreshToken: fresh.refresh_token, user: fresh.user });
      return true;
    } catch (error) {
      // Only a definite "no" ends the session; a network blip should not sign the user out.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        this.session.set(null);
        this.onSessionExpired?.();
      }
      return false;
    }
  }

  // ---- typed endpoints -------------------------------------------------------------------

  signup(body: SignupRequest) {
    return this.request<AuthResponse>(ENDPOINTS.signup, { body, auth: false });
  }

  login(body: LoginRequest) {
    return this.request<AuthResponse>(ENDPOINTS.login, { body, auth: false });
  }

  me() {
    return this.request<User>(ENDPOINTS.me);
  }

  logout(refreshToken: string) {
    return this.request<void>(ENDPOINTS.logout, { body: { refresh_token: refreshToken } });
  }

  listProducts(query: ProductQuery = {}, signal?: AbortSignal) {
    return this.request<Page<Product>>(ENDPOINTS.listProducts, { query: { ...query }, signal });
  }

  getProduct(id: string, signal?: AbortSignal) {
    return this.request<Product>(ENDPOINTS.getProduct, { params: { id }, signal });
  }

  createProduct(body: ProductCreate) {
    return this.request<Product>(ENDPOINTS.createProduct, { body });
  }

  /**
   * Saves `body` (send only what changed) over the version named by `etag`, the `etag` of the product
   * the change was made on. A 412 `stale_product` ApiError means it changed meanwhile; its details are
   * StaleProductDetails.
   */
  updateProduct(id: string, body: ProductUpdate, etag: string) {
    return this.request<Product>(ENDPOINTS.updateProduct, { params: { id }, body, headers: { "If-Match": etag } });
  }

  deleteProduct(id: string) {
    return this.request<void>(ENDPOINTS.deleteProduct, { params: { id } });
  }

  requestImageUpload(id: string, body: { content_type: ImageContentType; size: number }) {
    return this.request<ImageUploadResponse>(ENDPOINTS.requestImageUpload, { params: { id }, body });
  }

  listCategories(signal?: AbortSignal) {
    return this.request<{ items: Category[] }>(ENDPOINTS.listCategories, { signal, auth: false });
  }

  checkout(body: CheckoutRequest, idempotencyKey: string) {
    return this.request<CheckoutResponse>(ENDPOINTS.checkout, {
      body,
      headers: { "Idempotency-Key": idempotencyKey },
    });
  }

  myOrders(query: { limit?: number; cursor?: string } = {}) {
    return this.request<Page<Order>>(ENDPOINTS.myOrders, { query });
  }

  getOrder(id: string, signal?: AbortSignal) {
    return this.request<Order>(ENDPOINTS.getOrder, { params: { id }, signal });
  }

  updateOrderStatus(id: string, status: OrderStatus) {
    return this.request<Order>(ENDPOINTS.updateOrderStatus, { params: { id }, body: { status } });
  }

  /** The buyer's checkout, with what is needed to resume its payment while it is open. */
  getCheckout(id: string, signal?: AbortSignal) {
    return this.request<Checkout>(ENDPOINTS.getCheckout, { params: { id }, signal });
  }

  sellerOrders(query: { status?: OrderStatus | ""; limit?: number; cursor?: string } = {}) {
    return this.request<Page<Order>>(ENDPOINTS.sellerOrders, { query });
  }

  sellerAnalytics() {
    return this.request<SellerAnalytics>(ENDPOINTS.sellerAnalytics);
  }

  /** The seller's own product read fresh (never a CDN copy): what an edit form starts from. */
  sellerProduct(id: string, signal?: AbortSignal) {
    return this.request<Product>(ENDPOINTS.sellerProduct, { params: { id }, signal });
  }

  adminUsers(query: { q?: string; limit?: number; cursor?: string } = {}) {
    return this.request<Page<User>>(ENDPOINTS.adminUsers, { query });
  }

  adminUpdateUser(id: string, body: { is_active: boolean }) {
    return this.request<User>(ENDPOINTS.adminUpdateUser, { params: { id }, body });
  }

  /** Local payment provider only: the runner charges the test card and delivers the signed webhook. */
  confirmLocalPayment(body: { client_secret: string; card_number: string }) {
    return this.request<LocalPaymentResult>(ENDPOINTS.confirmLocalPayment, { body, auth: false });
  }
}

function defaultMessage(status: number): string {
  if (status === 401) return "Please log in to continue.";
  if (status === 403) return "You don't have access to this.";
  if (status === 404) return "We couldn't find that.";
  if (status === 429) return "Too many attempts. Please wait a moment and try again.";
  if (status >= 500) return "SmartGrocer is having trouble right now. Please try again shortly.";
  return "The request could not be completed.";
}
