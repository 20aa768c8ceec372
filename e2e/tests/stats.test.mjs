// The Stats screen on a profile whose Postgres holds cache events imported from a worker log with
// known outcomes (an hour ago): 9 hits and 1 miss of report:system-health, 3 hits and 3 misses of
// one user's dashboard, and a malformed line. The app shows the figures the CLI computes, the
// charts, the most missed keys, and one family's figures when it is picked.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { By, cli, databaseProfile, startApp, testId } from "../session.mjs";

const PROFILE = "stats";

let app;
let database;
before(async () => {
  database = databaseProfile(PROFILE, "cachescope_e2e_stats");
  const lines = [
    ...Array(9).fill("[Cache Hit] report:system-health"),
    "[Cache Miss] report:system-health",
    ...Array(3).fill("[Cache Hit] user:abc123:analytics:dashboard"),
    ...Array(3).fill("[Cache Miss] user:abc123:analytics:dashboard"),
    "[Cache Hit]",
  ];
  const log = path.join(process.env.CACHESCOPE_DATA_DIR ?? ".", "worker.log");
  writeFileSync(log, `${lines.join("\n")}\n`);
  const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
  cli("-p", PROFILE, "stats", "import", log, "--at", anHourAgo);
  app = await startApp();
});

after(async () => {
  await app?.quit();
  database?.drop();
});

/** A figure card's raw value (data-value). */
async function figure(id) {
  return (await app.find(testId(id, "[data-value]"))).getAttribute("data-value");
}

test("the Stats screen shows the figures the CLI computes, with charts and missed keys", async () => {
  await (await app.find(testId("nav-stats"))).click();
  await app.pickProfile(PROFILE, { waitForKeys: false });
  await app.find(testId("stats-screen", `[data-profile="${PROFILE}"]`));
  const range = await app.find(testId("stats-range"));
  await range.findElement(By.xpath(`.//label[normalize-space()="24 hours"]`)).click();
  await app.waitFor(async () => (await figure("stats-reads")) === "16", "16 reads in 24 hours");
  assert.equal(Number(await figure("stats-hit-rate")), 12 / 16);
  assert.equal(await figure("stats-saved"), "12");
  const cliStats = JSON.parse(cli("-p", PROFILE, "--json", "stats", "--since", "24h"));
  assert.equal(cliStats.totals.reads, 16);
  assert.equal(cliStats.totals.hitRate, 12 / 16);
  for (const chart of ["stats-hit-rate-chart", "stats-reads-chart", "stats-kv-operations-chart"]) {
    // ECharts draws into a canvas inside the chart's box.
    const box = await app.find(testId(chart));
    await app.waitFor(
      async () => (await box.findElements(By.css("canvas"))).length > 0,
      `${chart} draws`,
    );
  }
  const rows = await app.driver.findElements(
    By.css('[data-testid="stats-missed-keys"] tbody tr td:first-child'),
  );
  const keys = await Promise.all(rows.map((r) => r.getAttribute("textContent")));
  assert.deepEqual(keys, ["user:abc123:analytics:dashboard", "report:system-health"]);
  await app.screenshot("30-stats");
});

test("picking a family shows its figures only", async () => {
  await (await app.find(testId("stats-family"))).click();
  const option = await app.find(By.css('[role="option"][value="report:system-health"]'));
  await option.click();
  await app.waitFor(async () => (await figure("stats-reads")) === "10", "10 reads of the family");
  assert.equal(Number(await figure("stats-hit-rate")), 0.9);
  await app.screenshot("31-stats-family");
});
