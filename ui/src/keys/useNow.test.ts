import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sharedClock } from "./useNow";

describe("sharedClock", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-12-03T10:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  it("runs one timer for every subscriber and ticks them together", () => {
    const clock = sharedClock(1000);
    const seen: number[][] = [[], []];
    const stops = seen.map((list) => clock.subscribe(() => list.push(clock.getSnapshot())));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(3000);
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]).toHaveLength(3);
    expect(clock.getSnapshot()).toBe(Date.parse("2026-12-03T10:00:03Z"));
    for (const stop of stops) stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("gives a fresh time to the first reader after the clock was idle", () => {
    const clock = sharedClock(5000);
    const stop = clock.subscribe(() => {});
    stop();
    vi.advanceTimersByTime(60_000);
    const first = clock.getSnapshot();
    expect(first).toBe(Date.now());
    // Consecutive reads agree (React requires a stable snapshot).
    expect(clock.getSnapshot()).toBe(first);
  });

  it("keeps one clock per interval", () => {
    expect(sharedClock(1000)).toBe(sharedClock(1000));
    expect(sharedClock(1000)).not.toBe(sharedClock(15_000));
  });
});
