// Every HTTP call the SPA makes, declared once. The client only calls what is listed here, and
// `endpoints.sync.test.ts` checks each entry against openapi.json so the two cannot drift.

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface Endpoint {
  method: HttpMethod;
  /** Path template in OpenAPI form, e.g. /api/products/{id}. */
  path: string;
  /** Served by the local runner only (not part of the API, so not in openapi.json). */
  localOnly?: boolean;
}

export const ENDPOINTS = {
  signup: { method: "POST", path: "/api/auth/signup" },
  login: { method: "POST", path: "/api/auth/login" },
  me: { method: "GET", path: "/api/auth/me" },
  refresh: { method: "POST", path: "/api/auth/refresh" },
  logout: { method: "POST", path: "/api/auth/logout" },

  listProducts: { method: "GET", path: "/api/products" },
  getProduct: { method: "GET", path: "/api/products/{id}" },
  createProduct: { method: "POST", path: "/api/products" },
  updateProduct: { method: "PUT", path: "/api/products/{id}" },
  deleteProduct: { method: "DELETE", path: "/api/products/{id}" },
  requestImageUpload: { method: "POST", path: "/api/products/{id}/images" },
  listCategories: { method: "GET", path: "/api/categories" },

  checkout: { method: "POST", path: "/api/orders" },
  myOrders: { method: "GET", path: "/api/orders/my-orders" },
  getOrder: { method: "GET", path: "/api/orders/{id}" },
  updateOrderStatus: { method: "PATCH", path: "/api/orders/{id}/status" },
  getCheckout: { method: "GET", path: "/api/checkouts/{id}" },

  sellerOrders: { method: "GET", path: "/api/seller/orders" },
  sellerAnalytics: { method: "GET", path: "/api/seller/analytics" },
  sellerProduct: { method: "GET", path: "/api/seller/products/{id}" },

  adminUsers: { method: "GET", path: "/api/admin/users" },
  adminUpdateUser: { method: "PATCH", path: "/api/admin/users/{id}" },

  confirmLocalPayment: { method: "POST", path: "/local/payments/confirm", localOnly: true },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof ENDPOINTS;

/** Fills `{name}` placeholders, URL-encoding each value. */
export function buildPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined || value === "") throw new Error(`missing path parameter "${key}" for ${template}`);
    return encodeURIComponent(value);
  });
}

/** Query string from defined, non-empty values only (so filters left blank are not sent). */
export function buildQuery(query: Record<string, string | number | boolean | null | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
