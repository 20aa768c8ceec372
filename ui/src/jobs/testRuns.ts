// Test data: job runs and jobs as the core sends them.
import type { JobRunRecord, JobView } from "../ipc/bindings";

export function run(over: Partial<JobRunRecord> = {}): JobRunRecord {
  return {
    id: 7,
    job: "prune-snapshots",
    scheduledFor: null,
    trigger: "manual",
    profile: "dev",
    osUser: "ana",
    host: "laptop",
    dryRun: true,
    startedAt: "2026-11-19T12:00:00+00:00",
    finishedAt: "2026-11-19T12:00:01+00:00",
    durationMs: 1200,
    status: "succeeded",
    counts: { job: "prune-snapshots", matched: 10, toDelete: 3, deleted: 0 },
    summary: "would delete 3 of 10 keys",
    detail: {
      sample: ["snapshot:path-stats:v1", "snapshot:path-stats:v2", "snapshot:path-stats:v3"],
    },
    error: null,
    ...over,
  };
}

export function job(over: Partial<JobView> = {}): JobView {
  return {
    name: "prune-snapshots",
    description: "Keep only the newest versions of snapshot keys",
    destructive: true,
    needsParameter: false,
    schedule: "0 5 * * SUN",
    scheduleDescription: "At 05:00 on Sunday (UTC)",
    timeZone: "UTC",
    paused: false,
    enabled: false,
    nextRun: "2026-11-22T05:00:00+00:00",
    lastRun: null,
    running: null,
    options: {} as JobView["options"],
    updatedBy: "ana@laptop",
    ...over,
  };
}
