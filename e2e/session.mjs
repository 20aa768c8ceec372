// e2e/session.mjs: one WebDriver session on Cachescope's real window, through tauri-driver, plus
// the helpers the tests share: find elements by data-testid, poll for a condition, pick a
// profile, take a screenshot, run the `cachescope` CLI on the same data, give a test its own
// Postgres database behind a profile.
// scripts/e2e.sh sets the environment: E2E_APP, E2E_CLI, E2E_DRIVER_URL, E2E_SCREENSHOTS, and the
// CACHESCOPE_* directories (the app inherits them from tauri-driver, the CLI from the tests).
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Builder, By, Capabilities, Key, until } from "selenium-webdriver";

export { By, Key };

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with scripts/e2e.sh`);
  return value;
}

const DRIVER_URL = process.env.E2E_DRIVER_URL ?? "http://127.0.0.1:4444";
/** How long a condition may take before a test fails (ms). */
export const TIMEOUT = 15_000;

/** CSS selector of an element by its data-testid, with optional extra attribute filters. */
export const testId = (id, extra = "") => By.css(`[data-testid="${id}"]${extra}`);

/** Runs the `cachescope` CLI on the test data and returns its stdout. */
export function cli(...args) {
  return execFileSync(required("E2E_CLI"), args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

const POSTGRES_SERVER = process.env.CACHESCOPE_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432";

/** Runs psql on `url` (stops at the first error) and returns its unaligned output. */
export function psql(url, ...args) {
  return execFileSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-qAt", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** A fresh Postgres database `database` (dropped first if a failed run left it) and a local
 * profile `profile` on it with the console's migrations applied. `drop()` removes the database. */
export function databaseProfile(profile, database) {
  const url = `${POSTGRES_SERVER}/${database}`;
  const drop = () =>
    psql(`${POSTGRES_SERVER}/postgres`, "-c", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  drop();
  psql(`${POSTGRES_SERVER}/postgres`, "-c", `CREATE DATABASE ${database}`);
  const dataDir = required("CACHESCOPE_DATA_DIR");
  cli(
    "profile",
    "add",
    profile,
    "--kind",
    "local",
    "--path",
    path.join(dataDir, `${profile}.sqlite`),
    "--postgres-url",
    url,
  );
  cli("-p", profile, "db", "migrate");
  return { url, drop };
}

/** Starts the app in a new WebDriver session (WebKit allows one at a time: quit it after use). */
export async function startApp() {
  const capabilities = new Capabilities()
    .set("browserName", "wry")
    .set("tauri:options", { application: required("E2E_APP") });
  const driver = await new Builder().usingServer(DRIVER_URL).withCapabilities(capabilities).build();
  return new App(driver);
}

export class App {
  constructor(driver) {
    this.driver = driver;
  }

  /** Waits until an element is present and displayed, and returns it. */
  async find(locator, timeout = TIMEOUT) {
    const element = await this.driver.wait(until.elementLocated(locator), timeout, `no ${locator}`);
    await this.driver.wait(until.elementIsVisible(element), timeout, `${locator} not visible`);
    return element;
  }

  /** Polls `condition` (truthy when done) every `poll` ms and returns its value. */
  async waitFor(condition, message, timeout = TIMEOUT, poll = 100) {
    // The virtual list re-renders under our feet: a stale element just means "try again".
    const attempt = () =>
      Promise.resolve()
        .then(condition)
        .catch((error) => {
          if (error.name === "StaleElementReferenceError") return false;
          throw error;
        });
    try {
      return await this.driver.wait(attempt, timeout, undefined, poll);
    } catch (error) {
      if (error.name === "TimeoutError") throw new Error(`timed out: ${message}`);
      throw error;
    }
  }

  /** Clicks an element once nothing covers it (a closing drawer's overlay fades out first). */
  async clickWhenFree(locator) {
    await this.waitFor(
      async () => {
        try {
          await (await this.find(locator)).click();
          return true;
        } catch (error) {
          if (error.name === "ElementClickInterceptedError") return false;
          throw error;
        }
      },
      `${locator} clickable`,
    );
  }

  /** Runs `script` in the page (arguments as `arguments[i]`) and returns its result. */
  run(script, ...args) {
    return this.driver.executeScript(script, ...args);
  }

  /** The data-key of every rendered key row (the virtual list renders the visible ones). */
  keyRows() {
    return this.run(
      "return [...document.querySelectorAll('[data-testid=key-row]')].map(e => e.dataset.key)",
    );
  }

  /** The key count in the list footer: { count, complete }. */
  async keyCount() {
    const element = await this.find(testId("key-count"));
    return {
      count: Number(await element.getAttribute("data-count")),
      complete: (await element.getAttribute("data-complete")) === "true",
    };
  }

  /** Waits until the footer says `count` keys are loaded and the listing is complete. */
  waitForAllKeys(count, timeout = TIMEOUT, poll = 100) {
    const done = async () => {
      const c = await this.keyCount();
      return c.count === count && c.complete;
    };
    return this.waitFor(done, `key-count ${count} (all)`, timeout, poll);
  }

  /** Picks a profile in the navbar's Mantine Select and (on the Keys screen, unless told not
   * to) waits for its first keys. */
  async pickProfile(name, { waitForKeys = true } = {}) {
    await (await this.find(testId("profile-picker"))).click();
    // The dropdown scrolls inside itself: bring the option into view first.
    const option = await this.find(By.css(`[role="option"][value="${name}"]`));
    await this.run("arguments[0].scrollIntoView({ block: 'nearest' })", option);
    await option.click();
    await this.waitFor(
      async () =>
        (await (await this.find(testId("profile-picker"))).getAttribute("value")) === name,
      `profile picker shows ${name}`,
    );
    if (waitForKeys) await this.find(testId("key-count", "[data-count]"));
  }

  /** Types into the prefix filter, replacing what is there. */
  async setPrefix(prefix) {
    const input = await this.find(testId("prefix-filter"));
    // Separate calls: WebKitWebDriver drops text sent in the same call after a chord.
    await input.sendKeys(Key.chord(Key.CONTROL, "a"), Key.BACK_SPACE);
    if (prefix) await input.sendKeys(prefix);
  }

  /** Clicks the List or Tree label of the key view switch. */
  async setView(label) {
    const control = await this.find(testId("key-view"));
    await control.findElement(By.xpath(`.//label[normalize-space()="${label}"]`)).click();
  }

  /** Saves a PNG of the window under e2e-screenshots/ and returns its path. */
  async screenshot(name) {
    const dir = process.env.E2E_SCREENSHOTS ?? "e2e-screenshots";
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.png`);
    // Two animation frames first: a DOM change just awaited may not be painted yet.
    await this.driver.executeAsyncScript(
      "requestAnimationFrame(() => requestAnimationFrame(arguments[arguments.length - 1]))",
    );
    // The X server's picture of the screen (the app's window fills it), not WebDriver's:
    // WebKitWebDriver's screenshot can wait forever for a frame when WebKit paints without
    // compositing, as the app chooses on a machine without a GPU (src-tauri/src/rendering.rs).
    execFileSync("import", ["-display", process.env.DISPLAY, "-window", "root", file]);
    return file;
  }

  async quit() {
    await this.driver.quit();
  }
}
