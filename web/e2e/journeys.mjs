// The browser journeys, run in order by run.mjs. Each sets up its own data (through the UI, or through
// the API with `confirmedOrders`), so any one of them runs alone: E2E_ONLY=<part of its name>.
import { accessibilityJourneys } from "./accessibility.mjs";
import {
  apiCall,
  assert,
  assertNoTokenInScriptReach,
  confirmedOrders,
  DEMO,
  everydayPickup,
  fillAddress,
  login,
  mailTo,
  makePng,
  newContext,
  newPage,
  screenshot,
  sellerOrderCounts,
  sessionCookie,
  windowChoices,
} from "./lib.mjs";

const RUN = Date.now().toString(36);

async function addFromSearch(page, query, productName) {
  await page.getByTestId("catalog-search").fill(query);
  // Enter, as a shopper does: it closes the suggestions (which would cover the first cards), nothing else.
  await page.getByTestId("catalog-search").press("Enter");
  await page.waitForURL((url) => url.searchParams.get("q") === query);
  // Search-as-you-type: wait until the grid shows this search's results, not the previous ones.
  await page.waitForFunction((term) => {
    const grid = document.querySelector('[data-testid="product-grid"]');
    const names = [...document.querySelectorAll('[data-testid="product-link"]')].map((link) => link.textContent.toLowerCase());
    return grid?.getAttribute("aria-busy") === "false" && names.length > 0 && names.every((name) => name.includes(term));
  }, query.toLowerCase().slice(0, 5));
  const card = page.getByTestId("product-card").filter({ has: page.getByRole("link", { name: productName, exact: true }) });
  await card.waitFor();
  await card.getByTestId("add-to-basket").click();
  return card;
}

/**
 * At checkout, a window for every seller that asks for one: `prefer` when the seller offers it
 * (pickup by default: free, no minimum), then the first window with places left.
 */
async function chooseWindows(page, prefer = "pickup") {
  await page.getByTestId("place-order").waitFor();
  await page.waitForFunction(() => ![...document.querySelectorAll("p")].some((p) => /delivery windows…$/.test(p.textContent)));
  const pickers = page.getByTestId("window-picker");
  const chosen = {};
  for (let index = 0; index < (await pickers.count()); index++) {
    const picker = pickers.nth(index);
    const open = picker.locator('input[type="radio"][name^="window-"]:not([disabled])');
    const method = picker.getByTestId(`method-${prefer}`);
    if (await method.count()) {
      await method.check();
      // None open that way: the other method.
      if ((await open.count()) === 0) await picker.locator('[data-testid^="method-"]:not(:checked)').first().check();
    }
    const window = open.first();
    await window.check();
    chosen[await picker.getAttribute("data-seller-id")] = await window.getAttribute("value");
  }
  return chosen;
}

/** Run once before the journeys (whichever are selected): Greenfields collects every day, so its small baskets always have a window. */
export async function prepare({ baseURL }) {
  await everydayPickup(baseURL, DEMO.greenfields);
}

