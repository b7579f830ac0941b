// Drives every client method with a recording fetch and checks each request against openapi.json:
// the operation exists, every query parameter is declared, and the JSON body fits the request
// schema (known fields only, right types and enums). A renamed field on either side fails here.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ApiClient } from "./client";
import { ENDPOINTS } from "./endpoints";
import { memorySessionStore } from "./tokens";
import type { Checkout, CheckoutResponse, Order, OrderLine, Page, PaymentInfo, ShippingAddress, StatusChange, User } from "./types";

type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const openapiPath = resolve(__dirname, "../../../../openapi.json");
const spec: Schema | null = existsSync(openapiPath) ? JSON.parse(readFileSync(openapiPath, "utf8")) : null;

const user: User = { id: "u1", email: "a@b.test", full_name: "A", role: "seller", is_active: true, created_at: "2025-01-01T00:00:00Z" };
const address = { full_name: "Ann", line1: "1 Main St", line2: "Flat 2", city: "Springfield", postal_code: "12345", country: "US", phone: "+1 555 0100" };

/** One call per endpoint, with every optional field and filter the UI can send. */
const SAMPLES: Record<keyof typeof ENDPOINTS, (client: ApiClient) => Promise<unknown>> = {
  signup: (c) => c.signup({ email: "a@b.test", password: "12345678", full_name: "Ann", phone: "+1 555 0100", is_seller: true }),
  login: (c) => c.login({ email: "a@b.test", password: "secret" }),
  me: (c) => c.me(),
  refresh: (c) => c.request(ENDPOINTS.refresh, { body: { refresh_token: "r".repeat(20) }, auth: false }),
  logout: (c) => c.logout("r".repeat(20)),
  listProducts: (c) =>
    c.listProducts({ q: "apple", category: "bakery", min_price: "1.00", max_price: "9.99", seller_id: "s1", sort: "-price", limit: 24, cursor: "abc" }),
  getProduct: (c) => c.getProduct("p1"),
  createProduct: (c) => c.createProduct({ name: "Milk", description: "Fresh", price: "1.15", category: "dairy-eggs", stock: 3, unit: "2 l", images: [] }),
  updateProduct: (c) =>
    c.updateProduct("p1", { name: "Milk", description: "Fresh", price: "1.20", category: "dairy-eggs", stock: 4, unit: "2 l", images: ["https://img/x.png"] }, '"r3.s4"'),
  deleteProduct: (c) => c.deleteProduct("p1"),
  requestImageUpload: (c) => c.requestImageUpload("p1", { content_type: "image/webp", size: 1234 }),
  listCategories: (c) => c.listCategories(),
  checkout: (c) => c.checkout({ items: [{ product_id: "p1", quantity: 2 }], shipping_address: address }, "key"),
  myOrders: (c) => c.myOrders({ limit: 20, cursor: "abc" }),
  getOrder: (c) => c.getOrder("o1"),
  getCheckout: (c) => c.getCheckout("c1"),
  updateOrderStatus: (c) => c.updateOrderStatus("o1", "out_for_delivery"),
  sellerOrders: (c) => c.sellerOrders({ status: "paid", limit: 20, cursor: "abc" }),
  sellerAnalytics: (c) => c.sellerAnalytics(),
  sellerProduct: (c) => c.sellerProduct("p1"),
  adminUsers: (c) => c.adminUsers({ q: "ann", limit: 25, cursor: "abc" }),
  adminUpdateUser: (c) => c.adminUpdateUser("u1", { is_active: false }),
  confirmLocalPayment: (c) => c.confirmLocalPayment({ client_secret: "cs", card_number: "4242424242424242" }),
};

interface Recorded {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

/** Headers every call may carry; any other one must be a header parameter of the operation. */
const GENERIC_HEADERS = new Set(["accept", "content-type", "authorization"]);

async function record(name: keyof typeof ENDPOINTS): Promise<Recorded> {
  let captured: Recorded | null = null;
  const client = new ApiClient({
    session: memorySessionStore({ accessToken: "a", refreshToken: "r", user }),
    fetch: async (input, init) => {
      captured = {
        method: init?.method ?? "GET",
        url: new URL(String(input), "http://x"),
        headers: new Headers(init?.headers),
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      };
      return new Response("{}", { status: 200 });
    },
  });
  await SAMPLES[name](client);
  return captured!;
}

function deref(schema: Schema): Schema {
  let current = schema;
  while (current?.$ref) current = current.$ref.split("/").slice(1).reduce((node: Schema, key: string) => node[key], spec!);
  return current;
}

/**
 * Problems with `value` against `schema` (a small JSON-schema subset: what Pydantic emits).
 * `strict` also reports properties the schema declares but the value lacks (for response samples
 * that fill every field of the SPA's type, so a field added on either side shows up here).
 */
function check(value: unknown, rawSchema: Schema, path: string, strict = false): string[] {
  const schema = deref(rawSchema);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const results = alternatives.map((option: Schema) => check(value, option, path, strict));
    return results.some((problems: string[]) => problems.length === 0) ? [] : results.flat();
  }
  if (schema.enum && !schema.enum.includes(value)) return [`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`];
  switch (schema.type) {
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: expected an object`];
      const properties: Schema = schema.properties ?? {};
      const problems: string[] = [];
      for (const [key, child] of Object.entries(value)) {
        if (!(key in properties)) problems.push(`${path}.${key}: not a field of ${schema.title ?? "the schema"}`);
        else problems.push(...check(child, properties[key], `${path}.${key}`, strict));
      }
      const expected = strict ? Object.keys(properties) : (schema.required ?? []);
      for (const field of expected) if (!(field in (value as object))) problems.push(`${path}.${field}: ${strict ? "missing from the SPA's type" : "required"}`);
      return problems;
    }
    case "array":
      return Array.isArray(value) ? value.flatMap((item, index) => check(item, schema.items ?? {}, `${path}[${index}]`, strict)) : [`${path}: expected an array`];
    case "string":
      return typeof value === "string" ? [] : [`${path}: expected a string`];
    case "integer":
      return Number.isInteger(value) ? [] : [`${path}: expected an integer`];
    case "number":
      return typeof value === "number" ? [] : [`${path}: expected a number`];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${path}: expected a boolean`];
    case "null":
      return value === null ? [] : [`${path}: expected null`];
    default:
      return [];
  }
}

