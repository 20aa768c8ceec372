// Generated from the command list in src-tauri/src/ipc_commands.rs; do not edit.
// Regenerate: UPDATE_BINDINGS=1 cargo test -p cachescope-app ipc_
import type {
  AuditRow,
  CacheStats,
  ConnectionCheck,
  DefinitionCheck,
  ExportFormat,
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
  QuotaPlan,
  ReportDiff,
  ReportList,
  ReportValue,
  RunSummary,
  SchedulerReport,
  SyncOutcome,
  ValueView,
} from "./bindings";
import { call } from "./call";

/** Every profile, without secrets (only where each is kept). */
export const listProfiles = (): Promise<Array<ProfileView>> => call("list_profiles");

/** Arguments of `save_profile`. */
export type SaveProfileArgs = {
  profile: ProfileInput;
  /** Null keeps the stored token (or stores none for a new profile). */
  token: string | null;
  /** Null keeps the stored Postgres password. */
  dbPassword: string | null;
};

/** Adds or replaces a profile; the core keeps its secrets. */
export const saveProfile = (args: SaveProfileArgs): Promise<ProfileView> =>
  call("save_profile", args);

/** Arguments of `delete_profile`. */
export type DeleteProfileArgs = {
  name: string;
};

/** Removes a profile and its stored secrets. */
export const deleteProfile = (args: DeleteProfileArgs): Promise<null> =>
  call("delete_profile", args);

/** Arguments of `set_default_profile`. */
export type SetDefaultProfileArgs = {
  name: string;
};

/** Makes a profile the default one. */
export const setDefaultProfile = (args: SetDefaultProfileArgs): Promise<null> =>
  call("set_default_profile", args);

/** Arguments of `test_connection`. */
export type TestConnectionArgs = {
  name: string;
};

/** Lists a first page of keys to prove the profile's namespace answers. */
export const testConnection = (args: TestConnectionArgs): Promise<ConnectionCheck> =>
  call("test_connection", args);

/** Arguments of `list_namespaces`. */
export type ListNamespacesArgs = {
  name: string;
};

/** The namespaces the profile can point at. */
export const listNamespaces = (args: ListNamespacesArgs): Promise<Array<Namespace>> =>
  call("list_namespaces", args);

/** Arguments of `switch_namespace`. */
export type SwitchNamespaceArgs = {
  name: string;
  namespaceId: string;
};

/** Points the profile at another namespace. */
export const switchNamespace = (args: SwitchNamespaceArgs): Promise<null> =>
  call("switch_namespace", args);

/** Arguments of `list_keys`. */
export type ListKeysArgs = {
  profile: string;
  prefix: string | null;
  cursor: string | null;
  limit: number | null;
};

/** One page of keys of a profile's namespace. */
export const listKeys = (args: ListKeysArgs): Promise<KeyPageView> =>
  call("list_keys", args);

/** Arguments of `get_value`. */
export type GetValueArgs = {
  profile: string;
  key: string;
  /** Null asks for the whole value. */
  maxBytes: number | null;
};

/** A value, as text or base64. */
export const getValue = (args: GetValueArgs): Promise<ValueView> =>
  call("get_value", args);

/** Arguments of `delete_key`. */
export type DeleteKeyArgs = {
  profile: string;
  key: string;
};

/** Deletes one key; resolves to whether it existed. */
export const deleteKey = (args: DeleteKeyArgs): Promise<boolean> =>
  call("delete_key", args);

/** Arguments of `set_key_ttl`. */
export type SetKeyTtlArgs = {
  profile: string;
  key: string;
  /** Null = never expires; otherwise at least 60 (KV's minimum). */
  ttlSeconds: number | null;
};

/** Sets a key's TTL, or makes it never expire. */
export const setKeyTtl = (args: SetKeyTtlArgs): Promise<null> =>
  call("set_key_ttl", args);

