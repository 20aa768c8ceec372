import { describe, expect, it } from "vitest";
import { auditFileName } from "./download";
import { failureNotice, schedulerLine } from "./notices";
import { run } from "./testRuns";

describe("failureNotice", () => {
  it("notices a failed scheduled run", () => {
    const event = {
      type: "jobRunFinished" as const,
      profile: "dev",
      run: run({
        job: "archive",
        trigger: "schedule",
        status: "failed",
        error: "disk full",
        id: 9,
      }),
    };
    expect(failureNotice(event)).toEqual({
      title: "Scheduled job archive failed",
      message: "Profile dev, run #9: disk full",
    });
  });

  it("ignores runs by hand, successes and other events", () => {
    const manual = run({ trigger: "manual", status: "failed" });
    expect(failureNotice({ type: "jobRunFinished", profile: "dev", run: manual })).toBeNull();
    const fine = run({ trigger: "schedule", status: "succeeded" });
    expect(failureNotice({ type: "jobRunFinished", profile: "dev", run: fine })).toBeNull();
    expect(failureNotice({ type: "profilesChanged" })).toBeNull();
  });
});

describe("schedulerLine", () => {
  it("counts the scheduled jobs of a running scheduler", () => {
    const line = schedulerLine(
      {
        state: "running",
        profile: "dev",
        reason: null,
        status: { profile: "dev", scheduled: ["precompute", "archive"], lastError: null },
      },
      "dev",
    );
    expect(line).toEqual({
      text: "Scheduler running: 2 scheduled jobs",
      color: "teal",
      detail: null,
    });
  });

  it("shows the last problem, another profile, and why it is off", () => {
    expect(
      schedulerLine(
        {
          state: "running",
          profile: "dev",
          reason: null,
          status: { profile: "dev", scheduled: [], lastError: "Postgres unreachable" },
        },
        "prod",
      ),
    ).toEqual({
      text: "Scheduler running for profile dev",
      color: "orange",
      detail: "Postgres unreachable",
    });
    expect(
      schedulerLine(
        { state: "off", profile: "dev", reason: "profile dev has no Postgres", status: null },
        "dev",
      ),
    ).toEqual({ text: "Scheduler off", color: "gray", detail: "profile dev has no Postgres" });
  });
});

describe("auditFileName", () => {
  it("stamps the local time", () => {
    expect(auditFileName(new Date(2026, 0, 2, 3, 4, 5))).toBe(
      "cachescope-audit-20260102-030405.csv",
    );
  });
});
