// Accessibility: axe-core on every page of the SPA, as the shopper, a seller and the admin see it.
// Fails on any serious or critical violation, and on headings out of order (h1 -> h3). The page list is
// checked against the router's paths, so a new page without a check fails the journey.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { apiCall, assert, confirmedOrders, DEMO, login, newContext, newPage, screenshot, windowChoices } from "./lib.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const APP_SOURCE = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "App.tsx");
const FAILING_IMPACTS = new Set(["serious", "critical"]);
const ALWAYS_FAILING_RULES = new Set(["heading-order", "page-has-heading-one"]);

/** The router's paths, as written in App.tsx (`{ path: "seller/orders/:id/pack", ... }`). */
function routerPaths() {
  return [...readFileSync(APP_SOURCE, "utf8").matchAll(/\bpath:\s*"([^"]+)"/g)].map(([, path]) => (path === "*" || path.startsWith("/") ? path : `/${path}`));
}

/** Waits for the page to settle (its h1 rendered, nothing busy), then runs axe; returns the failures. */
async function check(page, url, checked, pattern) {
  await page.goto(url);
  checked.add(pattern);
  const settled = await page
    .waitForFunction(() => document.querySelector("main h1") && !document.querySelector('[aria-busy="true"]'))
    .then(() => true, () => false);
  if (!settled) return [`${url}: no h1 in <main> (or still busy) after 15 s`];
  await page.evaluate(AXE_SOURCE); // evaluated through the devtools protocol: the site's CSP stays as it is
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
  );
  return result.violations
    .filter((violation) => FAILING_IMPACTS.has(violation.impact) || ALWAYS_FAILING_RULES.has(violation.id))
    .map((violation) => `${url}: ${violation.id} (${violation.impact}) ${violation.help}: ${violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join(", ")}`);
}

async function sellerOf(baseURL, orderSellerName) {
  for (const key of ["greenfields", "bakehouse", "dairybarn"]) {
    const { access_token: token, user } = await apiCall(baseURL, "POST", "/api/auth/login", { body: DEMO[key] });
    if (user.full_name === orderSellerName || orderSellerName.toLowerCase().includes(key.slice(0, 5))) return { key, token };
  }
  throw new Error(`no demo seller named ${orderSellerName}`);
}

export const accessibilityJourneys = [
  {
    name: "accessibility: every page passes axe-core (no serious violations, headings in order)",
    async run({ browser, baseURL }) {
      // Data for the pages that show one thing: an order, its seller's product and window, an unpaid checkout.
      const [order] = await confirmedOrders(baseURL, [{ name: "Carrots", quantity: 1 }]);
      const { access_token: shopperToken } = await apiCall(baseURL, "POST", "/api/auth/login", { body: DEMO.shopper });
      const detail = await apiCall(baseURL, "GET", `/api/orders/${order.id}`, { token: shopperToken });
      const seller = await sellerOf(baseURL, order.seller_name);
      const own = await apiCall(baseURL, "GET", "/api/seller/products", { token: seller.token });
      const productId = own.items[0].id;
      const unpaid = await apiCall(baseURL, "POST", "/api/orders", {
        token: shopperToken,
        body: {
          items: [{ product_id: detail.items[0].product_id, quantity: 1, substitution: "none" }],
          shipping_address: { full_name: "Sam Shopper", line1: "12 Orchard Lane", city: "Springfield", postal_code: "12345", country: "US" },
          fulfilment: await windowChoices(baseURL, [detail.seller_id]),
        },
      });

      const checked = new Set();
      const failures = [];
      const visit = async (page, pattern, url = pattern) => failures.push(...(await check(page, url, checked, pattern)));

      const guest = await newContext(browser, baseURL);
      const guestPage = await newPage(guest);
      await visit(guestPage, "/");
      await visit(guestPage, "/products", "/products?q=bread");
      await visit(guestPage, "/products/:id", `/products/${productId}`);
      await visit(guestPage, "/login");
      await visit(guestPage, "/signup");
      await visit(guestPage, "*", "/no-such-page");
      await guest.close();

      const shopper = await newContext(browser, baseURL);
      const shopperPage = await newPage(shopper);
      await login(shopperPage, DEMO.shopper);
      await shopperPage.goto(`/products/${productId}`);
      await shopperPage.getByTestId("add-to-basket").first().click();
      await visit(shopperPage, "/basket");
      await visit(shopperPage, "/checkout");
      await visit(shopperPage, "/checkout/pay/:checkoutId", `/checkout/pay/${unpaid.checkout_id}`);
      await visit(shopperPage, "/checkout/complete", `/checkout/complete?checkout=${detail.checkout_id}&orders=${order.id}`);
      await visit(shopperPage, "/orders");
      await visit(shopperPage, "/orders/:id", `/orders/${order.id}`);
      // The phone-sized screen of the busiest pages.
      await shopperPage.setViewportSize({ width: 390, height: 844 });
      await visit(shopperPage, "/", "/?mobile");
      await visit(shopperPage, "/checkout", "/checkout?mobile");
      await shopper.close();

      const sellerContext = await newContext(browser, baseURL);
      const sellerPage = await newPage(sellerContext);
      await login(sellerPage, DEMO[seller.key]);
      await visit(sellerPage, "/seller");
      await visit(sellerPage, "/seller/products");
      await visit(sellerPage, "/seller/products/new");
      await visit(sellerPage, "/seller/products/:id", `/seller/products/${productId}`);
      await visit(sellerPage, "/seller/orders");
      await visit(sellerPage, "/seller/payouts");
      await visit(sellerPage, "/seller/fulfilment");
      await visit(sellerPage, "/seller/orders/:id/pack", `/seller/orders/${order.id}/pack`);
      const slotId = detail.fulfilment?.slot_id;
      if (slotId) await visit(sellerPage, "/seller/packing-list/:slotId", `/seller/packing-list/${encodeURIComponent(slotId)}`);
      await screenshot(sellerPage, "accessibility-seller-pack");
      await sellerContext.close();

      const admin = await newContext(browser, baseURL);
      const adminPage = await newPage(admin);
      await login(adminPage, DEMO.admin);
      await visit(adminPage, "/admin");
      await visit(adminPage, "/admin/orders");
      await visit(adminPage, "/admin/finance");
      await admin.close();

      const unchecked = routerPaths().filter((path) => !checked.has(path));
      assert(unchecked.length === 0, `pages without an accessibility check: ${unchecked.join(", ")}`);
      assert(failures.length === 0, `accessibility violations:\n${failures.join("\n")}`);
      return [...guest.problems, ...shopper.problems, ...sellerContext.problems, ...admin.problems];
    },
  },
];
