import { describe, expect, it } from "vitest";
import type { PrecomputeRun } from "../ipc/bindings";
import {
  describeDryRun,
  describeReasons,
  describeReportProgress,
  describeRun,
  describeSync,
  formatDurationMs,
  keysToWrite,
  reportPlans,
} from "./runSummary";

const run = (over: Partial<PrecomputeRun> = {}): PrecomputeRun => ({
  id: 7,
  profile: "dev",
  dryRun: true,
  asOf: "2026-11-19T12:00:00.000Z",
  startedAt: "2026-11-19T12:00:00.000Z",
  finishedAt: "2026-11-19T12:00:01.000Z",
  status: "succeeded",
  reports: [
    {
      name: "team-performance",
      keys: [
        { key: "report:team:default", reason: "new", bytes: 1024 },
        { key: "report:team:enterprise", reason: "changed", bytes: 512 },
        { key: "report:team:sales", reason: "unchanged", bytes: 100 },
      ],
      written: 2,
      skipped: 1,
      error: null,
    },
    { name: "broken", keys: [], written: 0, skipped: 0, error: 'report "broken": bad SQL' },
  ],
  written: 2,
  skipped: 1,
  failedReports: 1,
  error: null,
  ...over,
});

describe("the dry run", () => {
  it("counts per report how many keys would be written and why", () => {
    const [team, broken] = reportPlans(run());
    expect(team).toEqual({
      name: "team-performance",
      counts: { new: 1, changed: 1, expiring: 0, unchanged: 1 },
      toWrite: 2,
      total: 3,
      bytesToWrite: 1536,
      error: null,
    });
    expect(broken?.error).toBe('report "broken": bad SQL');
    expect(keysToWrite(run())).toBe(2);
    expect(describeReasons(team?.counts ?? { new: 0, changed: 0, expiring: 0, unchanged: 0 })).toBe(
      "1 new, 1 changed, 1 unchanged",
    );
    expect(describeReasons({ new: 0, changed: 0, expiring: 0, unchanged: 0 })).toBe("no keys");
  });
  it("headlines the writes, their size and the failures", () => {
    expect(describeDryRun(run())).toBe("2 keys would be written (1.5 KiB); 1 report failed");
    expect(describeDryRun(run({ reports: [] }))).toBe("Nothing to write: every key is current");
  });
});

describe("the real run", () => {
  it("says what was written", () => {
    expect(describeRun(run({ dryRun: false, status: "partial" }))).toBe(
      "Done with failures: wrote 2 keys, 1 unchanged, 1 report failed",
    );
    expect(describeRun(run({ dryRun: false, failedReports: 0, written: 1 }))).toBe(
      "Done: wrote 1 key, 1 unchanged",
    );
  });
});

describe("progress", () => {
  it("names each phase", () => {
    expect(describeReportProgress(null)).toEqual({ label: "Starting…", percent: null });
    expect(describeReportProgress({ phase: "compute", done: 3, total: 11 })).toEqual({
      label: "Computing reports from SQL… 3 of 11",
      percent: (3 / 11) * 100,
    });
    expect(describeReportProgress({ phase: "list", done: 1200, total: null }).label).toBe(
      "Listing keys… 1,200 found",
    );
    expect(describeReportProgress({ phase: "write", done: 0, total: 40 }).label).toBe(
      "Writing to KV… 0 of 40 keys",
    );
    expect(describeReportProgress({ phase: "sync", done: 5, total: 10 }).percent).toBe(50);
  });
});

describe("sync and history", () => {
  it("says what the sync copied", () => {
    expect(
      describeSync({
        profile: "dev",
        syncedAt: "2026-11-22T03:30:00.000Z",
        keys: 42,
        bytes: 2048,
        removed: 1,
      }),
    ).toMatch(/^Synced 42 keys \(2 KiB\) at 2026-11-22 .*; removed 1 copy gone from KV$/);
  });
  it("formats run durations", () => {
    expect(formatDurationMs(340.4)).toBe("340 ms");
    expect(formatDurationMs(1234)).toBe("1.2 s");
    expect(formatDurationMs(Number.NaN)).toBe("—");
  });
});
