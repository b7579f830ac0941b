// Small helpers for the browser journeys: launching Debian's Chromium, logging in, screenshots.
import { mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { chromium } from "playwright-core";

export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "artifacts");

export const DEMO = {
  shopper: { email: "shopper@demo.smartgrocer.test", password: "shopper-demo-1" },
  greenfields: { email: "greenfields@demo.smartgrocer.test", password: "seller-demo-1" },
  bakehouse: { email: "bakehouse@demo.smartgrocer.test", password: "seller-demo-1" },
  dairybarn: { email: "dairybarn@demo.smartgrocer.test", password: "seller-demo-1" },
  admin: { email: "admin@demo.smartgrocer.test", password: "admin-demo-1" },
};

/** Debian's Chromium (browser downloads are not possible here); a fresh temporary profile per launch. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A context whose pages fail the journey on uncaught errors and on any JS dialog (alert, confirm):
 * the app uses none, so a dialog can only mean injected script ran.
 */
export async function newContext(browser, baseURL, options = {}) {
  // Reduced motion: charts draw at once, so a screenshot never catches them half-way.
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 }, reducedMotion: "reduce", ...options });
  context.problems = [];
  context.on("page", (page) => watch(page, context.problems));
  return context;
}

function watch(page, problems) {
  page.on("pageerror", (error) => problems.push(`uncaught error: ${error.message}`));
  page.on("dialog", async (dialog) => {
    problems.push(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
}

export async function newPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

export async function login(page, { email, password }) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
  await page.getByTestId("account-menu").waitFor();
}

/** The refresh-token cookie as the browser holds it (HttpOnly: only the browser itself can see it). */
export const SESSION_COOKIE = "__Secure-sg_refresh";
export async function sessionCookie(context) {
  return (await context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE && cookie.value);
}

/** What a script in the page can reach (document.cookie, localStorage, sessionStorage) holds no refresh token. */
export async function assertNoTokenInScriptReach(page, refreshToken) {
  const reach = await page.evaluate(() => ({
    cookie: document.cookie,
    stored: [localStorage, sessionStorage].flatMap((storage) => Object.keys(storage).map((key) => `${key}=${storage.getItem(key)}`)),
  }));
  assert(!reach.cookie.includes(refreshToken) && !reach.cookie.includes("sg_refresh"), `document.cookie shows the refresh token: ${reach.cookie}`);
  for (const entry of reach.stored) {
    assert(!entry.includes(refreshToken) && !/token/i.test(entry), `web storage holds a token: ${entry.slice(0, 80)}`);
  }
}

export async function screenshot(page, name, options = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, ...options });
  return path;
}

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/**
 * Types an address into the address fields inside `scope` (the page, or a form's locator): the country
 * first, since it decides which fields there are and what they are called (State, Postcode...).
 */
export async function fillAddress(scope, { full_name, label, country = "US", line1 = "3 Mill Road", city = "Riverton", region = country === "US" ? "IL" : "", postal_code = "54321" } = {}) {
  const field = (name) => scope.locator(`[name="${name}"]`);
  await field("country").selectOption(country);
  if (label !== undefined) await field("label").fill(label);
  if (full_name !== undefined) await field("full_name").fill(full_name);
  await field("line1").fill(line1);
  await field("city").fill(city);
  if (region && (await field("region").count())) await field("region").fill(region);
  await field("postal_code").fill(postal_code);
}

