// Typed wrappers around the shell's commands. Every failure surfaces as an IpcError, including
// running in a plain browser (`npm run dev` without the desktop shell), where nothing is faked.
import { type InvokeArgs, invoke } from "@tauri-apps/api/core";
import type {
  AuditRow,
  CacheStats,
  ConnectionCheck,
  Granularity,
  JobName,
  JobRunRecord,
  JobSettings,
  JobView,
  KeyPageView,
  Namespace,
  PrecomputeRun,
  PrefixDeletion,
  ProfileInput,
  ProfileView,
  ReportDiff,
  ReportList,
  ReportValue,
  RunSummary,
  SchedulerReport,
  SyncOutcome,
  ValueView,
} from "./bindings";
import { IpcError } from "./errors";
import { insideDesktopApp } from "./runtime";

export type ListKeysArgs = {
  profile: string;
  prefix: string | null;
  cursor: string | null;
  limit: number | null;
};

export type GetValueArgs = {
  profile: string;
  key: string;
  /** Null asks for the whole value. */
  maxBytes: number | null;
};

export type SaveProfileArgs = {
  profile: ProfileInput;
  /** Null keeps the stored token (or stores none for a new profile). */
  token: string | null;
  /** Null keeps the stored Postgres password. */
  dbPassword: string | null;
};

export type KeyArgs = { profile: string; key: string };

export type SetKeyTtlArgs = KeyArgs & {
  /** Null = never expires; otherwise at least 60 (KV's minimum). */
  ttlSeconds: number | null;
};

export type DeletePrefixArgs = {
  profile: string;
  prefix: string;
  dryRun: boolean;
  /** Must repeat `prefix` exactly for a real run; null for a dry run. */
  confirmation: string | null;
  /** Tags this run's progress events and lets cancelOperation stop it. */
  operationId: string;
};

/** Values for a report's key template placeholders, e.g. `{ dept: "default" }`. */
export type ReportParams = Record<string, string>;

export type ReportArgs = {
  profile: string;
  /** A report name, or a key one of the reports' templates matches. */
  report: string;
  params: ReportParams;
};

export type ExportFormat = "json" | "csv" | "html";

export type ExportReportArgs = ReportArgs & {
  offline: boolean;
  format: ExportFormat;
  /** The table to write (CSV; the HTML page may be limited to one); null for all / the first. */
  table: string | null;
};

export type PrecomputeArgs = {
  profile: string;
  /** Report names; every report when empty. */
  reports: string[];
  dryRun: boolean;
  /** Tags this run's progress events and lets cancelOperation stop it. */
  operationId: string;
};

export type RunJobArgs = {
  profile: string;
  job: JobName;
  dryRun: boolean;
  /** The user whose keys invalidate-user deletes; null for every other job. */
  userId: string | null;
  /** Sweep: go past the circuit breaker (maxDeletePercent); recorded in the audit. */
  overrideShareLimit: boolean;
  /** The job's name as the user typed it: a destructive job's real run is refused without it. */
  confirmation: string | null;
  /** Tags this run's progress events and lets cancelOperation stop it. */
  operationId: string;
};

export type JobArgs = { profile: string; job: JobName };

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  if (!insideDesktopApp()) {
    throw new IpcError("unavailable", "Not running inside the Cachescope desktop app");
  }
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw IpcError.from(reason);
  }
}

export const listProfiles = (): Promise<ProfileView[]> => call("list_profiles");

export const saveProfile = (args: SaveProfileArgs): Promise<ProfileView> =>
  call("save_profile", args);

export const deleteProfile = (args: { name: string }): Promise<null> =>
  call("delete_profile", args);

export const setDefaultProfile = (args: { name: string }): Promise<null> =>
  call("set_default_profile", args);

export const testConnection = (args: { name: string }): Promise<ConnectionCheck> =>
  call("test_connection", args);

export const listNamespaces = (args: { name: string }): Promise<Namespace[]> =>
  call("list_namespaces", args);

export const switchNamespace = (args: { name: string; namespaceId: string }): Promise<null> =>
  call("switch_namespace", args);

export const listKeys = (args: ListKeysArgs): Promise<KeyPageView> => call("list_keys", args);

export const getValue = (args: GetValueArgs): Promise<ValueView> => call("get_value", args);

