// Benchmarks of the real window (E2E_BENCH=1 only; scripts/e2e.sh then also makes the 100,000-key
// profile `huge`). Prints figures, asserts nothing about speed: launch to first key row on
// `local`, "Load all" of `huge`, the worst frame while scrolling the 100k list, and memory (RSS)
// of the app and its WebKit processes. Under Xvfb everything renders in software (llvmpipe).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { By, startApp, testId } from "../session.mjs";

const HUGE = 100_000;
const skip = process.env.E2E_BENCH === "1" ? false : "set E2E_BENCH=1 to run the benchmarks";
const figures = [];
const note = (label, value) => figures.push(`${label.padEnd(44)} ${value}`);
const ms = (value) => `${Math.round(value).toLocaleString("en-US")} ms`;

/** Every process under `pid` (tauri-driver → WebKitWebDriver → app → WebKit processes). */
function descendants(pid) {
  let children = [];
  try {
    children = execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).split("\n");
  } catch {
    return []; // pgrep exits 1 when there are none
  }
  return children.filter(Boolean).flatMap((child) => [Number(child), ...descendants(child)]);
}

/** VmRSS in MiB of the app and of each process it started, by name. */
function memory() {
  const status = (pid) => readFileSync(`/proc/${pid}/status`, "utf8");
  const name = (pid) => path.basename(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]);
  const field = (text, key) => text.match(new RegExp(`^${key}:\\s*(.+)$`, "m"))?.[1].trim();
  const root = Number(process.env.E2E_DRIVER_PID);
  const app = descendants(root).find((pid) => name(pid) === "cachescope-app");
  assert.ok(app, "the cachescope-app process under tauri-driver");
  const rss = (pid) => Number.parseInt(field(status(pid), "VmRSS") ?? "0", 10) / 1024;
  return [app, ...descendants(app)]
    .filter((pid) => rss(pid) > 0)
    .map((pid) => `${name(pid)} ${rss(pid).toFixed(0)} MiB`)
    .join(", ");
}

/** Scrolls the list `steps` times by `stepPx` (a rendered frame per step) while a
 * requestAnimationFrame loop records frame deltas; returns the worst and p95 delta. */
async function scrollFrames(app, stepPx, steps) {
  await app.run(`
    const f = (window.__frames = { deltas: [], running: true });
    requestAnimationFrame(function tick(t) {
      if (f.last !== undefined) f.deltas.push(t - f.last);
      f.last = t;
      if (f.running) requestAnimationFrame(tick);
    });`);
  for (let i = 0; i < steps; i++) {
    await app.driver.executeAsyncScript(
      `const done = arguments[arguments.length - 1];
       const list = document.querySelector('[data-testid=key-row]').parentElement.parentElement;
       list.scrollTop += ${stepPx};
       requestAnimationFrame(() => requestAnimationFrame(done));`,
    );
  }
  const deltas = await app.run("window.__frames.running = false; return window.__frames.deltas");
  deltas.sort((a, b) => a - b);
  const p95 = deltas[Math.floor(deltas.length * 0.95)];
  return `${deltas.at(-1).toFixed(1)} ms (p95 ${p95.toFixed(1)} ms, ${deltas.length} frames)`;
}

after(() => {
  if (figures.length)
    console.log(["", "=== Cachescope E2E benchmarks ===", ...figures, ""].join("\n"));
});

test("benchmarks: launch, load all 100,000 keys, scroll, memory", { skip }, async () => {
  const start = performance.now();
  const app = await startApp();
  try {
    note("session start (app launched)", ms(performance.now() - start));
    // The remembered view may be the tree: its first row counts as well.
    await app.find(By.css('[data-testid="key-row"], [data-testid="tree-node"]'), 30_000);
    note("launch to first key row on local", ms(performance.now() - start));
    note("memory on local (first page)", memory());

    // "Connect": picking a profile opens its store on first use, then lists its first page. The
    // click and the wait run inside the page, so no WebDriver round trip is counted.
    await app.setView("List");
    await (await app.find(testId("profile-picker"))).click();
    const option = await app.find(By.css('[role="option"][value="huge"]'));
    await app.run("arguments[0].scrollIntoView({ block: 'nearest' })", option);
    const connectMs = await app.driver.executeAsyncScript(
      `const [option, done] = arguments;
       const start = performance.now();
       const marks = [];
       const seen = new Set();
       const observer = new MutationObserver(() => {
         const t = Math.round(performance.now() - start);
         const picker = document.querySelector('[data-testid="profile-picker"]');
         if (picker && picker.value === "huge" && !seen.has("picker")) { seen.add("picker"); marks.push("picker " + t); }
         if (document.body.textContent.includes("Listing keys") && !seen.has("loading")) { seen.add("loading"); marks.push("loading " + t); }
         const count = document.querySelector('[data-testid="key-count"]');
         if (count && !seen.has("count")) { seen.add("count"); marks.push("count " + t); }
       });
       observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
       option.click();
       marks.push("clicked " + Math.round(performance.now() - start));
       const poll = () => {
         const first = document.querySelector('[data-testid="key-row"]');
         if (first && first.getAttribute("data-key") === "user:000000:analytics:dashboard") {
           observer.disconnect();
           done([performance.now() - start, marks.join(", ")]);
         } else requestAnimationFrame(poll);
       };
       requestAnimationFrame(poll);`,
      option,
    );
    note("pick profile → first keys painted (in-page)", ms(connectMs[0]));
    note("  timeline (ms after click)", connectMs[1]);
    await app.setView("List");
    await app.waitFor(async () => (await app.keyCount()).count === 1000, "first page of huge");
    const loadStart = performance.now();
    await (await app.find(testId("load-all"))).click();
    await app.waitForAllKeys(HUGE, 300_000, 20); // polled every 20 ms: that is the resolution
    const loadMs = performance.now() - loadStart;
    note(
      "Load all, 100,000 keys (100 pages)",
      `${ms(loadMs)} (${Math.round(HUGE / (loadMs / 1000)).toLocaleString("en-US")} keys/s)`,
    );
    await app.screenshot("bench-huge-loaded");

    const [viewport, height] = await app.run(
      `const list = document.querySelector('[data-testid=key-row]').parentElement.parentElement;
       return [list.clientHeight, list.scrollHeight];`,
    );
    note("idle (no scrolling): worst frame", await scrollFrames(app, 0, 30));
    note(`scroll 100 x ${viewport} px: worst frame`, await scrollFrames(app, viewport, 100));
    const jump = Math.ceil(height / 50);
    note("scroll 50 jumps of 2,000 rows: worst frame", await scrollFrames(app, jump, 50));
    // The list really scrolled to the end: the last key is rendered.
    const rows = await app.keyRows();
    assert.ok(rows.includes(`user:${String(HUGE - 1).padStart(6, "0")}:analytics:dashboard`));
    await app.screenshot("bench-huge-scrolled");

    note("memory with 100,000 keys loaded", memory());
  } finally {
    await app.quit();
  }
});
