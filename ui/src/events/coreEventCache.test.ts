// Tests of applyCoreEvent: which cached queries each core event invalidates.
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { queryKeys } from "../ipc/queryKeys";
import { run } from "../jobs/testRuns";
import { applyCoreEvent } from "./coreEventCache";

describe("applyCoreEvent", () => {
  it("invalidates the profiles on profilesChanged", () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.profiles(), []);
    client.setQueryData(queryKeys.value("dev", "a", null), { key: "a" });
    applyCoreEvent(client, { type: "profilesChanged" });
    expect(client.getQueryState(queryKeys.profiles())?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.value("dev", "a", null))?.isInvalidated).toBe(false);
  });

  it("invalidates that profile's keys and values on keysChanged", () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.profiles(), []);
    client.setQueryData(queryKeys.keys("dev", ""), { pages: [], pageParams: [] });
    client.setQueryData(queryKeys.value("dev", "a", null), { key: "a" });
    client.setQueryData(queryKeys.value("prod", "a", null), { key: "a" });
    client.setQueryData(queryKeys.reportList("dev", false), { reports: [] });
    client.setQueryData(queryKeys.reportList("prod", false), { reports: [] });
    applyCoreEvent(client, { type: "keysChanged", profile: "dev", count: 2 });
    expect(client.getQueryState(queryKeys.reportList("dev", false))?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.reportList("prod", false))?.isInvalidated).toBe(false);
    expect(client.getQueryState(queryKeys.keys("dev", ""))?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.value("dev", "a", null))?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.value("prod", "a", null))?.isInvalidated).toBe(false);
    expect(client.getQueryState(queryKeys.profiles())?.isInvalidated).toBe(false);
  });

  it("refreshes that profile's jobs and the audit log on jobRunFinished", () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.jobList("dev"), []);
    client.setQueryData(queryKeys.jobHistory("dev", null), []);
    client.setQueryData(queryKeys.jobList("prod"), []);
    client.setQueryData(queryKeys.audit("dev"), []);
    applyCoreEvent(client, { type: "jobRunFinished", profile: "dev", run: run() });
    expect(client.getQueryState(queryKeys.jobList("dev"))?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.jobHistory("dev", null))?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.audit("dev"))?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.jobList("prod"))?.isInvalidated).toBe(false);
  });

  it("ignores progress", () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.profiles(), []);
    applyCoreEvent(client, {
      type: "progressReported",
      operation: "op",
      phase: "list",
      done: 1,
      total: null,
    });
    expect(client.getQueryState(queryKeys.profiles())?.isInvalidated).toBe(false);
  });
});
