// Contract test of the KV simulator: every answer it gives on the routes Cachescope uses (successes
// and errors) is validated with Ajv against the response schema that cloudflare-kv.openapi.json
// (Cloudflare's published contract) declares for that route, method and status, content type
// included. Run: npm run test:contract
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, "..");
const spec = JSON.parse(readFileSync(path.join(root, "cloudflare-kv.openapi.json"), "utf8"));
const NS = "/accounts/{account_id}/storage/kv/namespaces";
const REQUEST_TIMEOUT_MS = 15_000;

// OpenAPI 3.0's `nullable: true` is JSON Schema's "or null".
function toJsonSchema(node) {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== "object") return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, toJsonSchema(v)]));
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [out, { type: "null" }] };
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema({ ...toJsonSchema(spec), $id: "cloudflare-kv" });
const pointer = (...parts) => parts.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

/** The response object the contract declares for this route, method and status. */
function declared(route, method, status) {
  const responses = spec.paths[route]?.[method.toLowerCase()]?.responses;
  assert.ok(responses, `the contract has no ${method} ${route}`);
  const key = [String(status), `${String(status)[0]}XX`, "default"].find((k) => k in responses);
  assert.ok(key, `the contract declares no HTTP ${status} for ${method} ${route}`);
  return { key, response: responses[key] };
}

/** Checks one answer against the contract; returns the parsed JSON body (or the raw bytes). */
async function conforms(res, route, method) {
  const { key, response } = declared(route, method, res.status);
  const type = (res.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  const media = Object.keys(response.content ?? {});
  assert.ok(media.includes(type), `${method} ${route} -> ${res.status}: content type ${type || "(none)"}, the contract says ${media.join(", ")}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (type !== "application/json") return bytes;
  const body = JSON.parse(new TextDecoder().decode(bytes));
  const ref = `cloudflare-kv#/${pointer("paths", route, method.toLowerCase(), "responses", key, "content", type, "schema")}`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  assert.ok(validate(body), `${method} ${route} -> ${res.status} breaks the contract: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
  return body;
}

let sim;
let child;

before(async () => {
  child = spawn(process.execPath, [path.join(root, "launch.mjs"), "--port", "0"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  sim = await new Promise((resolve, reject) => {
    let line = "";
    const timer = setTimeout(() => reject(new Error("the simulator did not start within 60 s")), 60_000);
    child.on("exit", (code) => reject(new Error(`the simulator exited (${code}) before its ready line`)));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      line += chunk;
      const nl = line.indexOf("\n");
      if (nl === -1) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice(0, nl)));
    });
  });
});

after(() => {
  child?.stdin.end(); // the launcher's lifeline: it stops when its stdin closes
});