export const journeys = [
  {
    name: "home and catalog render at 375px and desktop",
    async run({ browser, baseURL }) {
      const desktop = await newContext(browser, baseURL);
      const page = await newPage(desktop);
      await page.goto("/");
      await page.getByTestId("category-list").waitFor();
      await page.getByTestId("product-card").first().waitFor();
      await page.waitForLoadState("networkidle");
      await screenshot(page, "home-desktop", { fullPage: true });
      await desktop.close();

      const mobile = await newContext(browser, baseURL, { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
      const phone = await newPage(mobile);
      await phone.goto("/products?category=bakery");
      await phone.getByTestId("product-card").first().waitFor();
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 0, `no horizontal scrolling at 375px (overflow ${overflow}px)`);
      await phone.waitForLoadState("networkidle");
      await screenshot(phone, "catalog-mobile");
      await phone.getByTestId("product-link").first().click();
      await phone.getByRole("heading", { level: 1 }).waitFor();
      await screenshot(phone, "product-mobile", { fullPage: true });
      await mobile.close();
      return [...desktop.problems, ...mobile.problems];
    },
  },

  {
    name: "shopper searches, buys from two sellers, authorises the test card and sees the orders confirmed",
    async run({ browser, baseURL }) {
      const context = await newContext(browser, baseURL);
      const page = await newPage(context);
      await login(page, DEMO.shopper);

      await page.goto("/products");
      await addFromSearch(page, "apples", "Gala Apples");
      await addFromSearch(page, "sourdough", "Sourdough Loaf");
      await screenshot(page, "catalog-search");
      const count = await page.getByTestId("basket-count").textContent();
      assert(count === "2", `basket shows 2 items (got ${count})`);

      // The basket survives a reload (localStorage).
      await page.goto("/basket");
      await page.reload();
      await page.getByTestId("basket-seller-group").nth(1).waitFor();
      assert((await page.getByTestId("basket-seller-group").count()) === 2, "one basket group per seller");
      await screenshot(page, "basket");

      await page.getByTestId("go-to-checkout").click();
      await page.waitForURL("**/checkout");
      await fillAddress(page, { full_name: "Sam Shopper", line1: "12 Orchard Lane", city: "Springfield", region: "IL", postal_code: "12345" });
      await chooseWindows(page);
      await screenshot(page, "checkout-address");
      await page.getByTestId("place-order").click();

      await page.getByTestId("local-card-form").waitFor();
      await screenshot(page, "checkout-payment");
      assert((await page.getByTestId("card-number").inputValue()).replace(/\s/g, "") === "4242424242424242", "test card prefilled");
      await page.getByTestId("pay-button").click();

      await page.waitForURL("**/checkout/complete?orders=*");
      await page.getByTestId("order-confirmed").waitFor({ timeout: 30_000 });
      const ids = new URL(page.url()).searchParams.get("orders").split(",");
      assert(ids.length === 2, `two orders, one per seller (got ${ids.length})`);
      await screenshot(page, "order-confirmed");

      await page.goto("/orders");
      for (const id of ids) {
        const card = page.locator(`[data-testid="order-card"][data-order-id="${id}"]`);
        await card.waitFor();
        assert((await card.getByTestId("order-status").getAttribute("data-status")) === "confirmed", `order ${id} is confirmed`);
      }
      await screenshot(page, "my-orders");

      // Remember which order belongs to Greenfields for the seller's journey.
      const { access_token: shopperToken } = await apiCall(baseURL, "POST", "/api/auth/login", { body: DEMO.shopper });
      const orders = await Promise.all(ids.map((id) => apiCall(baseURL, "GET", `/api/orders/${id}`, { token: shopperToken })));
      assert(orders.some((order) => order.seller_name === "Greenfields Farm"), "one order is from Greenfields Farm");

      // The next checkout starts from the address given this time.
      await page.goto("/products");
      await addFromSearch(page, "carrots", "Carrots");
      await page.goto("/checkout");
      assert((await page.getByLabel("Town or city").inputValue()) === "Springfield", "address remembered");
      await context.close();
      return context.problems;
    },
  },

  {
    name: "the seller packs, dispatches and delivers; the shopper sees it delivered",
    async run({ browser, baseURL }) {
      const orders = await confirmedOrders(baseURL, [
        { name: "Gala Apples", quantity: 1 },
        { name: "Sourdough Loaf", quantity: 1 },
      ]);
      const orderId = orders.find((order) => order.seller_name === "Greenfields Farm").id;
      const bakehouseOrderId = orders.find((order) => order.seller_name === "The Bakehouse").id;
      const context = await newContext(browser, baseURL);
      const page = await newPage(context);
      await login(page, DEMO.greenfields);
      assert(new URL(page.url()).pathname === "/seller", "sellers land on their dashboard");

      await page.goto("/seller/orders?status=confirmed");
      const order = page.locator(`[data-testid="seller-order"][data-order-id="${orderId}"]`);
      await order.waitFor();
      await screenshot(page, "seller-orders");
      await page.goto("/seller/orders");
      for (const [action, status] of [
        ["action-packed", "packed"],
        ["action-out_for_delivery", "out_for_delivery"],
        ["action-delivered", "delivered"],
      ]) {
        await order.getByTestId(action).click();
        // Marking delivered asks first: the shopper is told and it cannot be undone.
        if (status === "delivered") await page.getByRole("alertdialog").getByTestId("confirm-delivered").click();
        await order.locator(`[data-testid="order-status"][data-status="${status}"]`).waitFor();
      }

      // The card is charged once every order of the checkout is packed: the Bakehouse packs its part
      // (API, setup only), then the sale counts in the Greenfields dashboard, at what was charged.
      const { access_token } = await apiCall(baseURL, "POST", "/api/auth/login", { body: DEMO.bakehouse });
      await apiCall(baseURL, "PATCH", `/api/orders/${bakehouseOrderId}/status`, { token: access_token, body: { status: "packed" } });
      for (let attempt = 0; attempt < 20; attempt++) {
        await page.goto("/seller");
        const shown = await page.getByTestId("revenue-chart").waitFor({ timeout: 3_000 }).then(() => true, () => false);
        if (shown) break;
      }
      await page.locator('[data-testid="revenue-chart"] .recharts-bar-rectangle').first().waitFor(); // bars drawn
      await screenshot(page, "seller-dashboard", { fullPage: true });

      const shopper = await newContext(browser, baseURL);
      const shopperPage = await newPage(shopper);
      await login(shopperPage, DEMO.shopper);
      await shopperPage.goto(`/orders/${orderId}`);
      await shopperPage.locator('[data-testid="order-status"][data-status="delivered"]').waitFor();
      const current = await shopperPage.getByTestId("order-timeline").locator('[aria-current="step"]').textContent();
      assert(current.includes("Delivered"), `timeline ends at Delivered (got ${current})`);
      assert((await shopperPage.getByTestId("cancel-order").count()) === 0, "a delivered order cannot be cancelled");
      await screenshot(shopperPage, "order-delivered", { fullPage: true });
      const problems = [...context.problems, ...shopper.problems];
      await context.close();
      await shopper.close();
      return problems;
    },
  },

  {
    name: "shopper cancels an order before it is packed",
    async run({ browser, baseURL }) {
      const [order] = await confirmedOrders(baseURL, [{ name: "Carrots", quantity: 2 }]);
      const context = await newContext(browser, baseURL);
      const page = await newPage(context);
      await login(page, DEMO.shopper);
      await page.goto(`/orders/${order.id}`);
      await page.locator('[data-testid="order-status"][data-status="confirmed"]').waitFor();
      await page.getByTestId("cancel-order").click();
      await page.getByRole("alertdialog").getByRole("button", { name: "Cancel order" }).click();
      await page.locator('[data-testid="order-status"][data-status="cancelled"]').waitFor();
      await screenshot(page, "order-cancelled");
      await context.close();
      return context.problems;
    },
  },

  {
    name: "a seller creates a product with a photo and it appears in the catalog",
    async run({ browser, baseURL }) {
      const context = await newContext(browser, baseURL);
      const page = await newPage(context);
      await login(page, DEMO.bakehouse);
      await page.goto("/seller/products");
      await page.getByTestId("new-product").click();
      const name = `Lemon Drizzle Cake ${RUN}`;
      await page.getByLabel("Name").fill(name);
      await page.getByLabel("Description").fill("Zesty sponge with a crunchy sugar glaze.");
      await page.getByLabel("Price").fill("6.75");
      await page.getByLabel("Unit").fill("each");
      await page.getByLabel("Stock").fill("12");
      await page.getByLabel("Category").selectOption("bakery");
      await page.getByTestId("save-product").click();
      await page.waitForURL(/\/seller\/products\/[^/]+\?created=1$/);
      await page.getByRole("heading", { level: 1, name: `Edit ${name}` }).waitFor(); // the product has loaded

      // As a seller does it: the button opens the file chooser.
      const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.getByRole("button", { name: "Add photos" }).click()]);
      await chooser.setFiles({ name: "lemon-cake.png", mimeType: "image/png", buffer: makePng() });
      await page.getByTestId("product-photo").first().waitFor({ timeout: 30_000 });
      const loaded = await page.getByTestId("product-photo").first().locator("img").evaluate((img) =>
        img.complete ? img.naturalWidth : new Promise((resolve) => { img.onload = () => resolve(img.naturalWidth); img.onerror = () => resolve(0); }),
      );
      assert(loaded > 0, "the uploaded photo loads back from storage");
      await screenshot(page, "seller-product-photo", { fullPage: true });

      await page.goto(`/products?q=${encodeURIComponent("Lemon Drizzle")}`);
      const card = page.getByTestId("product-card").filter({ hasText: name });
      await card.waitFor();
      const src = await card.locator("img").getAttribute("src");
      assert(src && /^https?:/.test(src), `catalog card shows the photo (src ${src})`);
      await screenshot(page, "catalog-new-product");
      await context.close();
      return context.problems;
    },
  },

  {
    name: "a product named <img src=x onerror=alert(1)> renders as text",
    async run({ browser, baseURL }) {
      const hostile = "<img src=x onerror=alert(1)>";
      const { access_token } = await apiCall(baseURL, "POST", "/api/auth/login", { body: DEMO.dairybarn });
      const product = await apiCall(baseURL, "POST", "/api/products", {
        token: access_token,
        body: { name: hostile, description: `<script>alert(2)</script> ${RUN}`, price: "1.00", category: "dairy-eggs", stock: 5, unit: "each", images: [] },
      });

      const context = await newContext(browser, baseURL);
      const page = await newPage(context);
      await page.goto(`/products/${product.id}`);
      await page.getByRole("heading", { level: 1, name: hostile }).waitFor();
      assert((await page.locator('img[src="x"]').count()) === 0, "no <img> element was injected");
      await page.goto("/products?q=onerror");
      await page.getByTestId("product-card").filter({ hasText: hostile }).first().waitFor();
      assert((await page.locator('img[src="x"]').count()) === 0, "no <img> element in the catalog either");
      await screenshot(page, "xss-as-text");
      await context.close();
      return context.problems;
    },
  },

  {
    name: "admin finds users and opens an order by its number, as in the shopper's mail",
    async run({ browser, baseURL }) {
      const [order] = await confirmedOrders(baseURL, [{ name: "Sourdough Loaf", quantity: 1 }]);
      const context = await newContext(browser, baseURL);
      const page = await newPage(context);
      await login(page, DEMO.admin);
      assert(new URL(page.url()).pathname === "/admin", "admins land on the users list");
      await page.getByTestId("user-search").fill("shopper@demo");
      await page.waitForFunction(() => {
        const rows = document.querySelectorAll('[data-testid="user-row"]');
        return rows.length === 1 && rows[0].textContent.includes("shopper@demo.smartgrocer.test");
      });
      await screenshot(page, "admin-users");
      // The shopper's mail names the order by its number and links to its page.
      const [mail] = await mailTo(baseURL, DEMO.shopper.email, `${order.number}: confirmed`);
      assert(mail, `the shopper was mailed "${order.number}: confirmed"`);
      const body = typeof mail.body === "string" ? mail.body : JSON.stringify(mail.body);
      assert(body.includes(order.number) && body.includes(`/orders/${order.id}`), "the mail shows the number and links to the order");

      await page.goto("/admin/orders");
      await page.getByTestId("order-number-input").fill("SG-ZZZZ-Z0");
      await page.getByRole("button", { name: "Find order" }).click();
      await page.getByTestId("order-not-found").waitFor();
      // typed as people type it: lower case, no dashes
      await page.getByTestId("order-number-input").fill(order.number.replaceAll("-", "").toLowerCase());
      await page.getByRole("button", { name: "Find order" }).click();
      await page.locator('[data-testid="order-status"][data-status="confirmed"]').waitFor();
      await page.getByRole("heading", { level: 1, name: `Order ${order.number}` }).waitFor();
      await context.close();
      return context.problems;
    },
  },
];

