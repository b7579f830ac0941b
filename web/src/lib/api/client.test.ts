import { describe, expect, it, vi } from "vitest";
import { ApiClient } from "./client";
import { ApiError, errorMessage, fieldErrors } from "./errors";
import { memorySessionStore, type Session } from "./tokens";
import type { User } from "./models";

const user: User = { id: "u1", email: "a@b.test", full_name: "Ann", role: "shopper", is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

function setup(session: Session | null = { accessToken: "access-1", user }, crossTabLock?: <T>(task: () => Promise<T>) => Promise<T>) {
  const store = memorySessionStore(session);
  const fetchMock = vi.fn<typeof fetch>();
  const onSessionExpired = vi.fn();
  const client = new ApiClient({ session: store, fetch: fetchMock, onSessionExpired, crossTabLock });
  return { store, fetchMock, client, onSessionExpired };
}

const signedIn = (access: string) => json(200, { user, access_token: access, token_type: "bearer", expires_in: 900 });

const headerOf = (call: Parameters<typeof fetch>, name: string) => new Headers(call[1]?.headers).get(name);

describe("ApiClient", () => {
  it("sends the bearer token and JSON body to the right path and method", async () => {
    const { client, fetchMock } = setup();
    fetchMock.mockResolvedValueOnce(json(200, { id: "o1" }));
    await client.updateOrderStatus("o/1", "packed");
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe("/api/orders/o%2F1/status");
    expect(init?.method).toBe("PATCH");
    expect(JSON.parse(String(init?.body))).toEqual({ status: "packed" });
    expect(headerOf(fetchMock.mock.calls[0], "Authorization")).toBe("Bearer access-1");
    expect(headerOf(fetchMock.mock.calls[0], "Content-Type")).toBe("application/json");
  });

  it("leaves empty filters out of the query string", async () => {
    const { client, fetchMock } = setup(null);
    fetchMock.mockResolvedValueOnce(json(200, { items: [], next_cursor: null }));
    await client.listProducts({ q: "apple", seller_id: "", min_price: undefined, category: null, sort: "-price", limit: 24 });
    expect(fetchMock.mock.calls[0][0]).toBe("/api/products?q=apple&sort=-price&limit=24");
    expect(headerOf(fetchMock.mock.calls[0], "Authorization")).toBeNull();
  });

  it("sends the Idempotency-Key on checkout", async () => {
    const { client, fetchMock } = setup();
    fetchMock.mockResolvedValueOnce(json(201, { checkout_id: "c1", orders: [], payment: {} }));
    await client.checkout({ items: [{ product_id: "p1", quantity: 2, substitution: "none" }], shipping_address: { full_name: "A", line1: "1", city: "X", postal_code: "12", country: "US" } }, "key-123");
    expect(headerOf(fetchMock.mock.calls[0], "Idempotency-Key")).toBe("key-123");
  });

  it("names the product's version in If-Match on an edit and sends only the changes", async () => {
    const { client, fetchMock } = setup();
    fetchMock.mockResolvedValueOnce(json(200, { id: "p1" }));
    await client.updateProduct("p1", { stock: 4 }, '"r3.s4"');
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe("/api/products/p1");
    expect(init?.method).toBe("PUT");
    expect(headerOf(fetchMock.mock.calls[0], "If-Match")).toBe('"r3.s4"');
    expect(JSON.parse(String(init?.body))).toEqual({ stock: 4 });
  });

  it("confirms a local payment at the runner's /local route without the token", async () => {
    const { client, fetchMock } = setup();
    fetchMock.mockResolvedValueOnce(json(200, { status: "failed" }));
    await expect(client.confirmLocalPayment({ client_secret: "cs", card_number: "4000000000000002" })).resolves.toEqual({ status: "failed" });
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe("/local/payments/confirm");
    expect(init?.method).toBe("POST");
    expect(JSON.parse(String(init?.body))).toEqual({ client_secret: "cs", card_number: "4000000000000002" });
    expect(headerOf(fetchMock.mock.calls[0], "Authorization")).toBeNull();
  });

  it("turns the error envelope into an ApiError with code, message and details", async () => {
    const { client, fetchMock } = setup();
    fetchMock.mockResolvedValueOnce(
      json(422, { error: { code: "validation_error", message: "Invalid input", details: [{ loc: ["body", "email"], msg: "value is not a valid email address" }] } }),
    );
    const error = await client.signup({ email: "x", password: "12345678", full_name: "A", is_seller: false }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(422);
    expect(error.code).toBe("validation_error");
    expect(error.isValidation).toBe(true);
    expect(fieldErrors(error)).toEqual({ email: "Value is not a valid email address" });
  });

  it("reads Retry-After on 429 and says how long to wait", async () => {
    const { client, fetchMock } = setup(null);
    fetchMock.mockResolvedValueOnce(json(429, { error: { code: "rate_limited", message: "Too many attempts" } }, { "Retry-After": "120" }));
    const error = await client.login({ email: "a@b.test", password: "x" }).catch((e) => e);
    expect(error.retryAfter).toBe(120);
    expect(errorMessage(error)).toBe("Too many attempts. Please try again in 2 minutes.");
  });

  it("reports network failures as status 0 with a readable message", async () => {
    const { client, fetchMock } = setup(null);
    fetchMock.mockRejectedValueOnce(new TypeError("Failed to fetch"));
    const error = await client.listCategories().catch((e) => e);
    expect(error.status).toBe(0);
    expect(errorMessage(error)).toMatch(/couldn't reach/i);
  });

  it("refreshes once on 401, stores the rotated pair and retries with the new token", async () => {
    const { client, fetchMock, store } = setup();
    fetchMock
      .mockResolvedValueOnce(json(401, { error: { code: "unauthorized", message: "expired" } }))
      .mockResolvedValueOnce(signedIn("access-2"))
      .mockResolvedValueOnce(json(200, user));

    await expect(client.me()).resolves.toEqual(user);

    const [refreshUrl, refreshInit] = fetchMock.mock.calls[1];
    expect(refreshUrl).toBe("/api/auth/refresh");
    expect(refreshInit?.method).toBe("POST");
    expect(refreshInit?.body ?? null).toBeNull(); // the refresh token travels in the HttpOnly cookie only
    expect(headerOf(fetchMock.mock.calls[1], "X-SmartGrocer-CSRF")).toBe("1");
    expect(headerOf(fetchMock.mock.calls[1], "Authorization")).toBeNull();
    expect(headerOf(fetchMock.mock.calls[2], "Authorization")).toBe("Bearer access-2");
    expect(store.get()).toEqual({ accessToken: "access-2", user });
  });

  it("shares one refresh between parallel 401s (refresh tokens are single-use)", async () => {
    const { client, fetchMock } = setup();
    let refreshCalls = 0;
    fetchMock.mockImplementation(async (input, init) => {
      const url = String(input);
      const auth = new Headers(init?.headers).get("Authorization");
      if (url === "/api/auth/refresh") {
        refreshCalls++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return signedIn("access-2");
      }
      return auth === "Bearer access-2" ? json(200, { items: [], next_cursor: null }) : json(401, { error: { code: "unauthorized", message: "expired" } });
    });
    await Promise.all([client.myOrders(), client.sellerOrders(), client.me()]);
    expect(refreshCalls).toBe(1);
  });

  it("clears the session and signals expiry when the refresh is refused", async () => {
    const { client, fetchMock, store, onSessionExpired } = setup();
    fetchMock
      .mockResolvedValueOnce(json(401, { error: { code: "unauthorized", message: "expired" } }))
      .mockResolvedValueOnce(json(401, { error: { code: "unauthorized", message: "refresh token revoked" } }));
    const error = await client.me().catch((e) => e);
    expect(error.status).toBe(401);
    expect(store.get()).toBeNull();
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it("does not try to refresh when no token was sent", async () => {
    const { client, fetchMock } = setup(null);
    fetchMock.mockResolvedValueOnce(json(401, { error: { code: "unauthorized", message: "Invalid email or password" } }));
    await expect(client.login({ email: "a@b.test", password: "nope" })).rejects.toMatchObject({ status: 401 });
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("keeps the session when the refresh fails on the network", async () => {
    const { client, fetchMock, store, onSessionExpired } = setup();
    fetchMock.mockResolvedValueOnce(json(401, { error: { code: "unauthorized", message: "expired" } })).mockRejectedValueOnce(new TypeError("offline"));
    await expect(client.me()).rejects.toMatchObject({ status: 401 });
    expect(store.get()).not.toBeNull();
    expect(onSessionExpired).not.toHaveBeenCalled();
  });

  it("keeps a 412 stale_product's details for the edit page", async () => {
    const { client, fetchMock } = setup();
    fetchMock.mockResolvedValueOnce(json(412, { error: { code: "stale_product", message: "changed", details: { current: { id: "p1", etag: '"r4.s3"' } } } }));
    const error = await client.updateProduct("p1", { name: "x" }, '"r3.s4"').catch((e) => e);
    expect(error).toMatchObject({ status: 412, code: "stale_product", details: { current: { etag: '"r4.s3"' } } });
  });

  it("maps an error page that is not JSON to its status", async () => {
    const { client, fetchMock } = setup();
    fetchMock.mockResolvedValueOnce(new Response("<html>Bad gateway</html>", { status: 502 }));
    const error = await client.me().catch((e) => e);
    expect(error).toMatchObject({ status: 502, code: "http_502" });
    expect(errorMessage(error)).toMatch(/having trouble/);
  });

  it("returns undefined for 204 responses", async () => {
    const { client, fetchMock } = setup();
    fetchMock.mockResolvedValueOnce(json(204, null));
    await expect(client.deleteProduct("p1")).resolves.toBeUndefined();
    expect(fetchMock.mock.calls[0][1]?.method).toBe("DELETE");
  });
});

describe("fieldErrors", () => {
  it("keys nested locations by dotted path without the body prefix", () => {
    const error = new ApiError(422, "validation_error", "Invalid", [
      { loc: ["body", "shipping_address", "country"], msg: "String should match pattern '^[A-Z]{2}$'" },
      { loc: ["body", "password"], msg: "Value error, password must be at most 72 bytes (UTF-8)" },
    ]);
    expect(fieldErrors(error)).toEqual({
      "shipping_address.country": "String should match pattern '^[A-Z]{2}$'",
      password: "Password must be at most 72 bytes (UTF-8)",
    });
  });

  it("ignores details that are not validation issues", () => {
    expect(fieldErrors(new ApiError(409, "conflict", "Out of stock", [{ product_id: "p1" }]))).toEqual({});
    expect(fieldErrors(new Error("x"))).toEqual({});
  });
});
