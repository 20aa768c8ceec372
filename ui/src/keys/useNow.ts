// The current time, re-rendering every `intervalMs` so countdowns tick. One timer per interval is
// shared by every component that asks for it, so a list's visible rows tick together, in one render.
import { useSyncExternalStore } from "react";

type Clock = {
  subscribe: (listener: () => void) => () => void;
  getSnapshot: () => number;
};

const clocks = new Map<number, Clock>();

/** The shared clock of one interval (exported for tests; components use [`useNow`]). */
export function sharedClock(intervalMs: number): Clock {
  const existing = clocks.get(intervalMs);
  if (existing) return existing;
  let now = Date.now();
  let timer: ReturnType<typeof setInterval> | undefined;
  const listeners = new Set<() => void>();
  const created: Clock = {
    subscribe(listener) {
      listeners.add(listener);
      if (timer === undefined) {
        timer = setInterval(() => {
          now = Date.now();
          for (const l of listeners) l();
        }, intervalMs);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    // While no timer runs, the time read last may be old: a first reader gets a fresh one.
    getSnapshot() {
      if (timer === undefined && Date.now() - now >= intervalMs) now = Date.now();
      return now;
    },
  };
  clocks.set(intervalMs, created);
  return created;
}

export function useNow(intervalMs = 1000): number {
  const { subscribe, getSnapshot } = sharedClock(intervalMs);
  return useSyncExternalStore(subscribe, getSnapshot);
}