journeys.push({
  name: "the session survives a reload in a cookie no script can read; an expired access token is refreshed silently; logout ends it",
  async run({ browser, baseURL }) {
    const context = await newContext(browser, baseURL);
    const page = await newPage(context);
    // An earlier version kept the whole session, refresh token included, in localStorage: the first load removes it.
    await page.goto("/");
    await page.evaluate(() => localStorage.setItem("sg.session", JSON.stringify({ accessToken: "old", refreshToken: "old-refresh" })));
    await page.reload();
    await page.getByRole("link", { name: "Log in" }).waitFor();
    assert((await page.evaluate(() => localStorage.getItem("sg.session"))) === null, "the stored session of an earlier version is gone");

    await login(page, DEMO.shopper);
    const first = await sessionCookie(context);
    assert(first, "signing in set the session cookie");
    assert(first.httpOnly && first.secure && first.sameSite === "Strict" && first.path === "/api/auth", `cookie attributes: ${JSON.stringify(first)}`);
    await assertNoTokenInScriptReach(page, first.value);

    // A reload keeps the user signed in: the SPA restores the session from the cookie, on a protected page too.
    await page.goto("/orders");
    await page.getByRole("heading", { name: "My orders", level: 1 }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "My orders", level: 1 }).waitFor();
    await page.getByTestId("account-menu").waitFor();
    assert(new URL(page.url()).pathname === "/orders", "still on the protected page after the reload");
    const restored = await sessionCookie(context);
    assert(restored && restored.value !== first.value, "restoring rotated the refresh token");
    await assertNoTokenInScriptReach(page, restored.value);

    // The access token expired (the API answers 401 once): the client refreshes by cookie and retries.
    let refusedOnce = false;
    await page.route("**/api/orders/my-orders*", async (route) => {
      if (refusedOnce) return route.continue();
      refusedOnce = true;
      await route.fulfill({ status: 401, contentType: "application/json", body: JSON.stringify({ error: { code: "invalid_token", message: "The access token is invalid or expired.", details: null } }) });
    });
    await page.goto("/");
    await page.getByTestId("account-menu").waitFor();
    await page.getByTestId("account-menu").click();
    await page.getByRole("menuitem", { name: "My orders" }).click();
    await page.getByRole("heading", { name: "My orders", level: 1 }).waitFor();
    assert(refusedOnce, "the expired access token was refused once");
    const rotated = await sessionCookie(context);
    assert(rotated && rotated.value !== restored.value, "the silent refresh rotated the cookie");
    await page.unroute("**/api/orders/my-orders*");

    await page.getByTestId("account-menu").click();
    await page.getByTestId("logout").click();
    await page.getByRole("link", { name: "Log in" }).waitFor();
    assert((await sessionCookie(context)) === undefined, "logout cleared the session cookie");
    // The last refresh token is dead server-side too, even presented by hand with the CSRF header.
    const refused = await fetch(new URL("/api/auth/refresh", baseURL), {
      method: "POST",
      headers: { "X-SmartGrocer-CSRF": "1", Cookie: `${rotated.name}=${rotated.value}` },
    });
    assert(refused.status === 401, `refresh after logout is refused (got ${refused.status})`);
    await page.reload();
    await page.getByRole("link", { name: "Log in" }).waitFor();
    await page.goto("/orders");
    await page.waitForURL("**/login?next=%2Forders");
    await context.close();
    return context.problems;
  },
});

journeys.push({
  name: "a seller's open edit form goes stale when a shopper orders; the seller sees what changed, reloads and saves",
  async run({ browser, baseURL }) {
    const found = await apiCall(baseURL, "GET", "/api/products?q=blueberries");
    const product = found.items.find((item) => item.name === "Blueberries");
    assert(product, "the demo catalog has Blueberries");

    const context = await newContext(browser, baseURL);
    const page = await newPage(context);
    await login(page, DEMO.greenfields);
    await page.goto(`/seller/products/${product.id}`);
    const stockField = page.getByLabel("Stock");
    await stockField.waitFor();
    const opened = Number(await stockField.inputValue());

    // Meanwhile a shopper reserves 3 through the API: the form on screen still shows the old stock.
    const shopper = await apiCall(baseURL, "POST", "/api/auth/login", { body: DEMO.shopper });
    await apiCall(baseURL, "POST", "/api/orders", {
      token: shopper.access_token,
      body: {
        items: [{ product_id: product.id, quantity: 3 }],
        shipping_address: { full_name: "Sam Shopper", line1: "12 Orchard Lane", city: "Springfield", region: "IL", postal_code: "12345", country: "US" },
        fulfilment: await windowChoices(baseURL, [product.seller_id]),
      },
    });

    const description = `Plump blueberries, picked this morning (${RUN}).`;
    await page.getByLabel("Description").fill(description);
    await page.getByTestId("save-product").click();
    const notice = page.getByTestId("stale-product");
    await notice.waitFor();
    const stockRow = notice.locator('[data-testid="stale-change"][data-field="stock"]');
    const yours = (await stockRow.getByTestId("stale-yours").textContent()).trim();
    const now = (await stockRow.getByTestId("stale-now").textContent()).trim();
    assert(yours === String(opened) && now === String(opened - 3), `stock row shows yours ${opened} vs now ${opened - 3} (got ${yours} vs ${now})`);
    assert((await notice.textContent()).toLowerCase().includes("reload"), "the message tells the seller to reload");
    await page.evaluate(() => window.scrollTo(0, 0)); // the sticky header stays at the top of the picture
    await screenshot(page, "seller-product-stale", { fullPage: true });

    await page.getByTestId("reload-product").click();
    await page.getByTestId("product-reloaded").waitFor();
    assert((await stockField.inputValue()) === String(opened - 3), "reload takes the current stock");
    assert((await page.getByLabel("Description").inputValue()) === description, "reload keeps the seller's own edit");
    await page.getByTestId("save-product").click();
    await page.getByText("Product saved").first().waitFor();

    const { access_token } = await apiCall(baseURL, "POST", "/api/auth/login", { body: DEMO.greenfields });
    const saved = await apiCall(baseURL, "GET", `/api/seller/products/${product.id}`, { token: access_token });
    assert(saved.stock === opened - 3, `the sale is not undone: stock ${saved.stock}, expected ${opened - 3}`);
    assert(saved.description === description, "the description fix is saved");
    await context.close();
    return context.problems;
  },
});

// ---- Paying: a decline is not the end, and an open checkout is resumed, never doubled ----------

/** A new shopper (its own data, nothing shared with other journeys), logged in through the UI. */
async function freshShopper(browser, baseURL, tag, signup = {}) {
  const credentials = { email: `shopper-${tag}-${RUN}@example.com`, password: `pw-${tag}-${RUN}-long` };
  await apiCall(baseURL, "POST", "/api/auth/signup", { body: { ...credentials, full_name: `Pat ${tag}`, ...signup } });
  const context = await newContext(browser, baseURL);
  const page = await newPage(context);
  await login(page, credentials);
  // API set-up needs a bearer token; the page's own lives in memory only, so sign in once more for it.
  let bearer;
  const token = async () => (bearer ??= (await apiCall(baseURL, "POST", "/api/auth/login", { body: credentials })).access_token);
  return { context, page, token };
}

const checkoutIdOf = (page) => decodeURIComponent(new URL(page.url()).pathname.split("/").pop());

journeys.push({
  name: "a declined card keeps the checkout open; the shopper pays with another card on the same payment",
  async run({ browser, baseURL }) {
    const { context, page, token } = await freshShopper(browser, baseURL, "declined");
    await page.goto("/products");
    await addFromSearch(page, "milk", "Whole Milk");
    await addFromSearch(page, "baguette", "Baguette");
    await page.goto("/checkout");
    await fillAddress(page);
    await chooseWindows(page);
    await page.getByTestId("place-order").click();
    await page.waitForURL("**/checkout/pay/*");
    const checkoutId = checkoutIdOf(page);

    await page.getByTestId("card-number").fill("4000 0000 0000 0002");
    await page.getByTestId("pay-button").click();
    await page.getByTestId("payment-declined").waitFor();
    const message = await page.getByTestId("decline-message").textContent();
    assert(/declined/i.test(message), `the decline message is shown (got "${message}")`);
    assert(checkoutIdOf(page) === checkoutId, "still paying the same checkout");
    // The decline shows at once; the form takes a card again once the checkout is read back.
    await page.waitForSelector('[data-testid="pay-button"]:not([disabled])', { timeout: 10_000 });
    assert(await page.getByTestId("pay-button").isEnabled(), "the card form takes another card");
    const open = await apiCall(baseURL, "GET", `/api/checkouts/${checkoutId}`, { token: await token() });
    assert(open.status === "pending_payment" && open.payment?.client_secret, `the checkout stays open (got ${open.status})`);
    assert(open.orders.every((order) => order.status === "pending_payment" && order.payment_error), "its orders await payment and carry the decline");
    await screenshot(page, "payment-declined", { fullPage: true });

    await page.getByTestId("card-number").fill("4242 4242 4242 4242");
    await page.getByTestId("pay-button").click();
    await page.waitForURL("**/checkout/complete?*");
    await page.getByTestId("order-confirmed").waitFor({ timeout: 30_000 });
    const paid = await apiCall(baseURL, "GET", `/api/checkouts/${checkoutId}`, { token: await token() });
    assert(paid.status === "authorized" && paid.payment === null, `the same checkout is authorised (got ${paid.status})`);
    assert(paid.orders.length === 2 && paid.orders.every((order) => order.status === "confirmed"), "both orders are confirmed");
    const mine = await apiCall(baseURL, "GET", "/api/orders/my-orders", { token: await token() });
    assert(mine.items.length === 2 && mine.items.every((order) => order.checkout_id === checkoutId), `one checkout, no second attempt (got ${mine.items.length} orders)`);
    assert((await page.getByTestId("basket-count").count()) === 0, "the basket is empty once paid");

    await page.goto("/orders");
    const groups = page.getByTestId("checkout-group");
    await groups.first().waitFor();
    assert((await groups.count()) === 1, "My orders shows the shopping trip once");
    assert((await groups.first().getByTestId("order-card").count()) === 2, "with its two per-seller orders");
    assert((await page.getByTestId("pay-now").count()) === 0, "nothing left to pay");
    await screenshot(page, "my-orders-grouped", { fullPage: true });
    await context.close();
    return context.problems;
  },
});

