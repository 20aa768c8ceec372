// The steps of running a job by hand, as a pure reducer the Run dialog drives:
//   invalidate-user first asks for the user id;
//   a destructive job's real run starts with a dry run, shows what it found, then asks to type
//   the job's name before the real run (the core refuses the real run without it);
//   a dry run asked for (or the only run a read-only profile offers) ends after the dry run;
//   other jobs run straight away.
// The dialog calls the core on entering "dryRun" and "running" and reports back with
// `dryRunDone` / `runDone` / `failed`.

import { formatCount } from "../format/count";
import type { JobRunRecord, JobView, ProgressUpdate } from "../ipc/bindings";
import { formatRunDuration } from "./jobFormat";

export type RunMode = "run" | "dryRun";

export type RunStep =
  | { step: "userId" }
  | { step: "dryRun"; operationId: string }
  | { step: "preview"; dryRun: JobRunRecord }
  | { step: "confirm"; dryRun: JobRunRecord }
  | { step: "running"; operationId: string }
  | { step: "done"; record: JobRunRecord }
  | { step: "failed"; error: unknown; during: "dryRun" | "run" };

export interface RunFlow {
  job: Pick<JobView, "name" | "destructive" | "needsParameter">;
  mode: RunMode;
  userId: string | null;
  /** The dry run that preceded the real run, kept to show next to its outcome. */
  dryRun: JobRunRecord | null;
  /** Sweep: the user chose to go past the circuit breaker (the core records it in the audit). */
  overrideShareLimit: boolean;
  /** The job's name as the user typed it to confirm a destructive real run. */
  confirmation: string | null;
  state: RunStep;
}

export type RunAction =
  | { type: "submitUser"; userId: string; operationId: string }
  | { type: "dryRunDone"; record: JobRunRecord }
  | { type: "proceed" }
  | { type: "confirm"; operationId: string; confirmation: string; overrideShareLimit?: boolean }
  | { type: "runDone"; record: JobRunRecord }
  | { type: "failed"; error: unknown }
  | { type: "back" };

/** Where a run starts: the user id, a dry run, or the real run at once. */
export function startRunFlow(job: RunFlow["job"], mode: RunMode, operationId: string): RunFlow {
  const base = {
    job,
    mode,
    userId: null,
    dryRun: null,
    overrideShareLimit: false,
    confirmation: null,
  };
  if (job.needsParameter) return { ...base, state: { step: "userId" } };
  if (mode === "dryRun" || job.destructive)
    return { ...base, state: { step: "dryRun", operationId } };
  return { ...base, state: { step: "running", operationId } };
}

/** Whether `typed` confirms a real run of `job`: its name, exactly (as the core checks it). */
export function confirms(job: Pick<JobView, "name">, typed: string): boolean {
  return typed === job.name;
}

/** A user id the core can use: trimmed, not empty, no spaces or colons (it builds `user:{id}:`). */
export function checkUserId(text: string): string | null {
  const id = text.trim();
  if (id.length === 0) return "Enter the user id whose keys to delete";
  if (/[\s:]/.test(id)) return "A user id has no spaces or colons";
  return null;
}

export function runFlowReducer(flow: RunFlow, action: RunAction): RunFlow {
  const { state } = flow;
  switch (action.type) {
    case "submitUser": {
      if (state.step !== "userId" || checkUserId(action.userId) !== null) return flow;
      // Invalidate-user deletes keys: a dry run comes first whatever the mode.
      return {
        ...flow,
        userId: action.userId.trim(),
        state: { step: "dryRun", operationId: action.operationId },
      };
    }
    case "dryRunDone": {
      if (state.step !== "dryRun") return flow;
      // Only a successful dry run of a real run leads on; anything else is the outcome.
      if (flow.mode === "dryRun" || action.record.status !== "succeeded")
        return { ...flow, dryRun: action.record, state: { step: "done", record: action.record } };
      return { ...flow, dryRun: action.record, state: { step: "preview", dryRun: action.record } };
    }
    case "proceed":
      if (state.step !== "preview") return flow;
      return { ...flow, state: { step: "confirm", dryRun: state.dryRun } };
    case "back":
      if (state.step !== "confirm") return flow;
      return { ...flow, state: { step: "preview", dryRun: state.dryRun } };
    case "confirm":
      if (state.step !== "confirm" || !confirms(flow.job, action.confirmation)) return flow;
      return {
        ...flow,
        overrideShareLimit: action.overrideShareLimit ?? false,
        confirmation: action.confirmation,
        state: { step: "running", operationId: action.operationId },
      };
    case "runDone":
      if (state.step !== "running") return flow;
      return { ...flow, state: { step: "done", record: action.record } };
    case "failed":
      if (state.step !== "dryRun" && state.step !== "running") return flow;
      return {
        ...flow,
        state: {
          step: "failed",
          error: action.error,
          during: state.step === "dryRun" ? "dryRun" : "run",
        },
      };
  }
}

/** The operation the dialog is waiting on (for progress and Cancel), if any. */
export function busyOperation(flow: RunFlow): string | null {
  const { state } = flow;
  return state.step === "dryRun" || state.step === "running" ? state.operationId : null;
}

/** The run arguments of the step the dialog just entered (null when nothing is to be called). */
export function pendingCall(flow: RunFlow): {
  dryRun: boolean;
  userId: string | null;
  overrideShareLimit: boolean;
  confirmation: string | null;
  operationId: string;
} | null {
  const { state } = flow;
  if (state.step === "dryRun")
    return {
      dryRun: true,
      userId: flow.userId,
      overrideShareLimit: false,
      confirmation: null,
      operationId: state.operationId,
    };
  if (state.step === "running")
    return {
      dryRun: flow.mode === "dryRun",
      userId: flow.userId,
      overrideShareLimit: flow.mode !== "dryRun" && flow.overrideShareLimit,
      confirmation: flow.mode === "dryRun" ? null : flow.confirmation,
      operationId: state.operationId,
    };
  return null;
}

/** One line on a finished run: "Succeeded in 1.2 s: deleted 3 of 10 keys". */
export function describeOutcome(
  run: Pick<JobRunRecord, "status" | "durationMs" | "summary" | "dryRun">,
): string {
  const status = run.status.charAt(0).toUpperCase() + run.status.slice(1);
  const took = run.durationMs === null ? "" : ` in ${formatRunDuration(run.durationMs)}`;
  const kind = run.dryRun ? " (dry run)" : "";
  return run.summary ? `${status}${kind}${took}: ${run.summary}` : `${status}${kind}${took}`;
}

/** The progress line of a job run, by the phases the core reports. */
export function describeJobProgress(update: ProgressUpdate | null): {
  label: string;
  percent: number | null;
} {
  if (update === null) return { label: "Starting…", percent: null };
  const percent =
    update.total === null || update.total === 0
      ? null
      : Math.min(100, (update.done / update.total) * 100);
  const of = update.total === null ? "" : ` of ${formatCount(update.total)}`;
  const done = formatCount(update.done);
  switch (update.phase) {
    case "archive":
      return { label: `Archiving rows… ${done}${of}`, percent };
    case "delete":
      return { label: `Deleting rows… ${done}${of}`, percent };
    case "compute":
      return { label: `Computing reports from SQL… ${done}${of}`, percent };
    case "write":
      return { label: `Writing to KV… ${done}${of} keys`, percent };
    case "list":
      return { label: `Listing keys… ${done} found`, percent };
    default:
      return { label: `${update.phase}… ${done}${of}`, percent };
  }
}
