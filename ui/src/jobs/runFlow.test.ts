import { describe, expect, it } from "vitest";
import {
  busyOperation,
  checkUserId,
  describeJobProgress,
  describeOutcome,
  pendingCall,
  type RunAction,
  type RunFlow,
  runFlowReducer,
  startRunFlow,
} from "./runFlow";
import { job, run } from "./testRuns";

const play = (flow: RunFlow, ...actions: RunAction[]) => actions.reduce(runFlowReducer, flow);

describe("a destructive job's real run", () => {
  const start = () => startRunFlow(job(), "run", "op-dry");

  it("starts with a dry run", () => {
    const flow = start();
    expect(flow.state).toEqual({ step: "dryRun", operationId: "op-dry" });
    expect(pendingCall(flow)).toEqual({
      dryRun: true,
      userId: null,
      overrideShareLimit: false,
      confirmation: null,
      operationId: "op-dry",
    });
    expect(busyOperation(flow)).toBe("op-dry");
  });

  it("shows the dry run, asks for confirmation, then runs for real", () => {
    const dry = run();
    let flow = play(start(), { type: "dryRunDone", record: dry });
    expect(flow.state).toEqual({ step: "preview", dryRun: dry });
    expect(pendingCall(flow)).toBeNull();
    expect(busyOperation(flow)).toBeNull();

    flow = play(flow, { type: "proceed" });
    expect(flow.state).toEqual({ step: "confirm", dryRun: dry });
    // Cancel on the confirmation goes back to the dry run's findings.
    expect(play(flow, { type: "back" }).state.step).toBe("preview");

    // Only the job's name typed exactly confirms; the core gets what was typed.
    for (const typed of ["", "Prune-snapshots", "prune-snapshots ", "sweep"])
      expect(
        play(flow, { type: "confirm", operationId: "x", confirmation: typed }).state.step,
      ).toBe("confirm");
    flow = play(flow, { type: "confirm", operationId: "op-real", confirmation: "prune-snapshots" });
    expect(pendingCall(flow)).toEqual({
      dryRun: false,
      userId: null,
      confirmation: "prune-snapshots",
      overrideShareLimit: false,
      operationId: "op-real",
    });

    const real = run({
      dryRun: false,
      counts: { job: "prune-snapshots", matched: 10, toDelete: 3, deleted: 3 },
    });
    flow = play(flow, { type: "runDone", record: real });
    expect(flow.state).toEqual({ step: "done", record: real });
    expect(flow.dryRun).toBe(dry);
  });

  it("never confirms without a dry run", () => {
    const flow = play(
      start(),
      { type: "proceed" },
      { type: "confirm", operationId: "x", confirmation: "prune-snapshots" },
    );
    expect(flow.state.step).toBe("dryRun");
  });

  it("ends at a dry run that did not succeed", () => {
    const failed = run({ status: "failed", error: "KV unreachable" });
    const flow = play(start(), { type: "dryRunDone", record: failed });
    expect(flow.state).toEqual({ step: "done", record: failed });
  });

  it("shows a refusal of the core as a failure of its step", () => {
    const refusal = new Error("profile prod is read-only");
    let flow = play(start(), { type: "failed", error: refusal });
    expect(flow.state).toEqual({ step: "failed", error: refusal, during: "dryRun" });
    flow = play(
      start(),
      { type: "dryRunDone", record: run() },
      { type: "proceed" },
      { type: "confirm", operationId: "op", confirmation: "prune-snapshots" },
      { type: "failed", error: refusal },
    );
    expect(flow.state).toEqual({ step: "failed", error: refusal, during: "run" });
  });
});

describe("a sweep over its share limit", () => {
  it("sends the override only with the real run it was chosen for", () => {
    const sweep = job({ name: "sweep" });
    let flow = startRunFlow(sweep, "run", "op-dry");
    expect(pendingCall(flow)?.overrideShareLimit).toBe(false);
    flow = play(flow, { type: "dryRunDone", record: run() }, { type: "proceed" });
    flow = play(flow, {
      type: "confirm",
      operationId: "op-real",
      confirmation: "sweep",
      overrideShareLimit: true,
    });
    expect(pendingCall(flow)).toEqual({
      dryRun: false,
      userId: null,
      confirmation: "sweep",
      overrideShareLimit: true,
      operationId: "op-real",
    });
  });
});

describe("other runs", () => {
  it("runs a non-destructive job at once", () => {
    const flow = startRunFlow(job({ name: "storage-report", destructive: false }), "run", "op");
    expect(pendingCall(flow)).toEqual({
      dryRun: false,
      userId: null,
      overrideShareLimit: false,
      confirmation: null,
      operationId: "op",
    });
  });

  it("ends a dry run asked for after the dry run", () => {
    const dry = run();
    const flow = play(startRunFlow(job(), "dryRun", "op"), { type: "dryRunDone", record: dry });
    expect(flow.state).toEqual({ step: "done", record: dry });
  });

  it("asks invalidate-user for the user id, then dry-runs for that user", () => {
    const invalidate = job({ name: "invalidate-user", needsParameter: true, schedule: null });
    let flow = startRunFlow(invalidate, "run", "unused");
    expect(flow.state).toEqual({ step: "userId" });
    expect(pendingCall(flow)).toBeNull();
    // A bad id does not move on.
    expect(play(flow, { type: "submitUser", userId: " ", operationId: "op" }).state.step).toBe(
      "userId",
    );
    flow = play(flow, { type: "submitUser", userId: " 42 ", operationId: "op" });
    expect(pendingCall(flow)).toEqual({
      dryRun: true,
      userId: "42",
      overrideShareLimit: false,
      confirmation: null,
      operationId: "op",
    });
    flow = play(
      flow,
      { type: "dryRunDone", record: run({ job: "invalidate-user" }) },
      { type: "proceed" },
      { type: "confirm", operationId: "real", confirmation: "invalidate-user" },
    );
    expect(pendingCall(flow)).toEqual({
      dryRun: false,
      userId: "42",
      overrideShareLimit: false,
      confirmation: "invalidate-user",
      operationId: "real",
    });
  });

  it("checks user ids", () => {
    expect(checkUserId("")).toMatch(/Enter/);
    expect(checkUserId("a b")).toMatch(/no spaces/);
    expect(checkUserId("1:2")).toMatch(/colons/);
    expect(checkUserId(" 42 ")).toBeNull();
  });
});

describe("wording", () => {
  it("describes an outcome with its status, kind, duration and summary", () => {
    expect(describeOutcome(run())).toBe("Succeeded (dry run) in 1.2 s: would delete 3 of 10 keys");
    expect(describeOutcome(run({ dryRun: false, durationMs: null, summary: "" }))).toBe(
      "Succeeded",
    );
  });

  it("words progress by phase", () => {
    expect(describeJobProgress(null)).toEqual({ label: "Starting…", percent: null });
    expect(describeJobProgress({ phase: "archive", done: 500, total: 2000 })).toEqual({
      label: "Archiving rows… 500 of 2,000",
      percent: 25,
    });
    expect(describeJobProgress({ phase: "list", done: 12, total: null })).toEqual({
      label: "Listing keys… 12 found",
      percent: null,
    });
  });
});
