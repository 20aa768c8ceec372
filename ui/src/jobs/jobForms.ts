// The schedule and options forms' own checks, and which field a core refusal belongs to, so the
// core's message shows next to the field at fault.

import type { JobOptions } from "../ipc/bindings";

export interface ScheduleDraft {
  /** Cron expression; empty = run by hand only. */
  cron: string;
  timeZone: string;
}

export type ScheduleField = "cron" | "timeZone";

/** What the schedule form sends: null schedule for "by hand only". */
export function scheduleArgs(draft: ScheduleDraft): { schedule: string | null; timeZone: string } {
  const cron = draft.cron.trim().replace(/\s+/g, " ");
  return { schedule: cron.length === 0 ? null : cron, timeZone: draft.timeZone.trim() };
}

/** Checks the form can catch before asking the core (which has the last word). */
export function checkScheduleDraft(draft: ScheduleDraft): Partial<Record<ScheduleField, string>> {
  const errors: Partial<Record<ScheduleField, string>> = {};
  const { schedule, timeZone } = scheduleArgs(draft);
  if (schedule !== null) {
    const fields = schedule.split(" ").length;
    if (fields < 5 || fields > 6)
      errors.cron = `A cron expression has 5 fields (minute hour day month weekday), or 6 with seconds; this one has ${fields}`;
  }
  if (timeZone.length === 0) errors.timeZone = "Enter an IANA time zone, e.g. UTC or Europe/Berlin";
  return errors;
}

/** The field a core refusal of a schedule names ("time zone of job …", "schedule of job …"). */
export function scheduleErrorField(message: string): ScheduleField | null {
  if (/time zone/i.test(message)) return "timeZone";
  if (/schedule|cron/i.test(message)) return "cron";
  return null;
}

/** The job's options as the editor's starting text: its own fields, without the `job` tag
 * (the core accepts the text with or without it). */
export function optionsText(options: JobOptions): string {
  const { job: _job, ...fields } = options;
  return JSON.stringify(fields, null, 2);
}

export type ParsedOptions =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; error: string };

/** The editor's text as a JSON object, or what is wrong with it (the core checks the values). */
export function parseOptions(text: string): ParsedOptions {
  if (text.trim().length === 0) return { ok: false, error: "Enter the options as a JSON object" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `Not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: false, error: "The options must be a JSON object ({ … })" };
  return { ok: true, value: value as Record<string, unknown> };
}
