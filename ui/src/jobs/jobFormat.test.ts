import { describe, expect, it } from "vitest";
import {
  countItems,
  countLabel,
  countsInline,
  dryRunFoundWork,
  formatRunDuration,
  jobState,
  jobStateLabel,
  runStatusColor,
  sampleKeys,
  scheduleText,
  triggerLabel,
} from "./jobFormat";
import { run } from "./testRuns";

describe("jobState", () => {
  const scheduled = { destructive: false, enabled: true, schedule: "0 2 * * *" };
  it("is running whenever a run is in progress, even when paused", () => {
    expect(jobState({ ...scheduled, running: run(), paused: true })).toBe("running");
  });
  it("is paused, active, or by hand for a job without a schedule", () => {
    expect(jobState({ ...scheduled, running: null, paused: true })).toBe("paused");
    expect(jobState({ ...scheduled, running: null, paused: false })).toBe("active");
    expect(jobState({ ...scheduled, running: null, paused: false, schedule: null })).toBe("manual");
    expect(jobStateLabel("manual")).toBe("By hand");
  });
  it("is not enabled for a destructive job until someone enables it", () => {
    const archive = { ...scheduled, destructive: true, running: null, paused: false };
    expect(jobState({ ...archive, enabled: false })).toBe("disabled");
    expect(jobStateLabel("disabled")).toBe("Not enabled");
    expect(jobState({ ...archive, enabled: true })).toBe("active");
  });
});

describe("formatRunDuration", () => {
  it("scales from milliseconds to hours", () => {
    expect(formatRunDuration(312)).toBe("312 ms");
    expect(formatRunDuration(4_240)).toBe("4.2 s");
    expect(formatRunDuration(185_000)).toBe("3 min 5 s");
    expect(formatRunDuration(120_000)).toBe("2 min");
    expect(formatRunDuration(3_720_000)).toBe("1 h 2 min");
    expect(formatRunDuration(7_200_000)).toBe("2 h");
  });
  it("says nothing for a run still going or a bad value", () => {
    expect(formatRunDuration(null)).toBe("—");
    expect(formatRunDuration(-1)).toBe("—");
    expect(formatRunDuration(Number.NaN)).toBe("—");
  });
});

describe("run status and trigger", () => {
  it("colours every status", () => {
    expect(runStatusColor("succeeded")).toBe("teal");
    expect(runStatusColor("failed")).toBe("red");
    expect(runStatusColor("abandoned")).toBe("yellow");
    expect(runStatusColor("skipped")).toBe("gray");
    expect(runStatusColor("running")).toBe("blue");
  });
  it("names the trigger and marks dry runs", () => {
    expect(triggerLabel({ trigger: "schedule", dryRun: false })).toBe("Schedule");
    expect(triggerLabel({ trigger: "manual", dryRun: true })).toBe("By hand (dry run)");
  });
});

describe("counts", () => {
  it("labels camelCase counts in words", () => {
    expect(countLabel("rowsArchived")).toBe("Rows archived");
    expect(countLabel("keyBytes")).toBe("Key bytes");
    expect(countLabel("deleted")).toBe("Deleted");
  });
  it("groups digits and shows byte counts as sizes, in the core's order", () => {
    expect(countItems({ job: "archive", rowsArchived: 12000, fileBytes: 2048 })).toEqual([
      { name: "rowsArchived", label: "Rows archived", value: "12,000" },
      { name: "fileBytes", label: "File bytes", value: "2 KiB" },
    ]);
    expect(countsInline({ job: "sweep", matched: 10, toDelete: 3, deleted: 0 })).toBe(
      "Matched: 10 · To delete: 3 · Deleted: 0",
    );
  });
  it("renders nothing for missing counts", () => {
    expect(countItems(null)).toEqual([]);
    expect(countItems(undefined)).toEqual([]);
    expect(countsInline(undefined)).toBe("");
  });
});

describe("sampleKeys", () => {
  it("reads a cleanup's sample keys and ignores anything else", () => {
    expect(sampleKeys({ sample: ["snapshot:path-stats:v1", 3, "snapshot:path-stats:v2"] })).toEqual(
      ["snapshot:path-stats:v1", "snapshot:path-stats:v2"],
    );
    expect(sampleKeys({ precomputeRun: 4 })).toEqual([]);
    expect(sampleKeys(null)).toEqual([]);
    expect(sampleKeys("text")).toEqual([]);
  });
});

describe("dryRunFoundWork", () => {
  it("is false when a dry run would delete, archive or write nothing", () => {
    expect(
      dryRunFoundWork({ counts: { job: "sweep", matched: 10, toDelete: 0, deleted: 0 } }),
    ).toBe(false);
    expect(dryRunFoundWork({ counts: { job: "archive", rowsArchived: 0, fileBytes: 0 } })).toBe(
      false,
    );
    expect(
      dryRunFoundWork({
        counts: { job: "delete-archived", rowsDeleted: 0, batches: 0, archivesCompleted: 0 },
      }),
    ).toBe(false);
    expect(
      dryRunFoundWork({
        counts: { job: "precompute", keysWritten: 0, keysSkipped: 40, reports: 5 },
      }),
    ).toBe(false);
  });
  it("is true when it found something, or when its counts do not say", () => {
    expect(
      dryRunFoundWork({ counts: { job: "prune-snapshots", matched: 10, toDelete: 3, deleted: 0 } }),
    ).toBe(true);
    expect(
      dryRunFoundWork({
        counts: { job: "storage-report", tables: 3, tableBytes: 0, keys: 12, keyBytes: 0 },
      }),
    ).toBe(true);
    expect(dryRunFoundWork({ counts: null })).toBe(true);
  });
});

describe("scheduleText", () => {
  it("drops the core's full stop and keeps the time zone", () => {
    expect(
      scheduleText({
        schedule: "*/15 * * * *",
        scheduleDescription: "At every 15 minutes (UTC)",
        timeZone: "UTC",
      }),
    ).toBe("At every 15 minutes (UTC)");
    expect(
      scheduleText({
        schedule: "0 2 * * *",
        scheduleDescription: "At 02:00. (Europe/Berlin)",
        timeZone: "Europe/Berlin",
      }),
    ).toBe("At 02:00 (Europe/Berlin)");
  });
  it("says by hand only without a schedule, and falls back to the cron text", () => {
    expect(scheduleText({ schedule: null, scheduleDescription: null, timeZone: "UTC" })).toBe(
      "By hand only",
    );
    expect(
      scheduleText({ schedule: "0 4 * * *", scheduleDescription: null, timeZone: "Asia/Shanghai" }),
    ).toBe("0 4 * * * (Asia/Shanghai)");
  });
});