/** Arguments of `delete_prefix`. */
export type DeletePrefixArgs = {
  profile: string;
  prefix: string;
  dryRun: boolean;
  /** Must repeat `prefix` exactly for a real run; null for a dry run. */
  confirmation: string | null;
  /** Tags this run's progress events and lets cancelOperation stop it. */
  operationId: string;
};

/** Dry run or delete of every key under a prefix, as a cancellable operation. */
export const deletePrefix = (args: DeletePrefixArgs): Promise<PrefixDeletion> =>
  call("delete_prefix", args);

/** Arguments of `cancel_operation`. */
export type CancelOperationArgs = {
  operationId: string;
};

/** Asks a running operation to stop; resolves to whether it was running. */
export const cancelOperation = (args: CancelOperationArgs): Promise<boolean> =>
  call("cancel_operation", args);

/** Arguments of `list_reports`. */
export type ListReportsArgs = {
  profile: string;
  offline: boolean;
};

/** Every report with the keys found for it; `offline` reads the offline mirror instead of KV. */
export const listReports = (args: ListReportsArgs): Promise<ReportList> =>
  call("list_reports", args);

/** Arguments of `show_report`. */
export type ShowReportArgs = {
  profile: string;
  /** A report name, or a key one of the reports' templates matches. */
  report: string;
  /** Values for the report's key template placeholders, e.g. `{ dept: "default" }`. */
  params: Record<string, string>;
  offline: boolean;
};

/** One report key's value: KV, live SQL on a miss, or the mirror (asked, or KV unreachable). */
export const showReport = (args: ShowReportArgs): Promise<ReportValue> =>
  call("show_report", args);

/** Arguments of `diff_report`. */
export type DiffReportArgs = {
  profile: string;
  report: string;
  params: Record<string, string>;
};

/** The cached value against the same report recomputed from SQL now, field by field. */
export const diffReport = (args: DiffReportArgs): Promise<ReportDiff> =>
  call("diff_report", args);

/** Arguments of `check_report_definitions`. */
export type CheckReportDefinitionsArgs = {
  profile: string;
  reports: Array<string>;
};

/**
 * The named report definitions (all when empty) checked against the profile's database:
 * prepared, run read-only for one sample fan-out row, checked against their contracts.
 */
export const checkReportDefinitions = (args: CheckReportDefinitionsArgs): Promise<Array<DefinitionCheck>> =>
  call("check_report_definitions", args);

/** Arguments of `precompute_reports`. */
export type PrecomputeReportsArgs = {
  profile: string;
  /** Report names; every report when empty. */
  reports: Array<string>;
  dryRun: boolean;
  /** Tags this run's progress events and lets cancelOperation stop it. */
  operationId: string;
};

/** Precompute (or its dry run) of the named reports, as a cancellable operation. */
export const precomputeReports = (args: PrecomputeReportsArgs): Promise<PrecomputeRun> =>
  call("precompute_reports", args);

/** Arguments of `sync_reports`. */
export type SyncReportsArgs = {
  profile: string;
  operationId: string;
};

/** Copies the profile's report keys into the offline mirror. */
export const syncReports = (args: SyncReportsArgs): Promise<SyncOutcome> =>
  call("sync_reports", args);

/** Arguments of `export_report`. */
export type ExportReportArgs = {
  profile: string;
  report: string;
  params: Record<string, string>;
  offline: boolean;
  format: ExportFormat;
  /** The table to write (CSV; the HTML page may be limited to one); null for all / the first. */
  table: string | null;
};

/** Writes the report into the Downloads folder; resolves to the written file's path. */
export const exportReport = (args: ExportReportArgs): Promise<string> =>
  call("export_report", args);

/** Arguments of `list_precompute_runs`. */
export type ListPrecomputeRunsArgs = {
  profile: string;
  limit: number;
};

