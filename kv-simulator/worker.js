// Worker (ES module) of the local Cloudflare Workers KV REST API simulator: serves Cloudflare's
// /client/v4/accounts/:account/storage/kv/namespaces routes over real KV bindings. Run by launch.mjs,
// which passes CONFIG {token, readonlyToken, accountId, dailyWriteLimit, pool: [{binding, id}]},
// the pool bindings KV_0..KV_n and REGISTRY (which pool ids exist, and their titles).

const MAX_KEY_BYTES = 512;
const MAX_VALUE_BYTES = 25 * 1024 * 1024;
const MAX_METADATA_BYTES = 1024;
const MAX_BULK_WRITE = 10000;
const MAX_BULK_GET = 100;
const MIN_TTL = 60;
const FIRST_TITLE = "cachescope-test";

const enc = new TextEncoder();
const dec = new TextDecoder();

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
const fail = (status, code, message) => {
  throw new ApiError(status, code, message);
};

const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
const ok = (result, resultInfo) =>
  json(200, { success: true, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) });
const errorResponse = (e) =>
  json(e.status, { success: false, errors: [{ code: e.code, message: e.message }], messages: [], result: null });

// ---- namespace registry: {id: title} in REGISTRY under "namespaces", cached in the isolate ----
let registry = null;
async function loadRegistry(env) {
  if (!registry) {
    registry = await env.REGISTRY.get("namespaces", "json");
    if (!registry) {
      registry = { [env.CONFIG.pool[0].id]: FIRST_TITLE };
      await saveRegistry(env);
    }
  }
  return registry;
}
const saveRegistry = (env) => env.REGISTRY.put("namespaces", JSON.stringify(registry));
const nsInfo = (id) => ({ id, title: registry[id], supports_url_encoding: true });

// ---- free-plan write counter (in memory, per UTC day) ----
let writes = { day: "", count: 0 };
function chargeWrites(env, n) {
  const limit = env.CONFIG.dailyWriteLimit;
  if (!limit) return;
  const day = new Date().toISOString().slice(0, 10);
  if (writes.day !== day) writes = { day, count: 0 };
  if (writes.count + n > limit) fail(429, 10048, "free usage limit exceeded");
  writes.count += n;
}

// ---- validation ----
function checkKey(key) {
  if (typeof key !== "string" || key.length === 0) fail(400, 10019, "key names must be non-empty strings of at most 512 bytes");
  const len = enc.encode(key).length;
  if (len > MAX_KEY_BYTES) fail(400, 10019, `key name too long: ${len} bytes, the maximum is ${MAX_KEY_BYTES} bytes`);
  if (key === "." || key === "..") fail(400, 10020, `illegal key name '${key}': '.' and '..' are not allowed`);
}
function checkValueSize(bytes) {
  if (bytes.length > MAX_VALUE_BYTES)
    fail(413, 10011, `value length of ${bytes.length} exceeds limit of ${MAX_VALUE_BYTES} bytes`);
}
function checkMetadata(metadata) {
  if (metadata === undefined || metadata === null) return;
  const len = enc.encode(JSON.stringify(metadata)).length;
  if (len > MAX_METADATA_BYTES)
    fail(413, 10012, `metadata too large: ${len} bytes serialized, the maximum is ${MAX_METADATA_BYTES} bytes`);
}
// Returns the put() options for an expiration / expiration_ttl pair (ttl wins when both are given).
function expiryOptions(expiration, ttl) {
  const blank = (v) => v === undefined || v === null || v === "";
  if (!blank(ttl)) {
    const n = Number(ttl);
    if (!Number.isInteger(n)) fail(400, 10021, `invalid expiration_ttl of ${ttl}: must be an integer number of seconds`);
    if (n < MIN_TTL) fail(400, 10021, `invalid expiration_ttl of ${n}: expiration_ttl must be at least ${MIN_TTL}`);
    return { expirationTtl: n };
  }
  if (!blank(expiration)) {
    const n = Number(expiration);
    const now = Math.floor(Date.now() / 1000);
    if (!Number.isInteger(n)) fail(400, 10021, `invalid expiration of ${expiration}: must be an integer UNIX time in seconds`);
    if (n < now + MIN_TTL)
      fail(400, 10021, `invalid expiration of ${n}: expiration must be at least ${MIN_TTL} seconds in the future (now ${now})`);
    return { expiration: n };
  }
  return {};
}
function parseJson(bytes) {
  try {
    return JSON.parse(dec.decode(bytes));
  } catch (e) {
    fail(400, 10026, `could not parse request body as JSON: ${e.message}`);
  }
}