function call(method, suffix, { token = sim.token, body, headers = {} } = {}) {
  return fetch(`${sim.url}/accounts/${sim.accountId}/storage/kv/namespaces${suffix}`, {
    method,
    body,
    headers: { authorization: `Bearer ${token}`, ...headers },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}
const nsPath = (suffix) => `/${sim.namespaceId}${suffix}`;
const jsonBody = (value) => ({ body: JSON.stringify(value), headers: { "content-type": "application/json" } });
const key = (name) => encodeURIComponent(`contract/${name}`);

test("list namespaces", async () => {
  const body = await conforms(await call("GET", "?page=1&per_page=100"), NS, "GET");
  assert.ok(body.result.some((ns) => ns.id === sim.namespaceId));
});

test("write, read and delete one value, raw and with metadata", async () => {
  const values = `${NS}/{namespace_id}/values/{key_name}`;
  const metadataRoute = `${NS}/{namespace_id}/metadata/{key_name}`;
  await conforms(
    await call("PUT", nsPath(`/values/${key("raw")}?expiration_ttl=3600`), {
      body: new Uint8Array([0, 255, 1]),
      headers: { "content-type": "application/octet-stream" },
    }),
    values,
    "PUT",
  );
  const form = new FormData();
  form.append("value", new Blob([new Uint8Array([7, 8, 9])]));
  form.append("metadata", JSON.stringify({ report: "sales", n: 1 }));
  await conforms(await call("PUT", nsPath(`/values/${key("meta")}`), { body: form }), values, "PUT");

  const raw = await call("GET", nsPath(`/values/${key("raw")}`));
  assert.deepEqual([...(await conforms(raw, values, "GET"))], [0, 255, 1]);
  assert.match(raw.headers.get("expiration") ?? "", /^\d+$/);

  const meta = await conforms(await call("GET", nsPath(`/metadata/${key("meta")}`)), metadataRoute, "GET");
  assert.deepEqual(meta.result, { report: "sales", n: 1 });
  const none = await conforms(await call("GET", nsPath(`/metadata/${key("raw")}`)), metadataRoute, "GET");
  assert.equal(none.result, null);

  for (const name of ["raw", "meta"]) await conforms(await call("DELETE", nsPath(`/values/${key(name)}`)), values, "DELETE");
  const gone = await conforms(await call("GET", nsPath(`/values/${key("raw")}`)), values, "GET");
  assert.equal(gone.errors[0].code, 10009);
  const goneMeta = await conforms(await call("GET", nsPath(`/metadata/${key("raw")}`)), metadataRoute, "GET");
  assert.equal(goneMeta.errors[0].code, 10009);
});

test("bulk write, list in pages, bulk read and bulk delete", async () => {
  const names = Array.from({ length: 12 }, (_, i) => `contract/bulk/${String(i).padStart(2, "0")}`);
  const items = names.map((k, i) => ({ key: k, value: `v${i}`, ...(i % 2 ? { metadata: { i } } : {}) }));
  items.push({ key: "contract/bulk/bin", value: "AP8B", base64: true, expiration_ttl: 3600 });
  await conforms(await call("PUT", nsPath("/bulk"), jsonBody(items)), `${NS}/{namespace_id}/bulk`, "PUT");

  const keys = `${NS}/{namespace_id}/keys`;
  const first = await conforms(await call("GET", nsPath("/keys?limit=10&prefix=contract%2Fbulk%2F")), keys, "GET");
  assert.equal(first.result.length, 10);
  assert.ok(first.result_info.cursor);
  const next = await conforms(
    await call("GET", nsPath(`/keys?limit=10&prefix=contract%2Fbulk%2F&cursor=${encodeURIComponent(first.result_info.cursor)}`)),
    keys,
    "GET",
  );
  assert.equal(next.result.length, 3);
  assert.equal(next.result_info.cursor, "");

  const bulkGet = `${NS}/{namespace_id}/bulk/get`;
  for (const withMetadata of [true, false]) {
    const got = await conforms(
      await call("POST", nsPath("/bulk/get"), jsonBody({ keys: [names[1], "contract/bulk/missing"], type: "text", withMetadata })),
      bulkGet,
      "POST",
    );
    assert.equal(got.result.values["contract/bulk/missing"], null);
    assert.deepEqual(got.result.values[names[1]], withMetadata ? { value: "v1", metadata: { i: 1 } } : "v1");
  }

  const deleted = await conforms(
    await call("POST", nsPath("/bulk/delete"), jsonBody([...names, "contract/bulk/bin"])),
    `${NS}/{namespace_id}/bulk/delete`,
    "POST",
  );
  assert.equal(deleted.result.successful_key_count, 13);
});

test("error answers are Cloudflare failure envelopes", async () => {
  const cases = [
    ["GET", nsPath("/keys"), `${NS}/{namespace_id}/keys`, { token: "wrong-token" }, 10000],
    ["PUT", nsPath(`/values/${key("ro")}`), `${NS}/{namespace_id}/values/{key_name}`, { token: sim.readonlyToken, body: "x" }, 10037],
    ["GET", nsPath("/keys?limit=5"), `${NS}/{namespace_id}/keys`, {}, 10026],
    ["GET", "/ffffffffffffffffffffffffffffffff/keys", `${NS}/{namespace_id}/keys`, {}, 10013],
    ["PUT", nsPath(`/values/${key("ttl")}?expiration_ttl=5`), `${NS}/{namespace_id}/values/{key_name}`, { body: "x" }, 10021],
    ["PUT", nsPath("/bulk"), `${NS}/{namespace_id}/bulk`, jsonBody({ not: "an array" }), 10026],
    ["POST", nsPath("/bulk/delete"), `${NS}/{namespace_id}/bulk/delete`, { body: "[", headers: { "content-type": "application/json" } }, 10026],
    ["POST", nsPath("/bulk/get"), `${NS}/{namespace_id}/bulk/get`, jsonBody({ keys: Array(101).fill("k") }), 10026],
  ];
  for (const [method, suffix, route, options, code] of cases) {
    const res = await call(method, suffix, options);
    assert.ok(res.status >= 400 && res.status < 500, `${method} ${suffix}: HTTP ${res.status}`);
    const body = await conforms(res, route, method);
    assert.equal(body.errors[0].code, code, `${method} ${suffix}`);
  }
});
