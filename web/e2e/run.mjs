#!/usr/bin/env node
// Browser end-to-end journeys against a running SmartGrocer (SPA + API on one origin).
// Usage: E2E_BASE_URL=http://127.0.0.1:8000 npm run e2e   [E2E_ONLY=substring to run some]
// The Python side starts a fresh, seeded local runner and calls this (tests/e2e).
import { rmSync } from "node:fs";
import { journeys, prepare } from "./journeys.mjs";
import { ARTIFACTS, launchBrowser, screenshot } from "./lib.mjs";

const baseURL = process.env.E2E_BASE_URL;
if (!baseURL) {
  console.error("Set E2E_BASE_URL to the running app, e.g. E2E_BASE_URL=http://127.0.0.1:8000 npm run e2e");
  process.exit(2);
}

const only = process.env.E2E_ONLY;
const selected = only ? journeys.filter((journey) => journey.name.includes(only)) : journeys;

// A full run starts from a clean folder; a filtered run keeps the other journeys' pictures.
if (!only) rmSync(ARTIFACTS, { recursive: true, force: true });
await prepare?.({ baseURL });
const browser = await launchBrowser();
const state = {};
let passed = 0;
let failed = 0;

for (const journey of selected) {
  const started = Date.now();
  try {
    const problems = (await journey.run({ browser, baseURL, state })) ?? [];
    if (problems.length) throw new Error(problems.join("\n"));
    passed++;
    console.log(`  ✓ ${journey.name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed++;
    console.log(`  ✗ ${journey.name} (${Date.now() - started} ms)\n    ${String(error?.stack ?? error).replaceAll("\n", "\n    ")}`);
    // Keep a picture of every open page for the post-mortem.
    for (const [index, context] of browser.contexts().entries()) {
      for (const [pageIndex, page] of context.pages().entries()) {
        await screenshot(page, `FAILED-${journey.name.slice(0, 40).replace(/\W+/g, "-")}-${index}-${pageIndex}`, { fullPage: true }).catch(() => {});
      }
    }
  }
}

await browser.close();
console.log(`\ne2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