// Binding exceptions become 400 envelopes, never a 500 page.
async function binding(promise) {
  try {
    return await promise;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    const msg = String(e?.message ?? e);
    if (/metadata/i.test(msg)) fail(413, 10012, `metadata too large: ${msg}`);
    if (/expiration/i.test(msg)) fail(400, 10021, msg);
    if (/value length|too large/i.test(msg)) fail(413, 10011, msg);
    if (/key/i.test(msg) && /long|length|bytes|empty|illegal/i.test(msg)) fail(400, 10019, msg);
    fail(400, 10001, `storage rejected the request: ${msg}`);
  }
}

// Expiration of one existing key: list with prefix=key; the exact key sorts first.
async function expirationOf(kv, key) {
  const { keys } = await binding(kv.list({ prefix: key, limit: 1 }));
  return keys[0]?.name === key ? keys[0] : null;
}

// ---- multipart/form-data, parsed by hand (request.formData() corrupts binary parts) ----
function indexOf(hay, needle, from) {
  const first = needle[0];
  for (let i = hay.indexOf(first, from); i !== -1 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}
function parseMultipart(body, contentType) {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!m) fail(400, 10026, "multipart body without a boundary");
  const delim = enc.encode("\r\n--" + (m[1] ?? m[2]));
  // Prepend CRLF so the first delimiter looks like the others.
  const data = new Uint8Array(body.length + 2);
  data.set([13, 10]);
  data.set(body, 2);
  const parts = {};
  let pos = indexOf(data, delim, 0);
  if (pos === -1) fail(400, 10026, "malformed multipart body");
  for (;;) {
    pos += delim.length;
    if (data[pos] === 45 && data[pos + 1] === 45) break; // "--": closing delimiter
    const headersEnd = indexOf(data, enc.encode("\r\n\r\n"), pos);
    if (headersEnd === -1) fail(400, 10026, "malformed multipart body");
    const headers = dec.decode(data.subarray(pos, headersEnd));
    const next = indexOf(data, delim, headersEnd + 4);
    if (next === -1) fail(400, 10026, "malformed multipart body (no closing boundary)");
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(headers)?.[1];
    if (name !== undefined) parts[name] = data.subarray(headersEnd + 4, next);
    pos = next;
  }
  return parts;
}

// ---- routes ----
async function listNamespaces(env, url) {
  const page = Math.max(1, parseInt(url.searchParams.get("page") ?? "1", 10) || 1);
  const perPage = Math.min(100, Math.max(5, parseInt(url.searchParams.get("per_page") ?? "20", 10) || 20));
  const order = url.searchParams.get("order") === "id" ? "id" : "title";
  const sign = url.searchParams.get("direction") === "desc" ? -1 : 1;
  const all = Object.keys(registry)
    .map(nsInfo)
    .sort((a, b) => sign * (a[order] < b[order] ? -1 : a[order] > b[order] ? 1 : 0));
  const result = all.slice((page - 1) * perPage, page * perPage);
  return ok(result, { page, per_page: perPage, count: result.length, total_count: all.length });
}

function checkTitle(body, exceptId) {
  const title = parseJson(body)?.title;
  if (typeof title !== "string" || title.trim() === "") fail(400, 10026, "a non-empty string 'title' is required");
  if (Object.entries(registry).some(([id, t]) => t === title && id !== exceptId))
    fail(400, 10014, "a namespace with this account ID and title already exists");
  return title;
}

async function createNamespace(env, body) {
  const title = checkTitle(body);
  const free = env.CONFIG.pool.find((p) => !(p.id in registry));
  if (!free)
    fail(400, 10099, `the simulator's pool of ${env.CONFIG.pool.length} namespaces is used up; delete one first`);
  registry[free.id] = title;
  await saveRegistry(env);
  return ok(nsInfo(free.id));
}

async function deleteNamespace(env, id, kv) {
  delete registry[id];
  await saveRegistry(env);
  // Empty the pool binding so a later create starts from a clean namespace.
  for (let cursor; ; ) {
    const page = await kv.list({ cursor });
    await Promise.all(page.keys.map((k) => kv.delete(k.name)));
    if (page.list_complete) break;
    cursor = page.cursor;
  }
  return ok({});
}

