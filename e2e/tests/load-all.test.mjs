// "Load all" on profile `big` (20,000 keys, scripts/e2e.sh imports them): the footer counts every
// page until the listing is complete.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { cli, startApp, testId } from "../session.mjs";

let app;
before(async () => {
  app = await startApp();
});
after(() => app?.quit());

test("Load all on profile big loads all 20,000 keys", async () => {
  const total = cli("-p", "big", "kv", "ls", "--all").split("\n").filter(Boolean).length;
  assert.equal(total, 20_000);
  await app.pickProfile("big");
  await app.setView("List");
  await app.waitFor(async () => (await app.keyCount()).count === 1000, "the first page of big");
  assert.equal((await app.keyCount()).complete, false);
  await (await app.find(testId("load-all"))).click();
  await app.waitForAllKeys(total, 60_000);
  // textContent: WebKitWebDriver's getText() returns "" for this truncated (ellipsis) text.
  const count = await app.find(testId("key-count"));
  assert.equal(await count.getAttribute("textContent"), "20,000 keys loaded (all)");
  await app.screenshot("05-load-all-big");
});
