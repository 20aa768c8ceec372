// Launcher of the local Cloudflare Workers KV REST API simulator: starts worker.js in Miniflare with a
// pool of KV bindings, prints one JSON "ready" line on stdout, and stops (disposing Miniflare so
// workerd exits) when its stdin closes, or on SIGTERM/SIGINT. Logs go to stderr only.
//   node kv-simulator/launch.mjs [--port 0] [--host 127.0.0.1] [--token T] [--readonly-token T]
//        [--account ID] [--persist DIR] [--daily-write-limit N]
import { createHash } from "node:crypto";
import { fstatSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Log, LogLevel, Miniflare } from "miniflare";

const POOL_SIZE = 16;
const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const opts = {
    port: 0,
    host: "127.0.0.1",
    token: "cachescope-test-token",
    readonlyToken: "cachescope-test-readonly-token",
    account: "0123456789abcdef0123456789abcdef",
    persist: "",
    dailyWriteLimit: 0,
  };
  const names = {
    "--port": "port", "--host": "host", "--token": "token", "--readonly-token": "readonlyToken",
    "--account": "account", "--persist": "persist", "--daily-write-limit": "dailyWriteLimit",
  };
  for (let i = 0; i < argv.length; i++) {
    let [flag, value] = argv[i].split(/=(.*)/s);
    if (flag === "--help" || flag === "-h") {
      process.stderr.write(`usage: node launch.mjs ${Object.keys(names).map((n) => `[${n} V]`).join(" ")}\n`);
      process.exit(0);
    }
    const name = names[flag];
    if (!name) die(`unknown option ${flag}`);
    if (value === undefined) value = argv[++i];
    if (value === undefined) die(`option ${flag} needs a value`);
    if (name === "port" || name === "dailyWriteLimit") {
      value = Number(value);
      if (!Number.isInteger(value) || value < 0) die(`option ${flag} needs a non-negative integer`);
    }
    opts[name] = value;
  }
  return opts;
}

function die(msg) {
  process.stderr.write(`kv-simulator: ${msg}\n`);
  process.exit(2);
}

// Miniflare's own log lines go to stderr, keeping stdout for the ready line.
class StderrLog extends Log {
  log(message) {
    process.stderr.write(message + "\n");
  }
}

const opts = parseArgs(process.argv.slice(2));
const started = Date.now();
// Deterministic 32-hex-char namespace ids, the same on every start (so --persist data lines up).
const pool = Array.from({ length: POOL_SIZE }, (_, i) => ({
  binding: `KV_${i}`,
  id: createHash("sha256").update(`cachescope-kv-simulator:${i}`).digest("hex").slice(0, 32),
}));
const kvNamespaces = { REGISTRY: "kv-simulator-registry" };
for (const p of pool) kvNamespaces[p.binding] = p.id;

const mf = new Miniflare({
  modules: true,
  scriptPath: path.join(here, "worker.js"),
  modulesRoot: here,
  compatibilityDate: "2025-09-01",
  cf: false,
  host: opts.host,
  port: opts.port,
  log: new StderrLog(LogLevel.WARN),
  handleRuntimeStdio(stdout, stderr) {
    stdout.pipe(process.stderr);
    stderr.pipe(process.stderr);
  },
  kvNamespaces,
  kvPersist: opts.persist ? path.resolve(opts.persist) : false,
  bindings: {
    CONFIG: {
      token: opts.token,
      readonlyToken: opts.readonlyToken,
      accountId: opts.account,
      dailyWriteLimit: opts.dailyWriteLimit,
      pool,
    },
  },
});

let stopping = false;
async function stop(reason) {
  if (stopping) return;
  stopping = true;
  const t0 = Date.now();
  process.stderr.write(`kv-simulator: stopping (${reason})\n`);
  setTimeout(() => process.exit(1), 10000).unref();
  try {
    await mf.dispose();
  } catch (e) {
    process.stderr.write(`kv-simulator: dispose failed: ${e?.stack ?? e}\n`);
  }
  process.stderr.write(`kv-simulator: stopped in ${Date.now() - t0} ms\n`);
  process.exit(0);
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));

// Lifeline: when stdin is a pipe or socket, its closing means our parent is gone.
// A TTY (or /dev/null, a file) is not a lifeline.
const stdinStat = (() => {
  try {
    return fstatSync(0);
  } catch {
    return null;
  }
})();
if (stdinStat && (stdinStat.isFIFO() || stdinStat.isSocket())) {
  process.stdin.on("data", () => {});
  process.stdin.on("end", () => stop("stdin closed"));
  process.stdin.on("error", () => stop("stdin error"));
  process.stdin.resume();
}

try {
  const url = await mf.ready;
  if (stopping) await new Promise(() => {}); // a stop began during start-up; let it finish
  // Ask the worker once so the first namespace is registered before anyone uses it.
  const base = new URL("/client/v4", url).href;
  const warm = await mf.dispatchFetch(`${base}/accounts/${opts.account}/storage/kv/namespaces`, {
    headers: { authorization: `Bearer ${opts.token}` },
  });
  await warm.arrayBuffer();
  process.stdout.write(
    JSON.stringify({
      ready: true,
      url: base,
      accountId: opts.account,
      namespaceId: pool[0].id,
      token: opts.token,
      readonlyToken: opts.readonlyToken,
    }) + "\n",
  );
  process.stderr.write(`kv-simulator: ready at ${base} in ${Date.now() - started} ms\n`);
} catch (e) {
  process.stderr.write(`kv-simulator: failed to start: ${e?.stack ?? e}\n`);
  await mf.dispose().catch(() => {});
  process.exit(1);
}
