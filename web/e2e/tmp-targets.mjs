import { DEMO, login, newContext, newPage, launchBrowser, apiCall } from "./lib.mjs";
const baseURL = "http://127.0.0.1:8123";
const browser = await launchBrowser();
const ctx = await newContext(browser, baseURL, { viewport: { width: 390, height: 844 } });
const page = await newPage(ctx);
await login(page, DEMO.shopper);
const found = await apiCall(baseURL, "GET", "/api/products?q=carrots&limit=5");
const id = found.items[0].id;
await page.goto(`/products/${id}`);
await page.getByTestId("add-to-basket").first().click();
for (const url of ["/", "/products", `/products/${id}`, "/basket", "/checkout", "/orders"]) {
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector("main h1") && !document.querySelector('[aria-busy="true"]'));
  const small = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('button, a[href], input:not([type=hidden]), select, [role=button], [role=checkbox], [role=radio], label:has(input[type=radio]), label:has(input[type=checkbox])')) {
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden") continue;
      if (el.matches("input[type=radio], input[type=checkbox]") && el.closest("label")) continue;
      if (el.closest("p") && el.tagName === "A") continue; // a link inside a sentence
      if (r.width < 44 || r.height < 44) out.push(`${el.tagName.toLowerCase()}${el.dataset.testid ? "[" + el.dataset.testid + "]" : ""} "${(el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    return out;
  });
  const h = await page.evaluate(() => { const b = document.querySelector('[data-testid="place-order"], [data-testid="checkout-button"]'); if (!b) return null; const r = b.getBoundingClientRect(); return `${Math.round(r.top)}..${Math.round(r.bottom)} of ${innerHeight}`; });
  console.log(url, small.length, h); for (const s of small) console.log("   ", s);
}
await browser.close();