/** Resolves to whether the key existed. */
export const deleteKey = (args: KeyArgs): Promise<boolean> => call("delete_key", args);

export const setKeyTtl = (args: SetKeyTtlArgs): Promise<null> => call("set_key_ttl", args);

export const deletePrefix = (args: DeletePrefixArgs): Promise<PrefixDeletion> =>
  call("delete_prefix", args);

export const cancelOperation = (args: { operationId: string }): Promise<null> =>
  call("cancel_operation", args);

/** Every report with the keys found for it; `offline` reads the offline mirror instead of KV. */
export const listReports = (args: { profile: string; offline: boolean }): Promise<ReportList> =>
  call("list_reports", args);

/** One report key's value: KV, live SQL on a miss, or the mirror (asked, or KV unreachable). */
export const showReport = (args: ReportArgs & { offline: boolean }): Promise<ReportValue> =>
  call("show_report", args);

/** The cached value against the same report recomputed from SQL now, field by field. */
export const diffReport = (args: ReportArgs): Promise<ReportDiff> => call("diff_report", args);

export const precomputeReports = (args: PrecomputeArgs): Promise<PrecomputeRun> =>
  call("precompute_reports", args);

/** Copies the profile's report keys into the offline mirror. */
export const syncReports = (args: { profile: string; operationId: string }): Promise<SyncOutcome> =>
  call("sync_reports", args);

/** Writes the report into the Downloads folder; resolves to the written file's path. */
export const exportReport = (args: ExportReportArgs): Promise<string> =>
  call("export_report", args);

export const listPrecomputeRuns = (args: {
  profile: string;
  limit: number;
}): Promise<RunSummary[]> => call("list_precompute_runs", args);

/** Every job of the profile's Postgres with its schedule, state, next and last run. */
export const listJobs = (args: { profile: string }): Promise<JobView[]> => call("list_jobs", args);

/** Runs a job by hand (dry run or real); resolves to the recorded run however it ended. */
export const runJob = (args: RunJobArgs): Promise<JobRunRecord> => call("run_job", args);

export const setJobPaused = (args: JobArgs & { paused: boolean }): Promise<JobSettings> =>
  call("set_job_paused", args);

/**
 * Enables (with `confirmation`, the job's name as typed) or disables a destructive job's
 * schedule on the profile's database; the core checks the confirmation and audits the change.
 */
export const setJobEnabled = (
  args: JobArgs & { enabled: boolean; confirmation: string | null },
): Promise<JobSettings> => call("set_job_enabled", args);

/** A cron expression (null: by hand only) and an IANA time zone; the core checks both. */
export const setJobSchedule = (
  args: JobArgs & { schedule: string | null; timeZone: string },
): Promise<JobSettings> => call("set_job_schedule", args);

/** Replaces the job's options (a JSON object; missing fields take their defaults). */
export const setJobOptions = (args: JobArgs & { options: unknown }): Promise<JobSettings> =>
  call("set_job_options", args);

/** The newest runs of one job (all jobs when `job` is null), newest first. */
export const jobHistory = (args: {
  profile: string;
  job: JobName | null;
  limit: number;
}): Promise<JobRunRecord[]> => call("job_history", args);

/**
 * The newest entries of the profile's audit log, newest first: its database's shared log when it
 * names one, else this machine's (also when `profile` is null).
 */
export const auditLog = (args: { profile: string | null; limit: number }): Promise<AuditRow[]> =>
  call("audit_log", args);

/** The newest entries of the same audit log as CSV text. */
export const exportAuditCsv = (args: { profile: string | null; limit: number }): Promise<string> =>
  call("export_audit_csv", args);

/** Whether this console schedules jobs (for the default profile), and why not. */
export const schedulerStatus = (): Promise<SchedulerReport> => call("scheduler_status");

export type CacheStatsArgs = {
  profile: string;
  /** An age before now (`24h`, `7d`, `90m`, `2w`) or an RFC 3339 instant. */
  since: string;
  /** Null: now. */
  until: string | null;
  /** Null: every key family. */
  family: string | null;
  /** Null: per hour up to 7 days, per day beyond. */
  granularity: Granularity | null;
};

/** Hit/miss figures of the profile's database for a time range (new events rolled up first). */
export const cacheStats = (args: CacheStatsArgs): Promise<CacheStats> => call("cache_stats", args);
