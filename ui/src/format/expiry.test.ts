import { describe, expect, it } from "vitest";
import { formatAbsolute, formatCountdown, formatDuration } from "./expiry";

const NOW_MS = 1_800_000_000_000; // 2027-01-15 08:00:00 UTC
const NOW_S = NOW_MS / 1000;

describe("formatDuration", () => {
  it("shows the two most significant units", () => {
    expect(formatDuration(59)).toBe("59s");
    expect(formatDuration(61)).toBe("1m 1s");
    expect(formatDuration(3 * 3600 + 25 * 60 + 7)).toBe("3h 25m");
    expect(formatDuration(93_784)).toBe("1d 2h");
  });

  it("drops a zero second unit", () => {
    expect(formatDuration(7200)).toBe("2h");
    expect(formatDuration(86_400 + 59)).toBe("1d");
    expect(formatDuration(0)).toBe("0s");
  });
});

describe("formatCountdown", () => {
  it("counts down to a future expiry", () => {
    expect(formatCountdown(NOW_S + 90, NOW_MS)).toBe("expires in 1m 30s");
    expect(formatCountdown(NOW_S + 2 * 86_400 + 3600, NOW_MS)).toBe("expires in 2d 1h");
  });

  it("says how long ago a past expiry was", () => {
    expect(formatCountdown(NOW_S - 300, NOW_MS)).toBe("expired 5m ago");
    expect(formatCountdown(NOW_S, NOW_MS)).toBe("expired 0s ago");
  });

  it("says so when there is no expiration", () => {
    expect(formatCountdown(null, NOW_MS)).toBe("no expiry");
  });
});

describe("formatAbsolute", () => {
  it("formats unix seconds as a sortable timestamp", () => {
    expect(formatAbsolute(NOW_S, "UTC")).toBe("2027-01-15 08:00:00 UTC");
    expect(formatAbsolute(0, "UTC")).toBe("1970-01-01 00:00:00 UTC");
  });
});
