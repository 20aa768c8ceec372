// Tests of the wording of a delete-by-prefix run.
import { describe, expect, it } from "vitest";
import type { PrefixDeletion } from "../ipc/bindings";
import {
  deletionColor,
  describeDeletion,
  describeDryRun,
  describeProgress,
  failedNotShown,
} from "./prefixDeletion";

const result = (fields: Partial<PrefixDeletion>): PrefixDeletion => ({
  profile: "dev",
  prefix: "report:",
  dryRun: false,
  matched: 0,
  sample: [],
  deleted: 0,
  failed: 0,
  failedSample: [],
  cancelled: false,
  ...fields,
});

describe("describeProgress", () => {
  it("counts listed keys without a bar value while the total is unknown", () => {
    expect(describeProgress({ phase: "list", done: 12000, total: null })).toEqual({
      label: "Listing keys… 12,000 found",
      percent: null,
    });
  });

  it("shows deleted of total and a percentage", () => {
    expect(describeProgress({ phase: "delete", done: 500, total: 2000 })).toEqual({
      label: "Deleting… 500 of 2,000 keys",
      percent: 25,
    });
    expect(describeProgress({ phase: "delete", done: 0, total: 0 }).percent).toBeNull();
  });

  it("has a label before the first report", () => {
    expect(describeProgress(null)).toEqual({ label: "Starting…", percent: null });
  });
});

describe("describeDryRun", () => {
  it("says how many keys would go", () => {
    expect(describeDryRun(result({ dryRun: true, matched: 1234 }))).toBe(
      "1,234 keys would be deleted",
    );
    expect(describeDryRun(result({ dryRun: true, matched: 1 }))).toBe("1 key would be deleted");
    expect(describeDryRun(result({ dryRun: true, matched: 0 }))).toBe(
      "No key starts with “report:”",
    );
  });
});

describe("describeDeletion", () => {
  it("reports a complete and a cancelled run", () => {
    expect(describeDeletion(result({ matched: 2000, deleted: 2000 }))).toBe(
      "Deleted 2,000 of 2,000 keys",
    );
    expect(describeDeletion(result({ matched: 2000, deleted: 500, cancelled: true }))).toBe(
      "Cancelled after deleting 500 of 2,000 keys",
    );
    expect(deletionColor(result({ matched: 2000, deleted: 2000 }))).toBe("teal");
    expect(deletionColor(result({ matched: 2000, deleted: 500, cancelled: true }))).toBe("yellow");
  });

  it("says how many keys the server did not delete instead of a plain success", () => {
    const partial = result({
      matched: 2000,
      deleted: 1977,
      failed: 23,
      failedSample: Array.from({ length: 20 }, (_, i) => `report:${i}`),
    });
    expect(describeDeletion(partial)).toBe("Deleted 1,977 keys; 23 could not be deleted");
    expect(deletionColor(partial)).toBe("orange");
    expect(failedNotShown(partial)).toBe(3);
    expect(describeDeletion(result({ matched: 2, deleted: 1, failed: 1 }))).toBe(
      "Deleted 1 key; 1 could not be deleted",
    );
    expect(describeDeletion({ ...partial, deleted: 500, failed: 2, cancelled: true })).toBe(
      "Cancelled after deleting 500 keys; 2 could not be deleted",
    );
    expect(failedNotShown(result({ failed: 2, failedSample: ["a", "b"] }))).toBe(0);
  });
});
