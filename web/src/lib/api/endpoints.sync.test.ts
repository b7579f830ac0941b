// Keeps the client honest: every path+method it calls must exist in the API's contract.
// The contract is the generated ../openapi.json; the route table in the layer (routes.py) is the
// single source both are built from, so it is checked too and used when openapi.json is absent.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { buildPath, buildQuery, ENDPOINTS, type Endpoint } from "./endpoints";

const repoRoot = resolve(__dirname, "../../../..");
const openapiPath = resolve(repoRoot, "openapi.json");
const routesPath = resolve(repoRoot, "layers/smartgrocer/python/smartgrocer/routes.py");

const apiEndpoints = Object.entries(ENDPOINTS as Record<string, Endpoint>).filter(([, endpoint]) => !endpoint.localOnly);

/** "/api/products/{id}" and "/api/products/{product_id}" are the same route. */
const normalise = (path: string) => path.replace(/\{[^}]+\}/g, "{}").replace(/\/+$/, "");

function openapiOperations(): Set<string> {
  const spec = JSON.parse(readFileSync(openapiPath, "utf8")) as { paths: Record<string, Record<string, unknown>> };
  const operations = new Set<string>();
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of Object.keys(item)) {
      if (["get", "post", "put", "patch", "delete"].includes(method)) operations.add(`${method.toUpperCase()} ${normalise(path)}`);
    }
  }
  return operations;
}

function routeTableOperations(): Set<string> {
  const source = readFileSync(routesPath, "utf8");
  const operations = new Set<string>();
  for (const match of source.matchAll(/_r\(\s*"[^"]+",\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)"/g)) {
    operations.add(`${match[1]} ${normalise(match[2])}`);
  }
  return operations;
}

describe("API client endpoints", () => {
  it("has a contract to check against", () => {
    expect(existsSync(openapiPath) || existsSync(routesPath)).toBe(true);
  });

  it.runIf(existsSync(openapiPath))("exist in openapi.json with the same method", () => {
    const operations = openapiOperations();
    const missing = apiEndpoints
      .map(([name, endpoint]) => [name, `${endpoint.method} ${normalise(endpoint.path)}`] as const)
      .filter(([, operation]) => !operations.has(operation));
    expect(missing, `client calls not in openapi.json: ${JSON.stringify(missing)}`).toEqual([]);
  });

  it.runIf(existsSync(routesPath))("exist in the backend route table with the same method", () => {
    const operations = routeTableOperations();
    expect(operations.size).toBeGreaterThan(10);
    const missing = apiEndpoints
      .map(([name, endpoint]) => [name, `${endpoint.method} ${normalise(endpoint.path)}`] as const)
      .filter(([, operation]) => !operations.has(operation));
    expect(missing, `client calls not in routes.py: ${JSON.stringify(missing)}`).toEqual([]);
  });

  it("keeps the local-only calls outside /api", () => {
    for (const endpoint of Object.values(ENDPOINTS as Record<string, Endpoint>)) {
      expect(endpoint.path.startsWith("/api/")).toBe(!endpoint.localOnly);
    }
  });
});

describe("buildPath / buildQuery", () => {
  it("encodes path parameters and refuses missing ones", () => {
    expect(buildPath("/api/products/{id}/images", { id: "a b/c" })).toBe("/api/products/a%20b%2Fc/images");
    expect(() => buildPath("/api/products/{id}", {})).toThrow(/missing path parameter/);
  });

  it("drops undefined, null and empty values", () => {
    expect(buildQuery({ q: "milk", cursor: undefined, status: "", limit: 20, x: null })).toBe("?q=milk&limit=20");
    expect(buildQuery({})).toBe("");
  });
});
