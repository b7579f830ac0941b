#!/usr/bin/env node
// Fails the build when the JavaScript a first visit downloads exceeds the budget (gzip).
// "First load" = the entry chunk and everything it imports statically (what index.html loads),
// plus the chunks of the landing route (the home page), which load right after.
import { readFileSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const BUDGET_KB = Number(process.env.BUNDLE_BUDGET_KB ?? 250);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const manifestPath = join(dist, ".vite", "manifest.json");

if (!existsSync(manifestPath)) {
  console.error(`check-bundle-size: ${manifestPath} not found; run "npm run build" first.`);
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));

function staticClosure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const child of manifest[key]?.imports ?? []) staticClosure(child, seen);
  return seen;
}

const entryKey = Object.keys(manifest).find((key) => manifest[key].isEntry);
if (!entryKey) {
  console.error("check-bundle-size: no entry chunk in the manifest");
  process.exit(2);
}
const homeKey = Object.keys(manifest).find((key) => /pages\/HomePage\.tsx$/.test(key));

const firstLoad = staticClosure(entryKey);
if (homeKey) staticClosure(homeKey, firstLoad);

const gzipKb = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length / 1024;

let total = 0;
const rows = [];
for (const key of firstLoad) {
  const file = manifest[key].file;
  if (!file.endsWith(".js")) continue;
  const size = gzipKb(file);
  total += size;
  rows.push([file, size]);
}
rows.sort((a, b) => b[1] - a[1]);
for (const [file, size] of rows) console.log(`  ${size.toFixed(1).padStart(7)} KB  ${file}`);

const css = new Set();
for (const key of firstLoad) for (const file of manifest[key].css ?? []) css.add(file);
const cssKb = [...css].reduce((sum, file) => sum + gzipKb(file), 0);

console.log(`First-load JS: ${total.toFixed(1)} KB gzip (budget ${BUDGET_KB} KB); CSS: ${cssKb.toFixed(1)} KB gzip`);
if (total > BUDGET_KB) {
  console.error(`check-bundle-size: first-load JS is over budget by ${(total - BUDGET_KB).toFixed(1)} KB`);
  process.exit(1);
}
