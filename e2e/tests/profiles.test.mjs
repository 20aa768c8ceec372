// The Profiles screen lists the profiles scripts/e2e.sh made, with their flags as badges.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { By, startApp, testId } from "../session.mjs";

let app;
before(async () => {
  app = await startApp();
});
after(() => app?.quit());

/** The badges (data-testid) shown in a profile's row. */
async function badges(profile) {
  const row = await app.find(testId("profile-row", `[data-profile="${profile}"]`));
  const found = await row.findElements({ css: '[data-testid^="badge-"]' });
  return Promise.all(found.map((badge) => badge.getAttribute("data-testid")));
}

test("the Profiles screen lists every profile with its read-only badge", async () => {
  await (await app.find(testId("nav-profiles"))).click();
  await app.find(testId("profiles-table"));
  assert.deepEqual(await badges("local"), ["badge-default"]);
  assert.deepEqual(await badges("big"), []);
  assert.deepEqual(await badges("scratch"), []);
  assert.deepEqual(await badges("scratch-ro"), ["badge-read-only"]);
  await app.screenshot("08-profiles");
});

test("the namespace picker shows the namespace the profile points at", async () => {
  const picker = await app.find(testId("namespace-picker"));
  await app.waitFor(
    async () => (await picker.getAttribute("value")) === "default",
    "the local profile's namespace picker shows 'default'",
  );
  // Opening it lists the namespaces that hold keys in the profile's file.
  await picker.click();
  await app.find(By.css('[role="option"][value="default"]'));
});
