import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { createMemoryRouter, RouterProvider, type RouteObject } from "react-router";
import { vi } from "vitest";
import { AuthProvider } from "@/lib/auth";
import { countItems } from "@/lib/counts";
import type { Checkout, Order, OrderLine, PaymentInfo, Product } from "@/lib/api/models";

export interface MockRoute {
  method?: string;
  /** Matched against the request path (without query), e.g. /api/products or a RegExp. */
  path: string | RegExp;
  status?: number;
  /** A value, or a function of the request URL for responses that depend on the query. */
  body?: unknown | ((url: URL) => unknown);
  headers?: Record<string, string>;
  /** Answers for successive calls (the last one repeats), instead of one status and body for all. */
  replies?: { status?: number; body?: unknown }[];
}

/** Replaces global fetch with a tiny router over canned responses; records every call. */
export function mockFetch(routes: MockRoute[]) {
  const calls: { method: string; url: URL; headers: Headers; body: unknown }[] = [];
  const served = new Map<MockRoute, number>();
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), "http://localhost");
    const method = (init.method ?? "GET").toUpperCase();
    calls.push({ method, url, headers: new Headers(init.headers), body: init.body ? JSON.parse(String(init.body)) : undefined });
    const route = routes.find(
      (candidate) =>
        (candidate.method ?? "GET") === method &&
        (typeof candidate.path === "string" ? candidate.path === url.pathname : candidate.path.test(url.pathname)),
    );
    if (!route) return new Response(JSON.stringify({ error: { code: "not_found", message: `no mock for ${method} ${url.pathname}` } }), { status: 404 });
    const reply = route.replies?.[Math.min(served.get(route) ?? 0, route.replies.length - 1)];
    served.set(route, (served.get(route) ?? 0) + 1);
    const status = reply ? (reply.status ?? 200) : (route.status ?? 200);
    const body = reply ? reply.body : typeof route.body === "function" ? route.body(url) : route.body;
    return new Response(status === 204 ? null : JSON.stringify(body ?? {}), {
      status,
      headers: { "Content-Type": "application/json", ...route.headers },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { fetchMock, calls };
}

export function renderRoute(element: ReactElement, { path = "/", url = path, extraRoutes = [] }: { path?: string; url?: string; extraRoutes?: RouteObject[] } = {}) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const router = createMemoryRouter([{ path, element }, ...extraRoutes, { path: "*", element: <p>elsewhere</p> }], { initialEntries: [url] });
  const view = render(
    <QueryClientProvider client={queryClient}>
      <AuthProvider>
        <RouterProvider router={router} />
      </AuthProvider>
    </QueryClientProvider>,
  );
  return { ...view, router, queryClient };
}

export function makeProduct(overrides: Partial<Product> = {}): Product {
  return {
    id: "p1",
    seller_id: "s1",
    seller_name: "Greenfields Farm",
    name: "Honeycrisp apples",
    description: "Crunchy.",
    price: "3.49",
    currency: "usd",
    category: "fruit-veg",
    stock: 20,
    unit: "kg",
    sold_by: "unit",
    min_weight_g: null,
    step_g: null,
    unit_price: { amount: "3.49", basis: "kg", label: "$3.49/kg" },
    images: [],
    is_active: true,
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    etag: '"r1.s20"',
    ...overrides,
  };
}

/** An order line as the API sends it: a unit line of 1 unless told otherwise, not packed yet. */
export function makeLine(overrides: Partial<OrderLine> = {}): OrderLine {
  const weighed = overrides.sold_by === "weight";
  return {
    line_id: "l1",
    product_id: "p1",
    name: "Honeycrisp apples",
    unit: weighed ? "kg" : "each",
    sold_by: "unit",
    unit_price: "3.49",
    quantity: weighed ? null : 1,
    weight_g: null,
    substitution: "none",
    line_total: "3.49",
    packed_quantity: null,
    packed_weight_g: null,
    substitute: null,
    final_total: null,
    ...overrides,
  };
}

export function makePayment(overrides: Partial<PaymentInfo> = {}): PaymentInfo {
  return { provider: "local", client_secret: "cs_1", amount: "3.49", estimated_total: "3.49", capture: "manual", currency: "usd", publishable_key: null, ...overrides };
}

export function makeCheckout(overrides: Partial<Checkout> = {}): Checkout {
  return {
    checkout_id: "c1",
    status: "pending_payment",
    amount: "3.49",
    estimated_total: "3.49",
    captured: null,
    currency: "usd",
    expires_at: new Date(Date.now() + 10 * 60_000).toISOString(),
    payment_error: null,
    orders: [],
    payment: makePayment(),
    ...overrides,
  };
}

export function makeOrder(overrides: Partial<Order> = {}): Order {
  return {
    id: "o1",
    number: "SG-7K3F-92",
    checkout_id: "c1",
    user_id: "u1",
    seller_id: "s1",
    seller_name: "Greenfields Farm",
    items: [makeLine()],
    item_count: countItems(overrides.items ?? [makeLine()]),
    total: "3.49",
    estimated_total: overrides.total ?? "3.49",
    authorized_amount: overrides.total ?? "3.49",
    final_total: null,
    released: null,
    currency: "usd",
    status: "confirmed",
    payment_status: "authorized",
    shipping_address: { full_name: "Ann Lee", line1: "1 Main St", line2: null, city: "Springfield", region: "IL", postal_code: "12345", country: "US", phone: null },
    status_history: [],
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    expires_at: null,
    payment_error: null,
    allowed_transitions: [],
    refunded: "0.00",
    refundable: null,
    refunds: [],
    payout: null,
    delivery_fee: "0.00",
    fulfilment: null,
    ...overrides,
  };
}