journeys.push({
  name: "a shopper leaves the payment page, checkout resumes it, and they pay later from My orders",
  async run({ browser, baseURL }) {
    const { context, page, token } = await freshShopper(browser, baseURL, "later");
    await page.goto("/products");
    await addFromSearch(page, "bananas", "Bananas");
    await page.goto("/checkout");
    await fillAddress(page);
    await chooseWindows(page);
    await page.getByTestId("place-order").click();
    await page.waitForURL("**/checkout/pay/*");
    await page.getByTestId("local-card-form").waitFor();
    const checkoutId = checkoutIdOf(page);

    // Leave, then come back to checkout with the same basket: the open checkout is resumed.
    await page.goto("/products");
    await page.goto("/checkout");
    await page.waitForURL(`**/checkout/pay/${checkoutId}`);
    await page.getByTestId("local-card-form").waitFor();

    // Change the basket and come back: asked, never a second checkout behind the shopper's back.
    await page.goto("/products");
    await addFromSearch(page, "chocolate", "Dark Chocolate");
    await page.goto("/checkout");
    const choice = page.getByTestId("open-checkout");
    await choice.waitFor();
    assert((await choice.getAttribute("data-checkout-id")) === checkoutId, "offers the open checkout");
    await page.getByTestId("basket-changed").waitFor();
    await screenshot(page, "checkout-resume-choice", { fullPage: true });

    await page.goto("/orders");
    const trip = page.locator(`[data-testid="checkout-group"][data-checkout-id="${checkoutId}"]`);
    const payNow = trip.getByTestId("pay-now");
    await payNow.waitFor();
    const label = await payNow.textContent();
    assert(label.includes("1.29"), `Pay now shows the amount (got "${label}")`);
    const left = await trip.getByTestId("time-left").textContent();
    assert(/^\d+ min left$/.test(left), `Pay now shows the time left (got "${left}")`);
    await screenshot(page, "my-orders-pay-now", { fullPage: true });

    await payNow.click();
    await page.waitForURL(`**/checkout/pay/${checkoutId}`);
    await page.getByTestId("pay-button").click(); // the card form starts with the test card that succeeds
    await page.getByTestId("order-confirmed").waitFor({ timeout: 30_000 });

    const mine = await apiCall(baseURL, "GET", "/api/orders/my-orders", { token: await token() });
    assert(mine.items.length === 1 && mine.items[0].checkout_id === checkoutId && mine.items[0].status === "confirmed", "the one order is confirmed");
    const count = await page.getByTestId("basket-count").textContent();
    assert(count === "1", `only what was added since stays in the basket (count ${count})`);
    await page.goto("/orders");
    await trip.locator('[data-testid="order-status"][data-status="confirmed"]').waitFor();
    assert((await page.getByTestId("pay-now").count()) === 0, "no Pay now once authorised");
    await context.close();
    return context.problems;
  },
});

// ---- Groceries by weight: estimate, hold, packing with a weighed weight and a substitute, receipt --

