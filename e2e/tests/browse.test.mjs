// Browsing the demo namespace (profile `local`, filled by `cachescope demo seed`): the key list,
// the prefix filter, a report's JSON in the detail panel, and the tree view. One app session.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { cli, startApp, testId } from "../session.mjs";

/** Key names the CLI lists (under `prefix`, if given): one per line, the name first. */
const cliKeys = (...prefix) =>
  cli("-p", "local", "kv", "ls", "--all", ...(prefix.length ? ["--prefix", ...prefix] : []))
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split("\t")[0]);

let app;
before(async () => {
  app = await startApp();
});
after(() => app?.quit());

test("the app opens on the demo namespace of profile local, with key rows", async () => {
  const picker = await app.find(testId("profile-picker"));
  assert.equal(await picker.getAttribute("value"), "local");
  await app.setView("List");
  const rows = await app.waitFor(async () => {
    const keys = await app.keyRows();
    return keys.length > 0 && keys;
  }, "key rows on local");
  // The first row is the namespace's first key, as the CLI sees it.
  assert.equal(rows[0], cliKeys()[0]);
  await app.screenshot("01-keys-local");
});

test("the prefix filter shows only keys under report:", async () => {
  const expected = cliKeys("report:");
  assert.ok(expected.length > 0, "the demo seed has report: keys");
  await app.setPrefix("report:");
  await app.waitForAllKeys(expected.length);
  const rows = await app.waitFor(async () => {
    const keys = await app.keyRows();
    return keys.length > 0 && keys.every((key) => key.startsWith("report:")) && keys;
  }, "every visible key row starts with report:");
  assert.deepEqual(rows, expected.slice(0, rows.length));
  await app.screenshot("02-prefix-filter");
});

test("report:system-health shows its JSON in the detail panel", async () => {
  const key = "report:system-health";
  // Narrow the filter so the row is rendered (the virtual list renders what is in view).
  await app.setPrefix(key);
  await (await app.find(testId("key-row", `[data-key="${key}"]`))).click();
  const name = await app.find(testId("key-name"));
  await app.waitFor(async () => (await name.getText()) === key, "key-name shows the key");
  const viewer = await app.find(testId("value-viewer", '[data-mode="json"]'));
  const text = await app.run("return arguments[0].querySelector('pre').textContent", viewer);
  assert.match(text, /"processing": \{/);
  assert.match(text, /"last24h": \{/);
  // The value shown is the stored one: same generatedAt as the CLI reads.
  const stored = JSON.parse(cli("-p", "local", "kv", "get", key));
  assert.equal(JSON.parse(text).generatedAt, stored.generatedAt);
  assert.ok(stored.processing.last24h);
  // The key belongs to a report with a contract, and what precompute wrote matches it.
  const badge = await app.find(testId("contract-badge"));
  assert.equal(await badge.getAttribute("data-contract"), "SystemHealth");
  assert.equal(await badge.getAttribute("data-breach"), "");
  assert.equal(
    await app.run("return arguments[0].textContent", badge),
    "matches contract SystemHealth",
  );
  await app.screenshot("03-key-detail");
});

test("the tree view groups keys by ':' and expands a folder", async () => {
  const all = cliKeys();
  await app.setPrefix("");
  await app.waitFor(async () => (await app.keyRows())[0] === all[0], "the unfiltered listing");
  // Every key, so the folder counts are complete.
  if (!(await app.keyCount()).complete) await (await app.find(testId("load-all"))).click();
  await app.waitForAllKeys(all.length);

  await app.setView("Tree");
  const folder = await app.find(testId("tree-node", '[data-path="report"]'));
  assert.equal(await folder.getAttribute("aria-expanded"), "false");
  assert.equal(Number(await folder.getAttribute("data-count")), cliKeys("report:").length);
  await folder.click();
  await app.find(testId("tree-node", '[data-path="report"][aria-expanded="true"]'));
  await app.find(testId("key-row", '[data-key="report:system-health"]'));
  await app.find(testId("tree-node", '[data-path="report:rep"]'));
  await app.screenshot("04-tree");
});