async function listKeys(kv, url) {
  const q = url.searchParams;
  const limit = q.get("limit") ? Number(q.get("limit")) : 1000;
  if (!Number.isInteger(limit) || limit < 10 || limit > 1000)
    fail(400, 10026, `invalid limit ${q.get("limit")}: must be an integer between 10 and 1000`);
  const opts = { limit };
  if (q.get("prefix")) opts.prefix = q.get("prefix");
  if (q.get("cursor")) opts.cursor = q.get("cursor");
  const page = await binding(kv.list(opts));
  const result = page.keys.map((k) => ({
    name: k.name,
    ...(k.expiration !== undefined ? { expiration: k.expiration } : {}),
    ...(k.metadata !== undefined && k.metadata !== null ? { metadata: k.metadata } : {}),
  }));
  return ok(result, { count: result.length, cursor: page.list_complete ? "" : page.cursor });
}

const notFound = () => fail(404, 10009, "get: 'key not found'");

async function getValue(kv, key) {
  const { value } = await binding(kv.getWithMetadata(key, { type: "arrayBuffer" }));
  if (value === null) notFound();
  const headers = { "content-type": "application/octet-stream" };
  const listed = await expirationOf(kv, key);
  if (listed?.expiration !== undefined) headers.expiration = String(listed.expiration);
  return new Response(value, { status: 200, headers });
}

async function getMetadata(kv, key) {
  const listed = await expirationOf(kv, key);
  if (!listed) notFound();
  return ok(listed.metadata ?? null);
}

async function putValue(env, kv, key, url, request, body) {
  const contentType = request.headers.get("content-type") ?? "";
  let value = body;
  let metadata;
  if (/^multipart\/form-data/i.test(contentType)) {
    const parts = parseMultipart(body, contentType);
    if (!parts.value) fail(400, 10026, "multipart body has no 'value' part");
    value = parts.value;
    if (parts.metadata !== undefined && parts.metadata.length > 0) {
      metadata = parseJson(parts.metadata);
      checkMetadata(metadata);
    }
  }
  checkValueSize(value);
  const opts = expiryOptions(url.searchParams.get("expiration"), url.searchParams.get("expiration_ttl"));
  if (metadata !== undefined) opts.metadata = metadata;
  chargeWrites(env, 1);
  await binding(kv.put(key, value, opts));
  return ok({});
}

function decodeBase64(s, key) {
  try {
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  } catch {
    fail(400, 10026, `value of key '${key}' is not valid base64`);
  }
}

async function bulkPut(env, kv, body) {
  const items = parseJson(body);
  if (!Array.isArray(items)) fail(400, 10026, "body must be a JSON array of {key, value} objects");
  if (items.length > MAX_BULK_WRITE) fail(400, 10026, `too many items: ${items.length}, the maximum is ${MAX_BULK_WRITE}`);
  const writes = items.map((it) => {
    if (!it || typeof it !== "object" || typeof it.value !== "string")
      fail(400, 10026, "each item needs a string 'key' and a string 'value'");
    checkKey(it.key);
    const value = it.base64 ? decodeBase64(it.value, it.key) : it.value;
    checkValueSize(typeof value === "string" ? enc.encode(value) : value);
    checkMetadata(it.metadata);
    const opts = expiryOptions(it.expiration, it.expiration_ttl);
    if (it.metadata !== undefined && it.metadata !== null) opts.metadata = it.metadata;
    return [it.key, value, opts];
  });
  chargeWrites(env, writes.length);
  await binding(Promise.all(writes.map(([k, v, o]) => kv.put(k, v, o))));
  return ok({ successful_key_count: writes.length, unsuccessful_keys: [] });
}

async function bulkDelete(env, kv, body) {
  const keys = parseJson(body);
  if (!Array.isArray(keys)) fail(400, 10026, "body must be a JSON array of key names");
  if (keys.length > MAX_BULK_WRITE) fail(400, 10026, `too many keys: ${keys.length}, the maximum is ${MAX_BULK_WRITE}`);
  keys.forEach(checkKey);
  chargeWrites(env, keys.length);
  await binding(Promise.all(keys.map((k) => kv.delete(k))));
  return ok({ successful_key_count: keys.length, unsuccessful_keys: [] });
}

async function bulkGet(kv, body) {
  const req = parseJson(body);
  const keys = req?.keys;
  if (!Array.isArray(keys)) fail(400, 10026, "body must be {keys: [...]}");
  if (keys.length > MAX_BULK_GET) fail(400, 10026, `too many keys: ${keys.length}, the maximum is ${MAX_BULK_GET}`);
  const type = req.type ?? "text";
  if (type !== "text" && type !== "json") fail(400, 10026, "type must be 'text' or 'json'");
  keys.forEach(checkKey);
  const values = Object.fromEntries(keys.map((k) => [k, null])); // keeps the request's order
  await Promise.all(
    keys.map(async (key) => {
      const { value, metadata } = await binding(kv.getWithMetadata(key, { type: "text" }));
      let v = value;
      if (v !== null && type === "json") {
        try {
          v = JSON.parse(v);
        } catch {
          fail(400, 10026, `value of key '${key}' is not valid JSON`);
        }
      }
      if (!req.withMetadata || v === null) return void (values[key] = v);
      const listed = await expirationOf(kv, key);
      values[key] = { value: v, metadata: metadata ?? null, ...(listed?.expiration !== undefined ? { expiration: listed.expiration } : {}) };
    }),
  );
  return ok({ values });
}

