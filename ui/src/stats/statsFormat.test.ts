import { describe, expect, it } from "vitest";
import { bucketLabel, formatMs, formatRate, meetsTarget, savedShare } from "./statsFormat";

describe("stats formatting", () => {
  it("labels hour and day buckets in UTC", () => {
    expect(bucketLabel("2026-11-20T14:00:00Z", "hour")).toBe("11-20 14:00");
    expect(bucketLabel("2026-11-20T00:00:00Z", "day")).toBe("2026-11-20");
  });
  it("formats rates and latencies, with a dash for no data", () => {
    expect(formatRate(0.9341)).toBe("93.4 %");
    expect(formatRate(null)).toBe("—");
    expect(formatMs(3.25)).toBe("3.3 ms");
    expect(formatMs(420.4)).toBe("420 ms");
    expect(formatMs(1500)).toBe("1.5 s");
    expect(formatMs(null)).toBe("—");
  });
  it("saved share and targets", () => {
    expect(savedShare({ dbQueriesSaved: 8, reads: 10 })).toBe(0.8);
    expect(savedShare({ dbQueriesSaved: 0, reads: 0 })).toBeNull();
    expect(meetsTarget(0.91, 0.9, "atLeast")).toBe(true);
    expect(meetsTarget(600, 500, "atMost")).toBe(false);
    expect(meetsTarget(null, 500, "atMost")).toBeNull();
  });
});