/** Query strings carry text; check the value against the parameter's schema as the server would coerce it. */
function coerceQuery(value: string, schema: Schema): unknown {
  const resolved = deref(schema);
  const types = (resolved.anyOf ?? [resolved]).map((option: Schema) => deref(option).type);
  if (types.includes("integer") && /^\d+$/.test(value)) return Number(value);
  return value;
}

function operationFor(method: string, pathname: string): Schema | undefined {
  for (const [template, item] of Object.entries(spec!.paths as Record<string, Schema>)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    if (pattern.test(pathname) && item[method.toLowerCase()]) return item[method.toLowerCase()];
  }
  return undefined;
}

describe.runIf(spec)("client requests match openapi.json", () => {
  const apiNames = (Object.keys(ENDPOINTS) as (keyof typeof ENDPOINTS)[]).filter((name) => !("localOnly" in ENDPOINTS[name]));

  it.each(apiNames)("%s", async (name) => {
    const request = await record(name);
    const operation = operationFor(request.method, request.url.pathname);
    expect(operation, `${request.method} ${request.url.pathname} is not in openapi.json`).toBeDefined();

    const declared = new Map<string, Schema>(
      (operation!.parameters ?? []).filter((p: Schema) => p.in === "query").map((p: Schema) => [p.name, p.schema]),
    );
    const problems: string[] = [];
    for (const [key, value] of request.url.searchParams) {
      if (!declared.has(key)) problems.push(`query ${key}: not a declared parameter`);
      else problems.push(...check(coerceQuery(value, declared.get(key)!), declared.get(key)!, `query ${key}`));
    }
    const headerParameters = new Set<string>(
      (operation!.parameters ?? []).filter((p: Schema) => p.in === "header").map((p: Schema) => String(p.name).toLowerCase()),
    );
    for (const [key] of request.headers) {
      if (!GENERIC_HEADERS.has(key) && !headerParameters.has(key)) problems.push(`header ${key}: not a declared parameter`);
    }
    const bodySchema = operation!.requestBody?.content?.["application/json"]?.schema;
    if (request.body !== undefined) {
      if (!bodySchema) problems.push("sends a body but the operation takes none");
      else problems.push(...check(request.body, bodySchema, "body"));
    } else if (operation!.requestBody?.required) {
      problems.push("the operation requires a body the client does not send");
    }
    expect(problems).toEqual([]);
  });
});

// Responses: one sample per type the SPA reads, with every field its TypeScript type declares
// (`Required<>` makes the compiler insist on optional ones too). Checked strictly against the
// operation's response schema: a field the API adds, renames or drops fails here.
const line: Required<OrderLine> = { product_id: "p1", name: "Milk", unit: "2 l", unit_price: "1.15", quantity: 2, line_total: "2.30" };
const shipping: Required<ShippingAddress> = address;
const change: Required<StatusChange> = { status: "pending_payment", at: "2025-01-01T00:00:00Z", by: "u1" };
const order: Required<Order> = {
  id: "o1",
  checkout_id: "c1",
  user_id: "u1",
  seller_id: "s1",
  seller_name: "Farm",
  items: [line],
  total: "2.30",
  currency: "usd",
  status: "pending_payment",
  payment_status: "unpaid",
  shipping_address: shipping,
  status_history: [change],
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
  expires_at: "2025-01-01T00:30:00Z",
  payment_error: "Your card was declined.",
  allowed_transitions: ["cancelled"],
};
const payment: Required<PaymentInfo> = { provider: "local", client_secret: "cs", amount: "2.30", currency: "usd", publishable_key: null };
const checkoutView: Required<Checkout> = {
  checkout_id: "c1",
  status: "pending_payment",
  amount: "2.30",
  currency: "usd",
  expires_at: "2025-01-01T00:30:00Z",
  payment_error: "Your card was declined.",
  orders: [order],
  payment,
};
const placed: Required<CheckoutResponse> = { checkout_id: "c1", orders: [order], payment };
const ordersPage: Required<Page<Order>> = { items: [order], next_cursor: null };

const RESPONSES: [keyof typeof ENDPOINTS, string, unknown][] = [
  ["getOrder", "200", order],
  ["updateOrderStatus", "200", order],
  ["myOrders", "200", ordersPage],
  ["sellerOrders", "200", ordersPage],
  ["checkout", "201", placed],
  ["getCheckout", "200", checkoutView],
];

describe.runIf(spec)("the SPA's response types match openapi.json", () => {
  it.each(RESPONSES)("%s answers %s", async (name, status, sample) => {
    const request = await record(name);
    const operation = operationFor(request.method, request.url.pathname);
    const schema = operation?.responses?.[status]?.content?.["application/json"]?.schema;
    expect(schema, `${name} has no ${status} JSON response in openapi.json`).toBeDefined();
    expect(check(sample, schema, "response", true)).toEqual([]);
  });
});