const WRITE_METHODS = new Set(["PUT", "POST", "DELETE", "PATCH"]);

async function route(request, env, body) {
  const cfg = env.CONFIG;
  const url = new URL(request.url);
  // Split the raw path before decoding so that %2F inside a key stays part of the key.
  const seg = url.pathname.split("/").slice(1);
  const noRoute = () => fail(404, 7003, `Could not route to ${url.pathname}, perhaps your object identifier is invalid?`);
  if (seg[0] !== "client" || seg[1] !== "v4" || seg[2] !== "accounts" || seg[4] !== "storage" || seg[5] !== "kv" || seg[6] !== "namespaces")
    noRoute();
  if (seg[3] !== cfg.accountId) noRoute();

  const auth = request.headers.get("authorization") ?? "";
  const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
  const readonly = !!cfg.readonlyToken && token === cfg.readonlyToken;
  if (!token || (token !== cfg.token && !readonly)) fail(403, 10000, "Authentication error");
  if (readonly && WRITE_METHODS.has(request.method) && !(seg[8] === "bulk" && seg[9] === "get"))
    fail(403, 10037, "Authentication error: this token has read-only permissions (missing Workers KV Storage Write)");

  await loadRegistry(env);
  const rest = seg.slice(7);
  const m = request.method;
  if (rest.length === 0 || (rest.length === 1 && rest[0] === "")) {
    if (m === "GET") return listNamespaces(env, url);
    if (m === "POST") return createNamespace(env, body);
    noRoute();
  }
  const nsId = rest[0];
  const poolIndex = cfg.pool.findIndex((p) => p.id === nsId);
  if (poolIndex === -1 || !(nsId in registry)) fail(404, 10013, "namespace not found");
  const kv = env[cfg.pool[poolIndex].binding];
  const [what, ...tail] = rest.slice(1);

  if (what === undefined) {
    if (m === "GET") return ok(nsInfo(nsId));
    if (m === "DELETE") return deleteNamespace(env, nsId, kv);
    if (m === "PUT") {
      registry[nsId] = checkTitle(body, nsId);
      await saveRegistry(env);
      return ok({});
    }
    noRoute();
  }
  if (what === "keys" && tail.length === 0 && m === "GET") return listKeys(kv, url);
  if (what === "bulk") {
    if (tail.length === 0 && m === "PUT") return bulkPut(env, kv, body);
    if (tail.length === 0 && m === "DELETE") return bulkDelete(env, kv, body);
    if (tail.length === 1 && tail[0] === "delete" && m === "POST") return bulkDelete(env, kv, body);
    if (tail.length === 1 && tail[0] === "get" && m === "POST") return bulkGet(kv, body);
    noRoute();
  }
  if ((what === "values" || what === "metadata") && tail.length === 1) {
    let key;
    try {
      key = decodeURIComponent(tail[0]);
    } catch {
      fail(400, 10019, "key name is not valid percent-encoded UTF-8");
    }
    checkKey(key);
    if (what === "metadata" && m === "GET") return getMetadata(kv, key);
    if (what === "values") {
      if (m === "GET") return getValue(kv, key);
      if (m === "PUT") return putValue(env, kv, key, url, request, body);
      if (m === "DELETE") {
        chargeWrites(env, 1);
        await binding(kv.delete(key));
        return ok({});
      }
    }
  }
  if (what === "values" && tail.length === 0) fail(400, 10019, "key names must be non-empty strings of at most 512 bytes");
  noRoute();
}

export default {
  async fetch(request, env) {
    try {
      // Always drain the body first: answering before reading it breaks keep-alive connections.
      const body = new Uint8Array(await request.arrayBuffer());
      return await route(request, env, body);
    } catch (e) {
      if (e instanceof ApiError) return errorResponse(e);
      console.error("kv-simulator: unexpected error:", e?.stack ?? e);
      return errorResponse(new ApiError(400, 10001, `unexpected error: ${e?.message ?? e}`));
    }
  },
};
