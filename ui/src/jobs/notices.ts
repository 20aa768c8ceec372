// What the Jobs screen says about this console's scheduler, and the notice of a failed
// scheduled run.
import type { CoreEvent, SchedulerReport } from "../ipc/bindings";

/** One line on this console's scheduler, for the screen's header. */
export function schedulerLine(
  report: SchedulerReport,
  profile: string,
): { text: string; color: string; detail: string | null } {
  if (report.state === "running") {
    const scheduled = report.status?.scheduled.length ?? 0;
    const here = report.profile === profile;
    return {
      text: here
        ? `Scheduler running: ${scheduled} scheduled ${scheduled === 1 ? "job" : "jobs"}`
        : `Scheduler running for profile ${report.profile}`,
      color: report.status?.lastError ? "orange" : "teal",
      detail: report.status?.lastError ?? null,
    };
  }
  if (report.state === "starting")
    return { text: "Scheduler starting…", color: "blue", detail: null };
  return { text: "Scheduler off", color: "gray", detail: report.reason };
}

/** The notice of a core event, when it is a failed scheduled run. */
export function failureNotice(event: CoreEvent): { title: string; message: string } | null {
  if (event.type !== "jobRunFinished") return null;
  const { run } = event;
  if (run.trigger !== "schedule" || run.status !== "failed") return null;
  return {
    title: `Scheduled job ${run.job} failed`,
    message: `Profile ${event.profile}, run #${run.id}: ${run.error ?? run.summary}`,
  };
}