journeys.push({
  name: "a shopper buys loose apples by weight and avocados with substitutes allowed; the seller packs 780 g and substitutes one avocado; the shopper sees the receipt",
  async run({ browser, baseURL }) {
    const { context, page, token } = await freshShopper(browser, baseURL, "weighed");
    const lemons = (await apiCall(baseURL, "GET", "/api/products?q=lemons")).items.find((item) => item.name === "Lemons");
    assert(lemons, "the demo catalog has Lemons");

    // The weighed product: 250 g steps from 250 g, $3.20/kg; pick 750 g on its page.
    await page.goto("/products?q=braeburn");
    await page.getByRole("link", { name: "Loose Braeburn Apples", exact: true }).click();
    const picker = page.getByTestId("weight-picker");
    await picker.waitFor();
    await page.getByTestId("weight-more").click();
    await page.getByTestId("weight-more").click();
    assert((await picker.getByTestId("weight-value").textContent()) === "750 g", "the picker moves in 250 g steps");
    assert((await page.getByTestId("weight-estimate").textContent()) === "$2.40", "750 g at $3.20/kg is estimated at $2.40");
    await page.getByTestId("weighed-note").waitFor();
    await screenshot(page, "product-weighed", { fullPage: true });
    await page.getByTestId("add-to-basket").click();
    await page.getByTestId("in-basket").waitFor();

    // Three avocados from the same seller, substitutes allowed.
    await page.goto("/products?q=avocados");
    await page.getByRole("link", { name: "Avocados", exact: true }).click();
    await page.getByRole("button", { name: "Increase quantity" }).click();
    await page.getByRole("button", { name: "Increase quantity" }).click();
    await page.getByTestId("add-to-basket").click();
    await page.getByTestId("in-basket").waitFor();

    await page.goto("/basket");
    const avocadoLine = page.getByTestId("basket-line").filter({ hasText: "Avocados" });
    await avocadoLine.getByTestId("substitution-select").selectOption("similar");
    const appleLine = page.getByTestId("basket-line").filter({ hasText: "Loose Braeburn Apples" });
    await appleLine.getByTestId("weighed-note").waitFor();
    assert((await page.getByTestId("basket-seller-group").count()) === 1, "one seller, one order");
    await screenshot(page, "basket-weighed", { fullPage: true });

    await page.getByTestId("go-to-checkout").click();
    await page.waitForURL("**/checkout");
    await fillAddress(page);
    await chooseWindows(page); // pickup: no fee, no minimum
    // Estimate 2.40 + 3 x 1.50 = 6.90; held 4.50 + 2.64 (2.40 plus 10%) = 7.14.
    const estimate = page.getByTestId("basket-estimate");
    await estimate.waitFor();
    assert((await estimate.getByTestId("estimate-total").textContent()) === "$6.90", "checkout shows the estimate");
    assert((await estimate.getByTestId("estimate-authorised").textContent()) === "$7.14", "checkout shows the amount to hold");
    const why = await estimate.getByTestId("estimate-explanation").textContent();
    assert(why === "We hold $7.14 on your card: your estimate plus 10% on weighed items. You pay only for what is packed.", `the hold is explained (got "${why}")`);
    await screenshot(page, "checkout-hold", { fullPage: true });
    await page.getByTestId("place-order").click();
    await page.getByTestId("local-card-form").waitFor();
    assert((await page.getByTestId("summary-authorised").textContent()) === "$7.14", "the payment holds what the checkout said");
    await page.getByTestId("pay-button").click();
    await page.getByTestId("order-confirmed").waitFor({ timeout: 30_000 });
    const [orderId] = new URL(page.url()).searchParams.get("orders").split(",");
    const confirmed = await apiCall(baseURL, "GET", `/api/orders/${orderId}`, { token: await token() });
    assert(confirmed.status === "confirmed" && confirmed.payment_status === "authorized", `the order is confirmed, the card authorised (got ${confirmed.status}/${confirmed.payment_status})`);
    assert(confirmed.authorized_amount === "7.14", `the order holds 7.14 (got ${confirmed.authorized_amount})`);

    // The seller packs on a phone-sized screen: 780 g of apples, 2 avocados and 1 lemon for the third.
    const sellerContext = await newContext(browser, baseURL, { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    const seller = await newPage(sellerContext);
    await login(seller, DEMO.greenfields);
    await seller.goto("/seller/orders?status=confirmed");
    const card = seller.locator(`[data-testid="seller-order"][data-order-id="${orderId}"]`);
    await card.getByTestId("pack-order").click();
    await seller.waitForURL(`**/seller/orders/${orderId}/pack`);
    const apples = seller.getByTestId("pack-line").filter({ hasText: "Loose Braeburn Apples" });
    const avocados = seller.getByTestId("pack-line").filter({ hasText: "Avocados" });
    assert((await apples.getByTestId("pack-ordered").textContent()) === "750 g", "the ordered weight is shown");
    assert((await avocados.getByTestId("pack-substitution").textContent()) === "Substitutes OK", "the shopper's substitution choice is shown");

    // Too much is refused before anything is sent.
    await apples.getByTestId("packed-input").fill("2000");
    const over = await seller.getByTestId("pack-over").textContent();
    assert(over.startsWith("$10.90 is above the $7.14 the shopper authorised"), `over the hold is refused (got "${over}")`);
    assert(await seller.getByTestId("submit-packing").isDisabled(), "and cannot be submitted");

    await apples.getByTestId("packed-input").fill("780");
    await avocados.getByTestId("packed-input").fill("2");
    await avocados.getByTestId("substitute-select").selectOption(lemons.id);
    assert((await avocados.getByTestId("substitute-amount").inputValue()) === "1", "the substitute replaces the one missing avocado");
    // 780 g x 3.20 = 2.496 -> 2.50; 2 x 1.50 + 1 x 0.35 = 3.35; total 5.85.
    assert((await seller.getByTestId("pack-running-total").textContent()) === "$5.85", "the running total follows the packing");
    const overflow = await seller.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, `no horizontal scrolling on the packing screen at 375px (overflow ${overflow}px)`);
    await screenshot(seller, "seller-packing", { fullPage: true });
    await seller.getByTestId("submit-packing").click();
    await seller.getByTestId("packed-confirmation").waitFor();
    const note = await seller.getByTestId("packed-confirmation").textContent();
    assert(note.includes("$5.85") && note.includes("$1.29"), `the seller sees the charge and the release (got "${note}")`);

    // The shopper's receipt.
    await page.goto(`/orders/${orderId}`);
    await page.locator('[data-testid="order-status"][data-status="packed"]').waitFor();
    const lines = page.getByTestId("order-line");
    const appleReceipt = (await lines.filter({ hasText: "Loose Braeburn Apples" }).getByTestId("line-description").textContent()).trim();
    assert(appleReceipt === "Ordered 750 g · Packed 780 g", `the apples line shows the packed weight (got "${appleReceipt}")`);
    const avocadoReceipt = (await lines.filter({ hasText: "Avocados" }).getByTestId("line-description").textContent()).trim();
    assert(avocadoReceipt === "Ordered 3 · Packed 2 + 1 × Lemons (substitute)", `the avocados line shows the substitute (got "${avocadoReceipt}")`);
    assert((await page.getByTestId("order-final").textContent()) === "$5.85", "the final charge");
    assert((await page.getByTestId("order-released").textContent()) === "$1.29 released from the hold", "what was released");
    await page.locator('[data-testid="payment-status"][data-status="captured"]').waitFor({ timeout: 30_000 }).catch(() => {});
    const payment = await page.getByTestId("payment-status").getAttribute("data-status");
    assert(payment === "captured" || payment === "authorized", `the payment is captured or being captured (got ${payment})`);
    await screenshot(page, "order-receipt", { fullPage: true });

    const problems = [...context.problems, ...sellerContext.problems];
    await sellerContext.close();
    await context.close();
    return problems;
  },
});

// ---- Search ----------------------------------------------------------------------------------------

journeys.push({
  name: "search: suggestions while typing, best match first, a misspelling, and a did-you-mean",
  async run({ browser, baseURL }) {
    const context = await newContext(browser, baseURL);
    const page = await newPage(context);
    // The grid updates after the address does (a navigation renders in a transition): wait for what a
    // shopper would wait for, the cards of this search, then check them.
    async function cardsWhen(query, expectation, message) {
      const deadline = Date.now() + 15_000;
      const left = () => Math.max(1, deadline - Date.now());
      let names = [];
      while (Date.now() < deadline) {
        await page
          .waitForFunction(
            (q) => new URL(location.href).searchParams.get("q") === q
              && document.querySelector('[data-testid="product-grid"]')?.getAttribute("aria-busy") === "false",
            query,
            { timeout: left() },
          )
          .catch(() => {});
        names = await page.getByTestId("product-link").allTextContents();
        if (expectation(names)) return names;
        // Not yet: wait for the grid to change, then look again.
        await page
          .waitForFunction(
            (before) => JSON.stringify([...document.querySelectorAll('[data-testid="product-link"]')].map((e) => e.textContent)) !== before,
            JSON.stringify(names),
            { timeout: left() },
          )
          .catch(() => {});
      }
      assert(false, `${message} (got ${JSON.stringify(names.slice(0, 5))})`);
    }

    // The header box suggests categories and products as you type; the keyboard picks one.
    await page.goto("/");
    const header = page.getByRole("combobox", { name: "Search groceries" });
    await header.fill("choc");
    const list = page.getByTestId("search-suggestions");
    await list.waitFor();
    const offered = await list.getByTestId("search-suggestion").allTextContents();
    assert(offered[0] === "Dark Chocolate", `suggests the chocolate first (got ${JSON.stringify(offered)})`);
    assert((await header.getAttribute("aria-expanded")) === "true", "the combobox says its list is open");
    await screenshot(page, "search-suggestions");
    await header.press("ArrowDown");
    assert((await header.getAttribute("aria-activedescendant")) !== null, "Arrow Down highlights a suggestion");
    await header.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Dark Chocolate" }).waitFor();

    // Best match first: the everyday word finds the breads, the product named by it first.
    await page.goto("/products?q=bread");
    const breads = await cardsWhen(
      "bread",
      (names) => ["Pitta Breads", "Seeded Rye Bread"].includes(names[0]),
      "a bread named so comes first",
    );
    assert(breads.includes("Baguette") && breads.includes("Sourdough Loaf"), `"bread" finds the baguette and the loaf`);
    assert((await page.getByTestId("sort-select").inputValue()) === "", "no sort chosen: best match");

    // A misspelling still finds it.
    const box = page.getByTestId("catalog-search");
    await box.fill("choclate");
    await box.press("Enter");
    await cardsWhen("choclate", (names) => names[0] === "Dark Chocolate", "a misspelt word finds the product");

    // Nothing found: "Did you mean" searches the word meant.
    await box.fill("mlik");
    await box.press("Enter");
    await page.getByTestId("did-you-mean").waitFor();
    await screenshot(page, "search-did-you-mean");
    await page.getByTestId("did-you-mean").getByRole("link", { name: "milk" }).click();
    await cardsWhen(
      "milk",
      (names) => names.length > 0 && names.every((name) => name.toLowerCase().includes("milk")),
      "following it finds the milk",
    );
    assert((await box.inputValue()) === "milk", "the search box shows the query followed");
    await context.close();
    return context.problems;
  },
});

// ---- Payouts and refunds ---------------------------------------------------------------------------

/** Reloads `path` until `testId` shows (the capture and its webhooks land in the background). */
async function reloadUntil(page, path, testId, attempts = 20) {
  for (let attempt = 0; attempt < attempts; attempt++) {
    await page.goto(path);
    await page.getByTestId("order-timeline").or(page.getByTestId("payouts-table")).or(page.getByTestId("finance-range")).first().waitFor();
    // a condition with a deadline, not a pause: shown now, or within a second of this load
    if (await page.getByTestId(testId).first().waitFor({ timeout: 1_000 }).then(() => true, () => false)) return;
  }
  await page.getByTestId(testId).first().waitFor({ timeout: 1_000 });
}

const cents = (text) => Math.round(Number(text.replace(/[^0-9.-]/g, "")) * 100);
const dollars = (amount) => `$${(amount / 100).toFixed(2)}`;

journeys.push({
  name: "payouts: a seller packs an order, refunds part of it in the dialog, sees the refund and the payout, then finds it on the payouts page",
  async run({ browser, baseURL }) {
    const [{ id: orderId, number: orderNumber }] = await confirmedOrders(baseURL, [{ name: "Gala Apples", quantity: 3 }]);
    const context = await newContext(browser, baseURL);
    const page = await newPage(context);
    await login(page, DEMO.greenfields);

    // Packing the checkout's only order captures the payment.
    await page.goto(`/orders/${orderId}`);
    await page.getByTestId("action-packed").click();
    await page.locator('[data-testid="order-status"][data-status="packed"]').waitFor();
    await reloadUntil(page, `/orders/${orderId}`, "refund-open");
    const money = page.getByTestId("order-money");
    const gross = cents(await money.getByTestId("payout-gross").textContent());
    assert(gross > 0, "the payout shows what was charged");
    const statusBefore = await money.getByTestId("payout-status").getAttribute("data-status");

    // Refund a third of it (at least a cent), with a reason the shopper will read.
    await page.getByTestId("refund-open").click();
    const dialog = page.getByRole("alertdialog", { name: "Refund this order" });
    const amountBox = dialog.getByLabel(/Amount/);
    assert((await amountBox.inputValue()) === (gross / 100).toFixed(2), "the amount starts at everything refundable");
    const refund = Math.max(1, Math.floor(gross / 3));
    await amountBox.fill((refund / 100).toFixed(2));
    const reason = `One apple was bruised ${RUN}`;
    await dialog.getByLabel("Reason").fill(reason);
    const summary = await dialog.getByTestId("refund-summary").textContent();
    assert(summary.startsWith(`The shopper gets ${dollars(refund)} back; your payout is reduced by your share`), `the summary says what happens (got "${summary}")`);
    await screenshot(page, "order-refund-dialog");
    await dialog.getByTestId("refund-submit").click();
    await dialog.waitFor({ state: "detached" });

    const listed = page.getByTestId("refund").filter({ hasText: reason });
    await listed.waitFor();
    await page.getByRole("button", { name: "Dismiss notification" }).click();
    assert((await listed.textContent()).includes(`Refunded ${dollars(refund)} on `), "the refund is listed with its amount and date");
    assert((await page.getByTestId("order-refunded").textContent()).includes(dollars(refund)), "the receipt shows what was refunded");
    assert(
      (await page.getByTestId("order-refundable").textContent()) === `Up to ${dollars(gross - refund)} can be refunded.`,
      "what is left to refund went down by the refund",
    );
    if (statusBefore === "no_account") {
      // The seller has no payout account yet: nothing was transferred, so nothing is taken back.
      assert((await money.getByTestId("payout-status").textContent()) === "No payout account", "the payout says why nothing moves");
    } else {
      // A transferred payout is reversed by the seller's share of the refund.
      await reloadUntil(page, `/orders/${orderId}`, "payout-reversed");
      const reversed = cents(await page.getByTestId("payout-reversed").textContent());
      assert(reversed > 0 && reversed < refund, `the payout is reduced by the seller's share (reversed ${reversed} of ${refund})`);
    }
    await page.locator('[data-testid="payment-status"][data-status="partially_refunded"]').waitFor();
    await screenshot(page, "order-refunded", { fullPage: true });

    // The payouts page lists the order with its refund; the CSV holds it too.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Payouts" }).click();
    await page.waitForURL("**/seller/payouts");
    const row = page.locator(`[data-testid="payout-row"][data-order-id="${orderId}"]`);
    await row.waitFor();
    assert((await row.textContent()).includes(dollars(refund)), "the payout row shows the refund");
    assert(cents(await page.getByTestId("payouts-gross").textContent()) >= gross, "the totals include the order");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-csv").click()]);
    const { readFileSync } = await import("node:fs");
    const csv = readFileSync(await download.path(), "utf8");
    assert(csv.includes(orderNumber) && /Total \(\d+ orders?\)/.test(csv), "the CSV lists the order and a total");
    await screenshot(page, "seller-payouts", { fullPage: true });

    // The shopper reads the refund on their order.
    const shopper = await newContext(browser, baseURL);
    const shopperPage = await newPage(shopper);
    await login(shopperPage, DEMO.shopper);
    await shopperPage.goto(`/orders/${orderId}`);
    await shopperPage.getByTestId("refund").filter({ hasText: reason }).waitFor();
    assert((await shopperPage.getByTestId("order-payout").count()) === 0, "shoppers never see the payout");
    assert((await shopperPage.getByTestId("refund-open").count()) === 0, "shoppers cannot refund");

    const problems = [...context.problems, ...shopper.problems];
    await shopper.close();
    await context.close();
    return problems;
  },
});

journeys.push({
  name: "payouts: an admin opens the finance page and sees money captured",
  async run({ browser, baseURL }) {
    // A captured order of its own: the Bakehouse packs it (API, setup only).
    const [{ id: orderId }] = await confirmedOrders(baseURL, [{ name: "Sourdough Loaf", quantity: 1 }]);
    const { access_token } = await apiCall(baseURL, "POST", "/api/auth/login", { body: DEMO.bakehouse });
    // The last packing captures within the request itself.
    const packed = await apiCall(baseURL, "PATCH", `/api/orders/${orderId}/status`, { token: access_token, body: { status: "packed" } });
    assert(packed.payment_status === "captured", `packing captured the payment (got ${packed.payment_status})`);

    const context = await newContext(browser, baseURL);
    const page = await newPage(context);
    await login(page, DEMO.admin);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Finance" }).click();
    await page.waitForURL("**/admin/finance");
    const captured = cents(await page.getByTestId("finance-captured").textContent());
    assert(captured > 0, `the captured total is not zero (got ${captured})`);
    await page.getByTestId("finance-chart").waitFor();
    assert((await page.getByTestId("finance-chart").getAttribute("aria-label")).includes("The table below lists the same figures"), "the chart has a text alternative");
    assert((await page.getByTestId("finance-day").count()) > 0, "the table lists the days that moved money");
    await page.getByRole("button", { name: "Last 7 days" }).click();
    await page.waitForURL((url) => url.searchParams.get("days") === "7");
    await page.locator('[data-testid="finance-range"] button[aria-pressed="true"]', { hasText: "Last 7 days" }).waitFor();
    assert(cents(await page.getByTestId("finance-captured").textContent()) > 0, "today's capture is in the last 7 days");
    await page.locator('[data-testid="finance-chart"] svg').first().waitFor(); // the chart is drawn
    await screenshot(page, "admin-finance", { fullPage: true });
    await context.close();
    return context.problems;
  },
});

// ---- Delivery windows: a window per seller, fees, pickup, and the seller's packing list ----------

journeys.push({
  name: "windows: a shopper chooses a Dairy Barn delivery window and a Bakehouse pickup, pays, sees both on the orders; Dairy Barn prints the window's packing list",
  async run({ browser, baseURL }) {
    const { context, page, token } = await freshShopper(browser, baseURL, "windows");
    await page.goto("/products");
    await addFromSearch(page, "milk", "Whole Milk");
    await addFromSearch(page, "yogurt", "Greek Yogurt");
    await addFromSearch(page, "baguette", "Baguette");
    await addFromSearch(page, "apples", "Gala Apples");

    // The basket, one block per seller with that seller's terms.
    await page.goto("/basket");
    const group = (name) => page.getByTestId("basket-seller-group").filter({ has: page.getByRole("heading", { name: `From ${name}` }) });
    await group("Dairy Barn").locator('[data-testid="seller-terms"][data-state="windows"]').waitFor();
    const progress = await group("Dairy Barn").getByTestId("free-delivery-progress").textContent();
    assert(progress.includes("Add $21.80 from Dairy Barn for free delivery"), `progress to free delivery (got "${progress}")`);
    assert((await group("Dairy Barn").getByTestId("seller-delivery-fee").textContent()).includes("Delivery $3.00"), "the Dairy Barn fee");
    assert((await group("The Bakehouse").getByTestId("seller-terms").textContent()).includes("Pickup only, free"), "the Bakehouse only offers pickup");
    const minimum = await group("Greenfields Farm").getByTestId("below-minimum").textContent();
    assert(minimum.includes("$15.00 minimum for delivery") && minimum.includes("add $11.51 more"), `below Greenfields' minimum (got "${minimum}")`);
    await screenshot(page, "basket-by-seller", { fullPage: true });
    await group("Greenfields Farm").getByRole("button", { name: "Remove Gala Apples" }).click();
    await page.getByTestId("basket-seller-group").nth(1).waitFor();

    // Checkout: Dairy Barn only delivers, the Bakehouse only has pickup.
    await page.getByTestId("go-to-checkout").click();
    await page.waitForURL("**/checkout");
    await fillAddress(page);
    const dairy = page.locator('[data-testid="window-picker"][data-seller-id]').filter({ hasText: "From Dairy Barn" });
    const bakehouse = page.locator('[data-testid="window-picker"][data-seller-id]').filter({ hasText: "From The Bakehouse" });
    await dairy.getByTestId("window-option").first().waitFor();
    await page.getByTestId("place-order").click();
    await dairy.getByTestId("window-error").waitFor();
    assert((await dairy.getByTestId("window-error").textContent()) === "Choose a delivery or pickup window for Dairy Barn.", "a window is required");
    const deliveryWindow = dairy.locator('input[type="radio"][name^="window-"]:not([disabled])').first();
    await deliveryWindow.check();
    const deliverySlot = await deliveryWindow.getAttribute("value");
    assert(deliverySlot.startsWith("delivery-"), `a delivery window (got ${deliverySlot})`);
    const pickupWindow = bakehouse.locator('input[type="radio"][name^="window-"]:not([disabled])').first();
    await pickupWindow.check();
    const pickupSlot = await pickupWindow.getAttribute("value");
    assert((await bakehouse.getByTestId("pickup-address").textContent()).includes("The Bakehouse, 12 Mill Lane, Springfield"), "the pickup address");
    // Goods 1.15 + 2.05 + 1.50 = 4.70, plus Dairy Barn's 3.00 delivery.
    assert((await page.getByTestId("estimate-fees").textContent()) === "$3.00", "the delivery fee");
    assert((await page.getByTestId("estimate-total").textContent()) === "$7.70", "the total with the fee");
    await dairy.scrollIntoViewIfNeeded();
    await screenshot(page, "checkout-windows", { fullPage: true });
    await page.getByTestId("place-order").click();
    await page.getByTestId("local-card-form").waitFor();
    assert((await page.getByTestId("summary-authorised").textContent()) === "$7.70", "the payment holds goods and fee");
    await page.getByTestId("pay-button").click();
    await page.getByTestId("order-confirmed").waitFor({ timeout: 30_000 });

    // Both orders carry their window.
    const mine = await apiCall(baseURL, "GET", "/api/orders/my-orders", { token: await token() });
    const dairyOrder = mine.items.find((order) => order.seller_name === "Dairy Barn");
    const bakeOrder = mine.items.find((order) => order.seller_name === "The Bakehouse");
    assert(dairyOrder?.fulfilment?.slot_id === deliverySlot && dairyOrder.delivery_fee === "3.00", "the Dairy Barn order has its window and fee");
    assert(bakeOrder?.fulfilment?.slot_id === pickupSlot && bakeOrder.delivery_fee === "0.00", "the Bakehouse order has its pickup window");
    await page.goto(`/orders/${dairyOrder.id}`);
    await page.getByTestId("order-window").waitFor();
    assert((await page.getByTestId("order-window").textContent()).includes(dairyOrder.fulfilment.label), "the order page shows the delivery window");
    assert((await page.getByTestId("order-delivery-fee").textContent()) === "$3.00", "the receipt shows the delivery fee");
    await screenshot(page, "order-window", { fullPage: true });
    await page.goto(`/orders/${bakeOrder.id}`);
    await page.getByTestId("order-pickup-address").waitFor();
    assert((await page.getByTestId("order-window").textContent()).includes(bakeOrder.fulfilment.label), "the order page shows the pickup window");
    assert((await page.getByTestId("order-pickup-address").textContent()).includes("12 Mill Lane"), "and where to collect");
    await page.goto("/orders");
    await page.getByTestId("order-card-window").nth(1).waitFor();
    const windows = await page.getByTestId("order-card-window").allTextContents();
    assert(windows.some((text) => text.startsWith("Delivery: ")) && windows.some((text) => text.startsWith("Pickup: ")), "My orders shows both windows");

    // Dairy Barn finds the window among its orders and opens its packing list.
    const sellerContext = await newContext(browser, baseURL);
    const seller = await newPage(sellerContext);
    await login(seller, DEMO.dairybarn);
    await seller.goto("/seller/orders");
    await seller.getByTestId("slot-date-select").locator(`option[value="${dairyOrder.fulfilment.local_date}"]`).waitFor({ state: "attached" });
    await seller.getByTestId("slot-date-select").selectOption(dairyOrder.fulfilment.local_date);
    await seller.getByTestId("slot-select").selectOption(deliverySlot);
    await seller.waitForURL((url) => url.searchParams.get("slot_id") === deliverySlot);
    await seller.locator(`[data-testid="seller-order"][data-order-id="${dairyOrder.id}"]`).waitFor();
    await seller.getByTestId("packing-list-link").click();
    await seller.waitForURL(`**/seller/packing-list/${encodeURIComponent(deliverySlot)}`);
    const order = seller.locator(`[data-testid="packing-order"][data-order-id="${dairyOrder.id}"]`);
    await order.waitFor();
    const lines = await order.getByTestId("packing-order-line").allTextContents();
    assert(lines.includes("1 × Whole Milk") && lines.includes("1 × Greek Yogurt"), `the packing list has the order's lines (got ${JSON.stringify(lines)})`);
    const products = await seller.getByTestId("packing-product").allTextContents();
    assert(products.some((row) => row.includes("Whole Milk")), "and the lines summed by product");
    await seller.emulateMedia({ media: "print" });
    assert(!(await seller.getByRole("navigation", { name: "Main" }).isVisible()), "no navigation on paper");
    await seller.emulateMedia({ media: "screen" });
    await screenshot(seller, "packing-list", { fullPage: true });
    await seller.goto("/seller/fulfilment");
    await seller.getByTestId("fulfilment-form").waitFor();
    await screenshot(seller, "seller-fulfilment", { fullPage: true });

    const problems = [...context.problems, ...sellerContext.problems];
    await sellerContext.close();
    await context.close();
    return problems;
  },
});

// ---- The address book: saved on the profile page, offered at checkout, kept by the order -----------

journeys.push({
  name: "address book: the shopper saves two addresses on the profile page, checkout starts from the default, they switch to the other and the order shows it the way its country writes it",
  async run({ browser, baseURL }) {
    const phone = "+44 20 7946 0958";
    const { context, page } = await freshShopper(browser, baseURL, "addresses", { phone });
    await page.getByTestId("account-menu").click();
    await page.getByTestId("account-link").click();
    await page.waitForURL("**/account");
    await page.getByTestId("address-book-empty").waitFor();
    assert((await page.getByLabel("Phone (optional)").inputValue()) === phone, "the profile shows the phone given at signup");
    assert((await page.getByTestId("change-password").getAttribute("href")) === "/account/password", "a link to change the password");

    const cards = page.getByTestId("address-card");
    const add = async (address, count) => {
      await page.getByTestId("add-address").click();
      const editor = page.getByTestId("address-editor");
      await fillAddress(editor, address);
      await editor.getByTestId("save-address").click();
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="address-card"]').length === n, count);
    };
    await add({ label: "Home", country: "US", line1: "1 Market Street", city: "Springfield", region: "il", postal_code: "62701" }, 1);
    await add({ label: "Work", country: "GB", line1: "10 Downing Street", city: "London", postal_code: "sw1a2aa" }, 2);
    const homeCard = cards.filter({ hasText: "Home" });
    const workCard = cards.filter({ hasText: "Work" });
    assert((await homeCard.getByText("Default").count()) === 1, "the first address saved is the default");
    const workLines = await workCard.getByTestId("address-lines").locator("span").allTextContents();
    assert(JSON.stringify(workLines) === JSON.stringify(["Pat addresses", "10 Downing Street", "London", "SW1A 2AA", "United Kingdom"]), `the GB address as the UK writes it (got ${JSON.stringify(workLines)})`);
    await screenshot(page, "account-address-book", { fullPage: true });

    // From the Corner Pantry, which arranges delivery itself: the order is delivered to the address (a pickup would not show it).
    await page.goto("/products");
    await addFromSearch(page, "chocolate", "Dark Chocolate");
    await page.goto("/checkout");
    const saved = page.getByTestId("saved-address");
    await saved.first().waitFor();
    const home = saved.filter({ hasText: "Home" });
    const work = saved.filter({ hasText: "Work" });
    assert(await home.getByRole("radio").isChecked(), "checkout starts from the default address");
    assert((await home.textContent()).includes("Springfield, IL 62701"), "shown the way the US writes it");
    assert((await page.locator('[name="line1"]').count()) === 0, "nothing to type for a saved address");
    // A new address would start from the phone given at signup.
    await page.getByTestId("new-address").getByRole("radio").check();
    assert((await page.locator('[name="phone"]').inputValue()) === phone, "the signup phone is prefilled");
    await work.getByRole("radio").check();
    await chooseWindows(page);
    await screenshot(page, "checkout-saved-addresses", { fullPage: true });
    await page.getByTestId("place-order").click();
    await page.waitForURL("**/checkout/pay/*");
    await page.getByTestId("pay-button").click();
    await page.waitForURL("**/checkout/complete?orders=*");
    await page.getByTestId("order-confirmed").waitFor({ timeout: 30_000 });
    const [orderId] = new URL(page.url()).searchParams.get("orders").split(",");

    // The order keeps its own copy: editing the book afterwards changes nothing on it.
    await page.goto("/account");
    await workCard.getByTestId("delete-address").click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete address" }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="address-card"]').length === 1);
    await page.goto(`/orders/${orderId}`);
    const shown = page.getByTestId("order-address");
    await shown.waitFor();
    const lines = await shown.locator("span").allTextContents();
    assert(
      JSON.stringify(lines) === JSON.stringify(["Pat addresses", "10 Downing Street", "London", "SW1A 2AA", "United Kingdom", phone]),
      `the order shows the Work address the way the UK writes it (got ${JSON.stringify(lines)})`,
    );
    await screenshot(page, "order-address", { fullPage: true });
    await context.close();
    return context.problems;
  },
});

