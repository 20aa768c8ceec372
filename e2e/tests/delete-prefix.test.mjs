// "Delete by prefix…" on two profiles sharing one local file with 30 keys under `user:99:` (and
// one under `user:100:`): `scratch-ro` (read-only) is refused, then `scratch` deletes them. Order
// matters: the read-only case runs first, while the keys still exist. The CLI checks the file.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { cli, startApp, testId } from "../session.mjs";

const PREFIX = "user:99:";
const cliCount = (profile) =>
  cli("-p", profile, "kv", "ls", "--all", "--prefix", PREFIX).split("\n").filter(Boolean).length;

let app;
before(async () => {
  app = await startApp();
});
after(() => app?.quit());

/** Picks the profile, filters on PREFIX, opens the modal and waits for its dry run. */
async function openDryRun(profile) {
  await app.pickProfile(profile);
  await app.setPrefix(PREFIX);
  await app.waitForAllKeys(30);
  await (await app.find(testId("delete-prefix-open"))).click();
  const dryRun = await app.find(testId("delete-prefix-dry-run"));
  assert.equal(await dryRun.getAttribute("data-matched"), "30");
  return app.find(testId("delete-prefix-modal"));
}

test("a read-only profile shows the dry run but refuses to delete", async () => {
  assert.equal(cliCount("scratch-ro"), 30);
  const modal = await openDryRun("scratch-ro");
  await app.find(testId("delete-prefix-read-only"));
  const buttons = await modal.findElements(testId("delete-prefix-submit"));
  const inputs = await modal.findElements(testId("delete-prefix-confirm-input"));
  assert.equal(buttons.length + inputs.length, 0, "no confirmation input, no delete button");
  await app.screenshot("06-delete-prefix-read-only");
  await (await app.find(testId("delete-prefix-close"))).click();
  await app.waitFor(
    async () => (await app.driver.findElements(testId("delete-prefix-modal"))).length === 0,
    "the modal closes",
  );
  assert.equal(cliCount("scratch-ro"), 30, "the keys are still there");
});

test("a writable profile deletes every key under the prefix after typed confirmation", async () => {
  await openDryRun("scratch");
  const submit = await app.find(testId("delete-prefix-submit"));
  assert.equal(await submit.isEnabled(), false, "disabled until the prefix is typed");
  await (await app.find(testId("delete-prefix-confirm-input"))).sendKeys(PREFIX);
  await app.waitFor(() => submit.isEnabled(), "delete button enabled");
  await submit.click();
  const result = await app.find(testId("delete-prefix-result"), 30_000);
  assert.equal(await result.getAttribute("data-deleted"), "30");
  assert.equal(await result.getAttribute("data-cancelled"), null);
  await app.screenshot("07-delete-prefix-result");
  assert.equal(cli("-p", "scratch", "kv", "ls", "--prefix", PREFIX), "", "the CLI lists nothing");
  assert.match(
    cli("-p", "scratch", "kv", "ls", "--all"),
    /^user:100:report:01\t/,
    "other keys stay",
  );
  await (await app.find(testId("delete-prefix-close"))).click();
  await app.waitForAllKeys(0);
});
