// The Jobs screen on a demo database (`cachescope demo db` into a fresh Postgres database): the
// eight jobs with their seeded schedules, a run of storage-report by hand that succeeds and shows
// in the run history, run now on prune-snapshots showing its dry run first, audited, then run for
// real only once the job's name is typed, and archive's schedule (disabled on a new database)
// enabled by typing its name. The database is dropped at the end.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { By, cli, databaseProfile, Key, startApp, testId } from "../session.mjs";

const PROFILE = "jobs";

let app;
let database;
before(async () => {
  database = databaseProfile(PROFILE, "cachescope_e2e_jobs");
  cli("-p", PROFILE, "demo", "db", "--scale", "200");
  // Seven snapshot versions of its default family: prune-snapshots (keeping 5) has two to delete.
  for (let version = 1; version <= 7; version += 1)
    cli("-p", PROFILE, "kv", "put", `snapshot:path-stats:v${version}`, "{}");
  app = await startApp();
});

after(async () => {
  await app?.quit();
  database?.drop();
});

test("the Jobs screen lists the eight jobs with their schedules", async () => {
  await (await app.find(testId("nav-jobs"))).click();
  await app.pickProfile(PROFILE, { waitForKeys: false });
  await app.find(testId("jobs-screen", `[data-profile="${PROFILE}"]`));
  await app.find(testId("jobs-table"));
  const rows = await app.driver.findElements(testId("job-row"));
  assert.equal(rows.length, 8);
  const precompute = await app.find(testId("job-row", '[data-job="precompute"]'));
  const schedule = await precompute.findElement(testId("job-schedule"));
  assert.match(await schedule.getAttribute("textContent"), /every 15 minutes/i);
  assert.match(await schedule.getAttribute("textContent"), /\(UTC\)/);
  const sweep = await app.find(testId("job-row", '[data-job="sweep"]'));
  assert.equal(await sweep.getAttribute("data-state"), "manual");
  await app.screenshot("20-jobs-table");
});

test("running storage-report by hand succeeds and shows in the history", async () => {
  const row = await app.find(testId("job-row", '[data-job="storage-report"]'));
  await (await row.findElement(testId("job-run-now"))).click();
  await app.find(testId("job-run-result", '[data-status="succeeded"]'), 60_000);
  await app.find(testId("job-count-tables"));
  await app.screenshot("21-job-run-storage-report");
  await (await app.find(testId("job-run-close"))).click();
  await app.waitFor(
    async () => (await app.driver.findElements(testId("job-run-modal"))).length === 0,
    "the run dialog closes",
  );
  // The table's last run follows (the core's jobRunFinished event refreshes it).
  await app.find(
    testId("job-row", '[data-job="storage-report"] [data-testid="job-last-run"][data-status="succeeded"]'),
  );
  await (await app.find(testId("jobs-history-tab"))).click();
  const run = await app.find(
    testId("job-history-row", '[data-job="storage-report"][data-status="succeeded"]'),
  );
  // WebKitWebDriver does not click a table row itself: click its first cell.
  await (await run.findElement(By.css("td"))).click();
  await app.find(testId("job-run-details"));
  await app.screenshot("22-job-history");
});

test("run now on a destructive job shows its dry run first, and the dry run is audited", async () => {
  // Close the run details drawer the previous test opened.
  await app.driver.actions().sendKeys(Key.ESCAPE).perform();
  await app.waitFor(
    async () => (await app.driver.findElements(testId("job-run-details"))).length === 0,
    "the run details close",
  );
  await app.clickWhenFree(testId("jobs-tab"));
  const row = await app.find(testId("job-row", '[data-job="prune-snapshots"]'));
  await (await row.findElement(testId("job-run-now"))).click();
  const dryRun = await app.find(testId("job-dry-run", '[data-dry-run="true"]'), 60_000);
  assert.equal(await dryRun.getAttribute("data-status"), "succeeded");
  await app.screenshot("23-job-dry-run-first");
  await (await app.find(testId("job-run-close"))).click();
  await app.clickWhenFree(testId("jobs-audit-tab"));
  await app.find(testId("audit-row", '[data-action="job:prune-snapshots"]'));
  await app.screenshot("24-job-audit");
});

test("a real run of a destructive job needs its name typed", async () => {
  await app.clickWhenFree(testId("jobs-tab"));
  const row = await app.find(testId("job-row", '[data-job="prune-snapshots"]'));
  await (await row.findElement(testId("job-run-now"))).click();
  await app.find(testId("job-dry-run", '[data-status="succeeded"]'), 60_000);
  await app.clickWhenFree(testId("job-run-proceed"));
  const submit = await app.find(testId("job-run-submit"));
  assert.equal(await submit.isEnabled(), false, "disabled until the job's name is typed");
  const name = await app.find(testId("job-run-confirm-name"));
  await name.sendKeys("prune");
  assert.equal(await submit.isEnabled(), false, "a part of the name does not confirm");
  await name.sendKeys("-snapshots");
  await app.waitFor(() => submit.isEnabled(), "run button enabled");
  await app.screenshot("25-job-run-typed-confirmation");
  await submit.click();
  const result = await app.find(
    testId("job-run-result", '[data-status="succeeded"][data-dry-run="false"]'),
    60_000,
  );
  assert.ok(result);
  await (await app.find(testId("job-run-close"))).click();
  await app.waitFor(
    async () => (await app.driver.findElements(testId("job-run-modal"))).length === 0,
    "the run dialog closes",
  );
});

test("a destructive job's schedule starts disabled and is enabled by typing its name", async () => {
  const row = await app.find(testId("job-row", '[data-job="archive"][data-state="disabled"]'));
  await (await row.findElement(testId("job-more"))).click();
  await app.clickWhenFree(testId("job-enable"));
  const submit = await app.find(testId("job-enable-submit"));
  assert.equal(await submit.isEnabled(), false, "disabled until the job's name is typed");
  await (await app.find(testId("job-enable-name"))).sendKeys("archive");
  await app.waitFor(() => submit.isEnabled(), "enable button enabled");
  await app.screenshot("26-job-enable-schedule");
  await submit.click();
  await app.find(testId("job-row", '[data-job="archive"][data-state="active"]'));
  await app.clickWhenFree(testId("jobs-audit-tab"));
  await app.find(testId("audit-row", '[data-action="job-enable"]'));
});

test("the quota plan shows each report's writes a day against the plan", async () => {
  await (await app.find(testId("quota-plan-open"))).click();
  const verdict = await app.find(testId("quota-plan-verdict"), 60_000);
  // The demo's built-in schedules fit the free plan.
  assert.equal(await verdict.getAttribute("data-over"), "false");
  const rows = await app.driver.findElements(testId("quota-plan-row"));
  assert.equal(rows.length, 11);
  const health = await app.find(testId("quota-plan-row", '[data-report="system-health"]'));
  // A 2 h TTL written every 15 minutes: rewritten at 16 runs a day.
  assert.equal(await health.getAttribute("data-writes"), "16");
  await app.screenshot("jobs-quota-plan");
  await (await app.find(testId("quota-plan-close"))).click();
  await app.waitFor(
    async () => (await app.driver.findElements(testId("quota-plan"))).length === 0,
    "the quota plan closes",
  );
});
