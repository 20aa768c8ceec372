import { describe, expect, it } from "vitest";
import type { ReportList, ReportSummary } from "../ipc/bindings";
import {
  digestKeys,
  formatAgo,
  formatPercent,
  formatSeconds,
  formatSigned,
  formatTtlLeft,
  lastSyncedAt,
  mirrorBanner,
  scheduleLabel,
  sourceLabel,
  trend,
} from "./reportFormat";

const NOW = Date.parse("2026-11-22T12:00:00Z");
const key = (over: Partial<ReportSummary["keys"][number]> = {}): ReportSummary["keys"][number] => ({
  key: "report:team:default",
  params: { dept: "default" },
  generatedAt: "2026-11-22T11:48:00.000Z",
  expiration: NOW / 1000 + 3000,
  ttlLeft: 3000,
  stale: false,
  syncedAt: null,
  ...over,
});

describe("formatAgo", () => {
  it("says minutes like people do", () => {
    expect(formatAgo("2026-11-22T11:48:00Z", NOW)).toBe("12 min ago");
    expect(formatAgo("2026-11-22T11:59:58Z", NOW)).toBe("just now");
    expect(formatAgo("2026-11-22T11:59:15Z", NOW)).toBe("45 s ago");
    expect(formatAgo("2026-11-22T09:00:00Z", NOW)).toBe("3 h ago");
    expect(formatAgo("2026-11-22T08:55:00Z", NOW)).toBe("3 h 5 min ago");
    expect(formatAgo("2026-11-19T12:00:00Z", NOW)).toBe("3 days ago");
  });
  it("handles a clock ahead and missing values", () => {
    expect(formatAgo("2026-11-22T12:05:00Z", NOW)).toBe("in 5 min");
    expect(formatAgo(null, NOW)).toBe("unknown");
    expect(formatAgo("not a date", NOW)).toBe("unknown");
  });
});

describe("formatTtlLeft", () => {
  it("counts down from the absolute expiry", () => {
    expect(formatTtlLeft(NOW / 1000 + 2890, NOW)).toBe("48m 10s left");
    expect(formatTtlLeft(NOW / 1000 - 1, NOW)).toBe("expired");
    expect(formatTtlLeft(null, NOW)).toBe("no expiry");
  });
});

describe("labels", () => {
  it("names every source", () => {
    expect(sourceLabel("kv")).toBe("KV");
    expect(sourceLabel("liveSql")).toBe("Live SQL (KV miss)");
    expect(sourceLabel("mirror")).toBe("Offline mirror");
  });
  it("puts the time zone after the schedule", () => {
    expect(scheduleLabel({ scheduleText: "every 15 minutes", timeZone: "Europe/Berlin" })).toBe(
      "every 15 minutes (Europe/Berlin)",
    );
    expect(scheduleLabel({ scheduleText: "At every 15 minutes.", timeZone: "UTC" })).toBe(
      "At every 15 minutes (UTC)",
    );
    expect(scheduleLabel({ scheduleText: " ", timeZone: "UTC" })).toBe("no schedule (UTC)");
  });
  it("formats rates, changes and durations", () => {
    expect(formatPercent(50)).toBe("50.0 %");
    expect(formatPercent(66.7)).toBe("66.7 %");
    expect(formatPercent(null)).toBe("—");
    expect(formatSigned(12.5, " %")).toBe("+12.5 %");
    expect(formatSigned(-3, " pts")).toBe("−3 pts");
    expect(formatSigned(0)).toBe("0");
    expect(trend(2)).toBe("up");
    expect(trend(-0.5)).toBe("down");
    expect(trend(0.01)).toBe("flat");
    expect(trend(null)).toBe("flat");
    expect(formatSeconds(42)).toBe("42 s");
    expect(formatSeconds(303)).toBe("5 min 3 s");
    expect(formatSeconds(3720)).toBe("1 h 2 min");
  });
});

describe("digestKeys", () => {
  it("keeps the oldest age, the soonest expiry and the stale count", () => {
    const digest = digestKeys({
      keyCount: 700,
      keys: [
        key({ generatedAt: "2026-11-22T11:50:00Z", expiration: 100 }),
        key({ generatedAt: "2026-11-22T10:00:00Z", stale: true, expiration: 50 }),
        key({ generatedAt: null, expiration: null }),
      ],
    });
    expect(digest).toEqual({
      count: 700,
      oldestGeneratedAt: "2026-11-22T10:00:00Z",
      soonestExpiration: 50,
      staleCount: 1,
      listed: 3,
    });
  });
});

describe("the mirror banner", () => {
  const list = (over: Partial<ReportList>): ReportList => ({
    profile: "prod",
    source: "mirror",
    offline: true,
    offlineReason: "Cloudflare cannot be reached: connection refused",
    reports: [
      {
        keys: [
          key({ syncedAt: "2026-11-22T10:00:00.000Z" }),
          key({ syncedAt: "2026-11-22T11:00:00.000Z" }),
        ],
      } as ReportSummary,
    ],
    ...over,
  });
  it("says offline, when it was synced and why", () => {
    expect(lastSyncedAt(list({}))).toBe("2026-11-22T11:00:00.000Z");
    const banner = mirrorBanner(list({}), NOW);
    expect(banner?.offline).toBe(true);
    expect(banner?.title).toMatch(/^Offline — showing reports synced at 2026-11-22 .*, 1 h ago$/);
    expect(banner?.detail).toBe("Cloudflare cannot be reached: connection refused");
  });
  it("is milder when the user asked for the mirror, and absent for KV", () => {
    const asked = mirrorBanner(list({ offline: false, offlineReason: null }), NOW);
    expect(asked?.offline).toBe(false);
    expect(asked?.title).toMatch(/^Offline mirror — showing reports synced at/);
    expect(mirrorBanner(list({ source: "kv", offline: false }), NOW)).toBeNull();
  });
  it("says so when the mirror is empty", () => {
    expect(mirrorBanner(list({ reports: [] }), NOW)?.title).toBe(
      "Offline — the offline mirror is empty: sync it while KV can be reached",
    );
  });
});