/** API call from Node (setup only, e.g. seeding a hostile product); the journeys use the UI. */
export async function apiCall(baseURL, method, path, { token, body } = {}) {
  const response = await fetch(new URL(path, baseURL), {
    method,
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${text}`);
  return data;
}

/** A small valid PNG (solid colour with a stripe), so the upload test needs no fixture file. */
export function makePng(width = 96, height = 96, [r, g, b] = [22, 101, 52]) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const stripe = Math.abs(x - y) < 8;
      raw[row + 1 + x * 3] = stripe ? 250 : r;
      raw[row + 2 + x * 3] = stripe ? 204 : g;
      raw[row + 3 + x * 3] = stripe ? 21 : b;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(buffer) {
  let crc = ~0;
  for (const byte of buffer) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/**
 * Makes a demo seller's pickup open every day (API set-up), keeping their other settings: the journeys
 * buy small Greenfields baskets, below its 15.00 delivery minimum, and its seeded pickup is on Saturdays
 * only, so from Saturday's cut-off until the next one falls within the 6 days offered, no window would
 * take them. Idempotent.
 */
export async function everydayPickup(baseURL, credentials) {
  const { access_token: token } = await apiCall(baseURL, "POST", "/api/auth/login", { body: credentials });
  const settings = await apiCall(baseURL, "GET", "/api/seller/fulfilment", { token });
  if (!settings.configured || !settings.pickup.enabled) return;
  const days = new Set(settings.pickup.slots.map((slot) => slot.weekday));
  if (days.size === 7) return;
  const first = settings.pickup.slots[0] ?? { start: "09:00", end: "13:00", capacity: 30 };
  const slots = [...settings.pickup.slots];
  for (let weekday = 0; weekday < 7; weekday++) {
    if (!days.has(weekday)) slots.push({ weekday, start: first.start, end: first.end, capacity: first.capacity });
  }
  const body = { timezone: settings.timezone, delivery: settings.delivery, pickup: { ...settings.pickup, slots } };
  await apiCall(baseURL, "PUT", "/api/seller/fulfilment", { token, body });
}

/**
 * The checkout's `fulfilment` for these sellers (API set-up): for each seller with windows, an open
 * window, pickup first (free, no minimum), else delivery. Sellers without windows need no entry.
 */
export async function windowChoices(baseURL, sellerIds) {
  const fulfilment = {};
  for (const sellerId of new Set(sellerIds)) {
    const response = await fetch(new URL(`/api/sellers/${encodeURIComponent(sellerId)}/slots`, baseURL));
    if (response.status === 404) continue; // arranges delivery themselves
    assert(response.ok, `the windows of seller ${sellerId} load (got ${response.status})`);
    const { items } = await response.json();
    const open = items.filter((window) => window.remaining > 0);
    const chosen = open.find((window) => window.method === "pickup") ?? open[0];
    assert(chosen, `seller ${sellerId} has an open window`);
    fulfilment[sellerId] = { method: chosen.method, slot_id: chosen.slot_id };
  }
  return fulfilment;
}

/**
 * Set-up through the API, so a journey can run alone (`E2E_ONLY=...`): the demo shopper buys `lines`
 * (`[{ name, quantity }]`, demo products by exact name), in a window of each seller (`windowChoices`),
 * and authorises the test card. Returns the
 * orders, each `{ id, seller_name }`, confirmed once the call returns (the card form delivers its webhook
 * before answering).
 */
export async function confirmedOrders(baseURL, lines) {
  const { access_token: token } = await apiCall(baseURL, "POST", "/api/auth/login", { body: DEMO.shopper });
  const items = [];
  const sellers = [];
  for (const { name, quantity } of lines) {
    const found = await apiCall(baseURL, "GET", `/api/products?q=${encodeURIComponent(name)}&limit=50`);
    const product = found.items.find((item) => item.name === name);
    assert(product, `the demo catalog sells ${name}`);
    items.push({ product_id: product.id, quantity, substitution: "none" });
    sellers.push(product.seller_id);
  }
  const shipping_address = { full_name: "Sam Shopper", line1: "12 Orchard Lane", city: "Springfield", region: "IL", postal_code: "12345", country: "US" };
  const fulfilment = await windowChoices(baseURL, sellers);
  const placed = await apiCall(baseURL, "POST", "/api/orders", { token, body: { items, shipping_address, fulfilment } });
  const paid = await apiCall(baseURL, "POST", "/local/payments/confirm", {
    body: { client_secret: placed.payment.client_secret, card_number: "4242424242424242" },
  });
  assert(paid.status === "authorized", `the test card is authorised (got ${paid.status})`);
  return placed.orders.map(({ id, number, seller_name }) => ({ id, number, seller_name }));
}

/**
 * The mail sent so far to `to` (with `subject`), read from the local runner's mail endpoint after
 * draining its events: the drain returns once every pending event, and so every mail, is handled.
 */
export async function mailTo(baseURL, to, subject) {
  await apiCall(baseURL, "POST", "/local/events/drain");
  const { messages } = await apiCall(baseURL, "GET", "/local/mail");
  return messages.filter((message) => message.to.includes(to) && (!subject || message.subject === subject));
}

/** A seller's order counts per status, `{confirmed, packed, ...}`, as their listing's first page answers them (API). */
export async function sellerOrderCounts(baseURL, credentials) {
  const { access_token: token } = await apiCall(baseURL, "POST", "/api/auth/login", { body: credentials });
  const { counts } = await apiCall(baseURL, "GET", "/api/seller/orders?limit=1", { token });
  return Object.fromEntries(counts.by_status.map(({ status, count }) => [status, count]));
}