// ---- Accounts: a forgotten password, a deactivated account ---------------------------------------

journeys.push({
  name: "accounts: password reset: a shopper asks for a link, opens the mailed link, sets a new password and signs in with it",
  async run({ browser, baseURL }) {
    const email = `forgetful-${RUN}@example.com`;
    const oldPassword = `pw-old-${RUN}-long`;
    const newPassword = `pw-new-${RUN}-long`;
    await apiCall(baseURL, "POST", "/api/auth/signup", { body: { email, password: oldPassword, full_name: "Fran Forgetful" } });
    const context = await newContext(browser, baseURL);
    const page = await newPage(context);

    await page.goto("/login");
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.waitForURL("**/forgot-password");
    // The URL changes first; the login form (with its own "Email") stays on screen until the page's code
    // has loaded. Fill the new page's field, not the old one's.
    await page.getByRole("heading", { level: 1, name: "Forgot your password?" }).waitFor();
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send me a link" }).click();
    await page.getByTestId("reset-requested").waitFor();

    const [message] = await mailTo(baseURL, email, "Choose a new SmartGrocer password");
    assert(message, "the reset mail was sent");
    const body = typeof message.body === "string" ? message.body : JSON.stringify(message.body);
    const link = body.match(/https?:\/\/[^\s"<]+\/reset-password\?token=[A-Za-z0-9_-]+/)?.[0];
    assert(link && link.startsWith(baseURL.replace(/\/$/, "")), `the mail links to this site (got ${link})`);

    await page.goto(link);
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Repeat the new password").fill(newPassword);
    await screenshot(page, "password-reset");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByTestId("reset-done").waitFor();

    // The link works once.
    await page.goto(link);
    await page.getByLabel("New password", { exact: true }).fill(`${newPassword}-again`);
    await page.getByLabel("Repeat the new password").fill(`${newPassword}-again`);
    await page.getByRole("button", { name: "Set new password" }).click();
    const used = await page.getByTestId("reset-error").textContent();
    assert(/not valid, or was already used/.test(used), `a used link is refused in words (got ${used})`);

    // The old password fails; the new one signs in.
    await page.goto("/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(oldPassword);
    await page.getByRole("button", { name: "Log in" }).click();
    const refused = await page.getByTestId("login-error").textContent();
    assert(refused.includes("don't match"), `the old password no longer works (got ${refused})`);
    await login(page, { email, password: newPassword });
    await context.close();
    return context.problems;
  },
});

journeys.push({
  name: "accounts: a deactivated user signs in with the right password and is told the account is deactivated and how to reach support",
  async run({ browser, baseURL }) {
    const credentials = { email: `closed-${RUN}@example.com`, password: `pw-closed-${RUN}-long` };
    const { user } = await apiCall(baseURL, "POST", "/api/auth/signup", { body: { ...credentials, full_name: "Cass Closed" } });
    const { access_token } = await apiCall(baseURL, "POST", "/api/auth/login", { body: DEMO.admin });
    await apiCall(baseURL, "PATCH", `/api/admin/users/${user.id}`, {
      token: access_token,
      body: { is_active: false, reason: "Repeated chargebacks (browser journey)" },
    });
    const context = await newContext(browser, baseURL);
    const page = await newPage(context);
    await page.goto("/login");
    await page.getByLabel("Email").fill(credentials.email);
    await page.getByLabel("Password").fill("not-the-password-1");
    await page.getByRole("button", { name: "Log in" }).click();
    const wrong = await page.getByTestId("login-error").textContent();
    assert(wrong.includes("don't match") && !wrong.includes("deactivated"), `a wrong password learns nothing (got ${wrong})`);

    await page.getByLabel("Password").fill(credentials.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByTestId("login-error").filter({ hasText: "deactivated" }).waitFor();
    const told = await page.getByTestId("login-error").textContent();
    assert(told.includes("support@"), `the message says how to reach support (got ${told})`);
    assert(new URL(page.url()).pathname === "/login", "they stay on the login page");
    await screenshot(page, "login-deactivated");

    const trail = await apiCall(baseURL, "GET", `/api/admin/users/${user.id}/audit`, { token: access_token });
    assert(trail.items[0]?.reason === "Repeated chargebacks (browser journey)", "the deactivation is in the audit trail");
    await context.close();
    return context.problems;
  },
});

journeys.push({
  name: "seller counts: To pack follows the orders, delivered is confirmed in a dialog, Sold by leads to the seller's page",
  async run({ browser, baseURL }) {
    // Set-up through the API: two new Greenfields orders on top of whatever waits already.
    const before = await sellerOrderCounts(baseURL, DEMO.greenfields);
    const [first] = await confirmedOrders(baseURL, [{ name: "Gala Apples", quantity: 1 }]);
    await confirmedOrders(baseURL, [{ name: "Gala Apples", quantity: 2 }]);
    const toPack = before.confirmed + 2;

    const context = await newContext(browser, baseURL);
    const page = await newPage(context);
    await login(page, DEMO.greenfields);
    await page.getByRole("link", { name: `Orders to pack (${toPack})` }).waitFor();
    await page.getByRole("link", { name: `Orders to pack (${toPack})` }).click();
    await page.waitForURL((url) => url.pathname === "/seller/orders" && url.searchParams.get("status") === "confirmed");
    const tabs = page.getByTestId("status-filter");
    await tabs.getByRole("button", { name: `To pack (${toPack})` }).waitFor();
    const order = page.locator(`[data-testid="seller-order"][data-order-id="${first.id}"]`);
    await order.getByTestId("action-packed").click();
    await tabs.getByRole("button", { name: `To pack (${toPack - 1})` }).waitFor();
    await order.waitFor({ state: "detached" }); // packed: no longer waiting in this tab
    const after = await sellerOrderCounts(baseURL, DEMO.greenfields);
    assert(after.confirmed === toPack - 1, `the API agrees: ${after.confirmed} to pack`);

    await tabs.getByRole("button", { name: /^Packed \(/ }).click();
    await order.getByTestId("action-out_for_delivery").waitFor();
    await order.getByTestId("action-out_for_delivery").click();
    await tabs.getByRole("button", { name: /^Out for delivery \(/ }).click();
    await order.getByTestId("action-delivered").click();
    const dialog = page.getByRole("alertdialog", { name: "Mark this order delivered?" });
    await dialog.waitFor();
    assert((await dialog.textContent()).includes("can't be moved back or cancelled"), "the dialog says it cannot be undone");
    await screenshot(page, "seller-delivered-dialog");
    await page.keyboard.press("Escape"); // not yet: nothing changes
    await dialog.waitFor({ state: "detached" });
    assert((await sellerOrderCounts(baseURL, DEMO.greenfields)).delivered === after.delivered, "keeping it sends nothing");
    await order.getByTestId("action-delivered").click();
    await dialog.getByTestId("confirm-delivered").click();
    await order.waitFor({ state: "detached" }); // delivered: it leaves the "Out for delivery" tab
    await tabs.getByRole("button", { name: `Delivered (${after.delivered + 1})` }).waitFor();
    await screenshot(page, "seller-orders-counts");

    const shopper = await newContext(browser, baseURL);
    const shopperPage = await newPage(shopper);
    await shopperPage.goto("/products?q=Gala%20Apples");
    const card = shopperPage.getByTestId("product-card").filter({ has: shopperPage.getByRole("link", { name: "Gala Apples", exact: true }) });
    await card.getByRole("link", { name: "Greenfields Farm" }).click();
    await shopperPage.waitForURL("**/sellers/*");
    await shopperPage.getByRole("heading", { level: 1, name: "Greenfields Farm" }).waitFor();
    await shopperPage.getByTestId("seller-offer").waitFor();
    await shopperPage.getByTestId("product-grid").getByRole("link", { name: "Gala Apples", exact: true }).waitFor();
    await screenshot(shopperPage, "seller-page", { fullPage: true });

    const problems = [...context.problems, ...shopper.problems];
    await context.close();
    await shopper.close();
    return problems;
  },
});

// Last, so it also sees the data the journeys above left behind.
journeys.push(...accessibilityJourneys);