/** The latest precompute runs of a profile. */
export const listPrecomputeRuns = (args: ListPrecomputeRunsArgs): Promise<Array<RunSummary>> =>
  call("list_precompute_runs", args);

/** Arguments of `list_jobs`. */
export type ListJobsArgs = {
  profile: string;
};

/** Every job of the profile's Postgres with its schedule, state, next and last run. */
export const listJobs = (args: ListJobsArgs): Promise<Array<JobView>> =>
  call("list_jobs", args);

/** Arguments of `run_job`. */
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

/** Runs a job by hand (dry run or real); resolves to the recorded run however it ended. */
export const runJob = (args: RunJobArgs): Promise<JobRunRecord> =>
  call("run_job", args);

/** Arguments of `set_job_paused`. */
export type SetJobPausedArgs = {
  profile: string;
  job: JobName;
  paused: boolean;
};

/** Pauses or resumes a job's schedule on the profile's database. */
export const setJobPaused = (args: SetJobPausedArgs): Promise<JobSettings> =>
  call("set_job_paused", args);

/** Arguments of `set_job_enabled`. */
export type SetJobEnabledArgs = {
  profile: string;
  job: JobName;
  enabled: boolean;
  confirmation: string | null;
};

/**
 * Enables (with `confirmation`, the job's name as typed) or disables a destructive job's
 * schedule on the profile's database; the core checks the confirmation and audits the change.
 */
export const setJobEnabled = (args: SetJobEnabledArgs): Promise<JobSettings> =>
  call("set_job_enabled", args);

/** Arguments of `set_job_schedule`. */
export type SetJobScheduleArgs = {
  profile: string;
  job: JobName;
  schedule: string | null;
  timeZone: string;
};

/** A cron expression (null: by hand only) and an IANA time zone; the core checks both. */
export const setJobSchedule = (args: SetJobScheduleArgs): Promise<JobSettings> =>
  call("set_job_schedule", args);

/** Arguments of `set_job_options`. */
export type SetJobOptionsArgs = {
  profile: string;
  job: JobName;
  options: unknown;
};

/** Replaces the job's options (a JSON object; missing fields take their defaults). */
export const setJobOptions = (args: SetJobOptionsArgs): Promise<JobSettings> =>
  call("set_job_options", args);

/** Arguments of `job_history`. */
export type JobHistoryArgs = {
  profile: string;
  job: JobName | null;
  limit: number;
};

/** The newest runs of one job (all jobs when `job` is null), newest first. */
export const jobHistory = (args: JobHistoryArgs): Promise<Array<JobRunRecord>> =>
  call("job_history", args);

/** Arguments of `audit_log`. */
export type AuditLogArgs = {
  profile: string | null;
  limit: number;
};

/**
 * The newest entries of the profile's audit log, newest first: its database's shared log
 * when it names one, else this machine's (also when `profile` is null).
 */
export const auditLog = (args: AuditLogArgs): Promise<Array<AuditRow>> =>
  call("audit_log", args);

/** Arguments of `export_audit_csv`. */
export type ExportAuditCsvArgs = {
  profile: string | null;
  limit: number;
};

/** The newest entries of the same audit log as CSV text. */
export const exportAuditCsv = (args: ExportAuditCsvArgs): Promise<string> =>
  call("export_audit_csv", args);

/** Arguments of `quota_plan`. */
export type QuotaPlanArgs = {
  profile: string;
};

/**
 * What the report-writing jobs' schedules cost a day in KV writes and lists against the
 * profile's plan, per report and in total.
 */
export const quotaPlan = (args: QuotaPlanArgs): Promise<QuotaPlan> =>
  call("quota_plan", args);

/** Whether this console schedules jobs (for the default profile), and why not. */
export const schedulerStatus = (): Promise<SchedulerReport> => call("scheduler_status");

/** Arguments of `cache_stats`. */
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
export const cacheStats = (args: CacheStatsArgs): Promise<CacheStats> =>
  call("cache_stats", args);
