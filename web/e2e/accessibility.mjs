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

/**
 * On a phone-sized screen: every control at least 44 x 44 px (links inside a sentence excepted; a
 * stretched link counts as the card it covers), and the step's primary action on screen without scrolling.
 */
async function touchProblems(page, url, primary) {
  const small = await page.evaluate(() => {
    const selector = 'button, a[href], input:not([type=hidden]), select, textarea, [role=button], [role=tab]';
    const found = [];
    for (const element of document.querySelectorAll(selector)) {
      let box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      const clipped = style.clip !== "auto" || style.clipPath !== "none"; // visually hidden (sr-only)
      if (box.width < 2 || box.height < 2 || style.visibility === "hidden" || clipped) continue;
      if (element.matches("input[type=radio], input[type=checkbox]") && element.closest("label")) continue; // the label is the target
      if (element.tagName === "A" && element.closest("p")) continue; // a link inside a sentence
      if (getComputedStyle(element, "::after").position === "absolute" && element.offsetParent) box = element.offsetParent.getBoundingClientRect();
      if (box.width < 44 || box.height < 44) {
        const name = (element.getAttribute("aria-label") || element.textContent || element.getAttribute("name") || "").trim().slice(0, 40);
        found.push(`${element.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}x${Math.round(box.height)}`);
      }
    }
    return found;
  });
  const problems = small.map((target) => `${url} (390 px): target under 44 x 44 px: ${target}`);
  if (primary) {
    const box = await page.getByTestId(primary).boundingBox();
    const height = page.viewportSize().height;
    if (!box || box.y < 0 || box.y + box.height > height) problems.push(`${url} (390 px): the primary action ${primary} is not on screen without scrolling`);
  }
  return problems;
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
      await visit(guestPage, "/forgot-password");
      await visit(guestPage, "/reset-password", "/reset-password?token=not-a-real-token-0123456789");
      await visit(guestPage, "/sellers/:id", `/sellers/${detail.seller_id}`);
      await visit(guestPage, "*", "/no-such-page");
      await guest.close();

      // A new shopper for the basket and checkout steps: nothing left open by other journeys.
      const newcomer = { email: `a11y-${Date.now().toString(36)}@example.com`, password: "a11y-shopper-1" };
      await apiCall(baseURL, "POST", "/api/auth/signup", { body: { ...newcomer, full_name: "Alex Access" } });
      const { access_token: newcomerToken } = await apiCall(baseURL, "POST", "/api/auth/login", { body: newcomer });
      const shopper = await newContext(browser, baseURL);
      const shopperPage = await newPage(shopper);
      await login(shopperPage, newcomer);
      await shopperPage.goto(`/products/${productId}`);
      await shopperPage.getByTestId("add-to-basket").first().click();
      await visit(shopperPage, "/account");
      await visit(shopperPage, "/account/password");
      await visit(shopperPage, "/basket");
      await visit(shopperPage, "/checkout");
      // The phone-sized screen: axe again, and fingers rather than pointers.
      const onPhone = async (page, url, primary) => {
        await page.setViewportSize({ width: 390, height: 844 });
        await visit(page, url.split("?")[0], url);
        failures.push(...(await touchProblems(page, url, primary)));
        await page.setViewportSize({ width: 1280, height: 900 });
      };
      await onPhone(shopperPage, "/");
      await onPhone(shopperPage, "/products?q=bread");
      await onPhone(shopperPage, `/products/${productId}`);
      await onPhone(shopperPage, "/account");
      await onPhone(shopperPage, "/basket");
      await onPhone(shopperPage, "/checkout", "place-order");
      const unpaid = await apiCall(baseURL, "POST", "/api/orders", {
        token: newcomerToken,
        body: {
          items: [{ product_id: detail.items[0].product_id, quantity: 1, substitution: "none" }],
          shipping_address: { full_name: "Alex Access", line1: "12 Orchard Lane", city: "Springfield", region: "IL", postal_code: "12345", country: "US" },
          fulfilment: await windowChoices(baseURL, [detail.seller_id]),
        },
      });
      await visit(shopperPage, "/checkout/pay/:checkoutId", `/checkout/pay/${unpaid.checkout_id}`);
      await onPhone(shopperPage, `/checkout/pay/${unpaid.checkout_id}`, "pay-button");
      await shopper.close();

      // The demo shopper's confirmed order.
      const buyer = await newContext(browser, baseURL);
      const buyerPage = await newPage(buyer);
      await login(buyerPage, DEMO.shopper);
      await visit(buyerPage, "/checkout/complete", `/checkout/complete?checkout=${detail.checkout_id}&orders=${order.id}`);
      await visit(buyerPage, "/orders");
      await visit(buyerPage, "/orders/:id", `/orders/${order.id}`);
      await onPhone(buyerPage, `/orders/${order.id}`);
      await buyer.close();

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
      return [...guest.problems, ...shopper.problems, ...buyer.problems, ...sellerContext.problems, ...admin.problems];
    },
  },
];
