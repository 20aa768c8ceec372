// Schema-driven mock of Cloudflare's KV REST API for the hostile server suite: runs Prism
// (@stoplight/prism-cli) in mock mode over cloudflare-kv.openapi.json, prints one JSON "ready" line
// on stdout, and stops Prism when its stdin closes, or on SIGTERM/SIGINT. Logs go to stderr only.
//   node kv-simulator/prism-mock.mjs [--dynamic] [--port 0] [--host 127.0.0.1]
// Static mode answers with the schema's examples; --dynamic generates a random answer from the
// response schema on every request. Prism validates each request against the schema and answers
// an invalid one with 4xx (its violations in the `sl-violations` header).
import { spawn } from "node:child_process";
import { fstatSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const spec = path.join(here, "cloudflare-kv.openapi.json");
const prismCli = createRequire(import.meta.url).resolve("@stoplight/prism-cli/dist/index.js");
const START_TIMEOUT_MS = 60_000;

function die(msg) {
  process.stderr.write(`prism-mock: ${msg}\n`);
  process.exit(2);
}

const opts = { dynamic: false, port: "0", host: "127.0.0.1" };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const [flag, inline] = argv[i].split(/=(.*)/s);
  if (flag === "--dynamic") opts.dynamic = true;
  else if (flag === "--port" || flag === "--host") {
    const value = inline ?? argv[++i];
    if (value === undefined) die(`option ${flag} needs a value`);
    opts[flag.slice(2)] = value;
  } else die(`unknown option ${flag}`);
}
if (!/^\d+$/.test(opts.port)) die("option --port needs a non-negative integer");

const args = [prismCli, "mock", spec, "--host", opts.host, "--port", opts.port, "--errors", "false"];
if (opts.dynamic) args.push("--dynamic");
const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
// Prism never outlives this process, however it ends (an uncaught error included), and logging
// to a stderr whose reader is gone (EPIPE) is no reason to end without stopping it.
process.on("exit", () => child.kill("SIGKILL"));
process.stderr.on("error", () => {});
child.stderr.pipe(process.stderr);

let stopping = false;
function stop(reason, code = 0) {
  if (stopping) return;
  stopping = true;
  child.kill("SIGTERM");
  process.stderr.write(`prism-mock: stopping (${reason})\n`);
  setTimeout(() => {
    child.kill("SIGKILL");
    process.exit(code || 1);
  }, 5000).unref();
  child.once("exit", () => process.exit(code));
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
child.on("exit", (status, signal) => {
  if (!stopping) {
    process.stderr.write(`prism-mock: Prism exited (${signal ?? status})\n`);
    process.exit(1);
  }
});

// Lifeline: when stdin is a pipe or socket, its closing means our parent is gone.
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

const startTimer = setTimeout(() => stop(`Prism did not start within ${START_TIMEOUT_MS} ms`, 1), START_TIMEOUT_MS);
let pending = "";
let ready = false;
child.stdout.setEncoding("utf8");
child.stdout.on("data", (chunk) => {
  process.stderr.write(chunk);
  if (ready) return;
  pending += chunk;
  const m = /Prism is listening on (http:\/\/[^\s]+)/.exec(pending);
  if (!m) return;
  ready = true;
  pending = "";
  clearTimeout(startTimer);
  const url = m[1].replace(/\/+$/, "");
  process.stdout.write(JSON.stringify({ ready: true, url, dynamic: opts.dynamic }) + "\n");
});
