// Generated from the Rust types by ts-rs (src-tauri/src/ipc_bindings.rs); do not edit.
// Regenerate: UPDATE_BINDINGS=1 cargo test -p cachescope-app ipc_

export type ErrorCode = "notFound" | "invalid" | "readOnlyProfile" | "rateLimited" | "unavailable" | "auth" | "permission" | "quotaExceeded" | "database" | "config" | "cancelled" | "internal";

export type IpcError = { code: ErrorCode, message: string, };

export type ProfileKind = "local" | "cloudflare";

export type SecretPlace = "keychain" | "file" | "environment" | "none";

export type ProfileView = { name: string, kind: ProfileKind, accountId: string | null, namespaceId: string | null, baseUrl: string | null, 
/**
 * Local namespace file (local profiles; `None` = the default file).
 */
path: string | null, postgresUrl: string | null, 
/**
 * Whether writes are refused (read-only, or production and not unlocked).
 */
readOnly: boolean, 
/**
 * The profile's own read-only setting, apart from the production lock.
 */
readOnlySetting: boolean, production: boolean, unlocked: boolean, tokenSet: boolean, dbPasswordSet: boolean, 
/**
 * Where the API token is actually kept (the keychain, the fallback file, ...).
 */
tokenLocation: SecretPlace, 
/**
 * Where the Postgres password is actually kept.
 */
dbPasswordLocation: SecretPlace, isDefault: boolean, };

export type ProfileInput = { name: string, kind: ProfileKind, accountId: string | null, namespaceId: string | null, baseUrl: string | null, path: string | null, postgresUrl: string | null, readOnly: boolean, production: boolean, unlocked: boolean, };

export type ConnectionCheck = { store: string, 
/**
 * Keys seen in a first page of at most 10 (0 for an empty namespace).
 */
sampleKeys: number, roundTripMs: number, };

export type Namespace = { id: string, title: string, };

export type KeyView = { name: string, 
/**
 * Absolute expiry, Unix seconds.
 */
expiration: number | null, 
/**
 * The key's metadata as JSON text (parse it losslessly), or `None`.
 */
metadata: string | null, };

export type KeyPageView = { keys: Array<KeyView>, cursor: string | null, };

export type ValueEncoding = "utf8" | "base64";

export type ContractBreach = { 
/**
 * JSON pointer to the part of the value at fault (`/` for the whole value).
 */
path: string, 
/**
 * What the schema expected there (the value itself is not quoted).
 */
message: string, };

export type ContractCheck = { contract: string, report: string, 
/**
 * `None` when the value matches; else where it first breaks the contract.
 */
breach: ContractBreach | null, };

export type ValueView = { key: string, sizeBytes: number, expiration: number | null, 
/**
 * The key's metadata as JSON text (parse it losslessly), or `None`.
 */
metadata: string | null, encoding: ValueEncoding, data: string, 
/**
 * The value is longer than `max_bytes`; `data` holds only its start.
 */
truncated: boolean, 
/**
 * The value against the contract of the report that owns the key, when it has one.
 */
contract: ContractCheck | null, };

export type PrefixDeletion = { profile: string, prefix: string, dryRun: boolean, 
/**
 * Keys under the prefix when listed.
 */
matched: number, 
/**
 * The first keys, in order.
 */
sample: Array<string>, 
/**
 * Keys the server said it deleted.
 */
deleted: number, 
/**
 * Keys the server reported as not processed (Cloudflare's `unsuccessful_keys`): they are
 * still there, and deleting the prefix again retries them.
 */
failed: number, 
/**
 * The first keys that could not be deleted, at most [`SAMPLE_SIZE`].
 */
failedSample: Array<string>, cancelled: boolean, };

export type ProgressUpdate = { phase: string, done: number, total: number | null, };

export type TableSpec = { name: string, 
/**
 * JSON pointer to an array of objects, or to an object of objects (one row per entry).
 */
pointer: string, };

export type ValueSource = "kv" | "liveSql" | "mirror";

export type ReportKey = { key: string, params: { [key in string]?: string }, generatedAt: string | null, 
/**
 * Absolute expiry, Unix seconds.
 */
expiration: number | null, 
/**
 * Seconds left before KV drops it.
 */
ttlLeft: number | null, 
/**
 * Older than its schedule: a scheduled refresh was missed.
 */
stale: boolean, 
/**
 * When it was copied into the offline mirror (mirror only).
 */
syncedAt: string | null, };

export type ReportSummary = { name: string, title: string, keyTemplate: string, params: Array<string>, ttl: number, schedule: string, scheduleText: string, timeZone: string, view: string | null, tables: Array<TableSpec>, origin: string, 
/**
 * Keys found (at most [`MAX_LISTED_INSTANCES`], in key order).
 */
keys: Array<ReportKey>, keyCount: number, 
/**
 * When precompute last confirmed this report current (it may have skipped rewriting it).
 */
lastCheckedAt: string | null, };

export type ReportList = { profile: string, source: ValueSource, 
/**
 * KV could not be reached; the list comes from the offline mirror.
 */
offline: boolean, 
/**
 * Why KV could not be read, when offline.
 */
offlineReason: string | null, reports: Array<ReportSummary>, };

export type ReportValue = { name: string, title: string, key: string, params: { [key in string]?: string }, view: string | null, tables: Array<TableSpec>, source: ValueSource, offline: boolean, 
/**
 * What the user should know about the source (a miss, an offline copy).
 */
note: string | null, 
/**
 * The JSON text of the value.
 */
json: string, generatedAt: string | null, expiration: number | null, ttlLeft: number | null, stale: boolean, syncedAt: string | null, };

export type CheckStage = "fanOut" | "sql" | "result" | "run" | "contract";

export type DefinitionCheck = { report: string, ok: boolean, stage: CheckStage | null, error: string | null, 
/**
 * Where in the failing statement Postgres points (1-based), when it does.
 */
line: number | null, column: number | null, 
/**
 * The payload SQL's parameter types as Postgres infers them (`$1`, `$2`, ...).
 */
parameters: Array<string>, 
/**
 * The type of the payload SQL's one result column.
 */
resultType: string | null, 
/**
 * Rows the fan-out query returned (`None` without fan-out).
 */
fanOutRows: number | null, 
/**
 * The key computed for the sample row.
 */
sampleKey: string | null, sampleBytes: number | null, contract: string | null, };

export type ChangeKind = "added" | "removed" | "changed";

export type FieldChange = { path: string, kind: ChangeKind, cached: string | null, live: string | null, };

export type ReportDiff = { name: string, key: string, 
/**
 * `None` when KV has no value (everything is "added").
 */
cachedGeneratedAt: string | null, liveGeneratedAt: string, 
/**
 * The stamp field aside, the two are equal.
 */
identical: boolean, changes: Array<FieldChange>, };

export type WriteReason = "new" | "changed" | "expiring" | "unchanged";

export type KeyPlan = { key: string, reason: WriteReason, bytes: number, };

export type ReportRun = { name: string, keys: Array<KeyPlan>, written: number, skipped: number, error: string | null, };

export type RunStatus = "succeeded" | "partial" | "failed" | "cancelled";

export type PrecomputeRun = { id: number | null, profile: string, dryRun: boolean, asOf: string, startedAt: string, finishedAt: string, status: RunStatus, reports: Array<ReportRun>, written: number, skipped: number, failedReports: number, 
/**
 * Why the whole run failed (e.g. the bulk write was refused), if it did.
 */
error: string | null, };

export type ExportFormat = "json" | "csv" | "html";

export type RunSummary = { id: number, startedAt: string, durationMs: number, dryRun: boolean, status: string, keysWritten: number, keysSkipped: number, reportsFailed: number, error: string | null, };

export type SyncOutcome = { profile: string, syncedAt: string, keys: number, bytes: number, 
/**
 * Mirror copies removed because the source no longer has them.
 */
removed: number, };

export type JobName = "precompute" | "nightly-analytics" | "archive" | "delete-archived" | "storage-report" | "prune-snapshots" | "sweep" | "invalidate-user";

export type SweepRule = { 
/**
 * A key template with one `{...}` id, e.g. `conversation:{id}:detail`, or a prefix ending
 * in `:` (every key under it).
 */
family: string, 
/**
 * Delete keys of the family that have no expiry.
 */
withoutTtl: boolean, 
/**
 * A query returning, of the ids bound as `$1` (text[]), those that still exist; keys whose
 * id it does not return are deleted. It runs in a read-only transaction with a time limit,
 * and may return only ids it was given.
 */
existingIdsSql: string | null, };

export type PrecomputeOptions = { 
/**
 * Days of run history kept for this job (1-3650).
 */
historyDays: number, 
/**
 * Report names (empty: every report).
 */
reports: Array<string>, };

export type ArchiveOptions = { 
/**
 * Days of run history kept for this job (1-3650).
 */
historyDays: number, 
/**
 * The detail table, `schema.table`.
 */
table: string, 
/**
 * The rows' time column (a timestamp); rows older than `retention_days` are archived.
 */
timeColumn: string, 
/**
 * The table's unique integer id column.
 */
idColumn: string, 
/**
 * Days detail rows stay hot in the database (1-36500).
 */
retentionDays: number, 
/**
 * Rows read per statement while archiving (1-1000000).
 */
readChunk: number, };

export type DeleteArchivedOptions = { 
/**
 * Days of run history kept for this job (1-3650).
 */
historyDays: number, 
/**
 * The detail table, `schema.table`.
 */
table: string, 
/**
 * The rows' time column (a timestamp): only rows older than their archive's cutoff go.
 */
timeColumn: string, 
/**
 * The table's unique integer id column.
 */
idColumn: string, 
/**
 * Rows per delete statement (1-100000).
 */
batchSize: number, 
/**
 * Most batches one run deletes (0: no limit; at most 1000000).
 */
maxBatches: number, };

export type StorageReportOptions = { 
/**
 * Days of run history kept for this job (1-3650).
 */
historyDays: number, 
/**
 * The schemas measured (1-50).
 */
schemas: Array<string>, 
/**
 * The key the report is written to.
 */
reportKey: string, 
/**
 * The report key's TTL in seconds (60 to 10 years).
 */
reportTtl: number, };

export type PruneSnapshotsOptions = { 
/**
 * Days of run history kept for this job (1-3650).
 */
historyDays: number, 
/**
 * The versioned key template, ending in `{version}` (a number) in its last `:` segment; the
 * family's pointer key is that segment replaced by `latest`.
 */
snapshotTemplate: string, 
/**
 * Newest versions kept (1-100000); the version the pointer names and newer ones are kept too.
 */
keepVersions: number, };

export type SweepOptions = { 
/**
 * Days of run history kept for this job (1-3650).
 */
historyDays: number, 
/**
 * The families swept (1-100 rules).
 */
sweepRules: Array<SweepRule>, 
/**
 * The circuit breaker: a run that would delete more than this share (percent, 0-100) of a
 * family's keys stops before deleting anything, unless the run overrides it.
 */
maxDeletePercent: number, };

export type InvalidateUserOptions = { 
/**
 * Days of run history kept for this job (1-3650).
 */
historyDays: number, };

export type JobOptions = { "job": "precompute" } & PrecomputeOptions | { "job": "nightly-analytics" } & PrecomputeOptions | { "job": "archive" } & ArchiveOptions | { "job": "delete-archived" } & DeleteArchivedOptions | { "job": "storage-report" } & StorageReportOptions | { "job": "prune-snapshots" } & PruneSnapshotsOptions | { "job": "sweep" } & SweepOptions | { "job": "invalidate-user" } & InvalidateUserOptions;

export type PrecomputeCounts = { 
/**
 * Keys written (dry: that would be written).
 */
keysWritten: number, 
/**
 * Keys left alone because their value had not changed.
 */
keysSkipped: number, 
/**
 * Reports computed.
 */
reports: number, };

export type ArchiveCounts = { 
/**
 * Rows written to the archive file (dry: rows the archive would take).
 */
rowsArchived: number, 
/**
 * The archive file's size (none in a dry run).
 */
fileBytes: number, };

export type DeleteArchivedCounts = { 
/**
 * Rows deleted (dry: rows the batches would delete).
 */
rowsDeleted: number, 
/**
 * Delete batches committed (dry: that would be).
 */
batches: number, 
/**
 * Archives whose rows are now all deleted.
 */
archivesCompleted: number, 
/**
 * Archived rows left for later runs; known only when the run finished.
 */
rowsRemaining?: number, };

export type StorageReportCounts = { 
/**
 * Tables measured.
 */
tables: number, 
/**
 * Their bytes on disk, together.
 */
tableBytes: number, 
/**
 * Keys in the namespace.
 */
keys: number, 
/**
 * Their bytes, together.
 */
keyBytes: number, };

export type KeyCleanupCounts = { 
/**
 * Keys listed that belong to the families looked at.
 */
matched: number, 
/**
 * Keys chosen for deletion.
 */
toDelete: number, 
/**
 * Keys deleted (none in a dry run).
 */
deleted: number, 
/**
 * Keys the server left unprocessed; present only when there were some.
 */
failed?: number, 
/**
 * prune-snapshots: versions kept only because of the pointer (at or above the version it
 * names, beyond the newest `keepVersions`); present when the family has a pointer.
 */
keptByPointer?: number, };

export type JobCounts = { "job": "precompute" } & PrecomputeCounts | { "job": "nightly-analytics" } & PrecomputeCounts | { "job": "archive" } & ArchiveCounts | { "job": "delete-archived" } & DeleteArchivedCounts | { "job": "storage-report" } & StorageReportCounts | { "job": "prune-snapshots" } & KeyCleanupCounts | { "job": "sweep" } & KeyCleanupCounts | { "job": "invalidate-user" } & KeyCleanupCounts;

export type FamilyShare = { family: string, matched: number, toDelete: number, 
/**
 * `to_delete` as a percentage of `matched` (0 when nothing matched).
 */
percent: number, 
/**
 * Above the run's `maxDeletePercent`.
 */
overLimit: boolean, };

export type KeyCleanupOutcome = { 
/**
 * Keys listed that belong to the families looked at.
 */
matched: number, 
/**
 * Keys chosen for deletion, by reason (e.g. `older version`, `no TTL`, `entity gone`).
 */
reasons: Record<string, number>, 
/**
 * The first keys chosen, in order.
 */
sample: Array<string>, toDelete: number, deleted: number, 
/**
 * Keys the server did not delete (they are still there; the next run retries them).
 */
failed: number, failedSample: Array<string>, 
/**
 * Sweep: each family's share chosen for deletion, against the circuit breaker's limit.
 */
families: Array<FamilyShare>, 
/**
 * prune-snapshots: the family's pointer key, when it exists.
 */
pointerKey?: string, 
/**
 * prune-snapshots: the version the pointer names; it and every newer version are kept.
 */
pointerVersion?: number, 
/**
 * prune-snapshots: versions kept only because of the pointer (at or above the version it
 * names, beyond the newest `keepVersions`).
 */
keptByPointer?: number, };

export type JobRunStatus = "running" | "succeeded" | "failed" | "cancelled" | "skipped" | "abandoned";

export type JobRunRecord = { id: number, job: JobName, 
/**
 * The schedule time this run served; `None` for a manual run.
 */
scheduledFor: string | null, trigger: string, profile: string, osUser: string, host: string, dryRun: boolean, startedAt: string, finishedAt: string | null, durationMs: number | null, status: JobRunStatus, 
/**
 * What the run counted, e.g. `{"job": "archive", "rowsArchived": 1000, "fileBytes": 5120}`;
 * `None` when it recorded no counts (it failed or stopped before doing anything).
 */
counts: JobCounts | null, summary: string, detail: unknown, error: string | null, };

export type JobView = { name: JobName, description: string, 
/**
 * Deletes rows or keys: a real run asks for confirmation after a dry run.
 */
destructive: boolean, 
/**
 * Needs a user id for each run (so runs by hand only).
 */
needsParameter: boolean, schedule: string | null, 
/**
 * The schedule in plain words, with its time zone.
 */
scheduleDescription: string | null, timeZone: string, paused: boolean, 
/**
 * Whether the schedule may run on this database (a destructive job starts disabled until
 * someone enables it with a typed confirmation; other jobs are always enabled).
 */
enabled: boolean, 
/**
 * The next scheduled time (none when paused, disabled or unscheduled).
 */
nextRun: string | null, 
/**
 * The newest real run.
 */
lastRun: JobRunRecord | null, 
/**
 * A run in progress on any console.
 */
running: JobRunRecord | null, options: JobOptions, updatedBy: string, };

export type JobSettings = { name: JobName, 
/**
 * Cron expression; `None` = run by hand only.
 */
schedule: string | null, timeZone: string, paused: boolean, 
/**
 * Whether the job's schedule may run on this database. A destructive job starts disabled
 * and is enabled with a typed confirmation ([`set_enabled`]); a job that deletes nothing is
 * always enabled.
 */
enabled: boolean, options: JobOptions, updatedAt: string, updatedBy: string, };

export type SchedulerStatus = { profile: string, 
/**
 * Jobs with a live schedule in this scheduler.
 */
scheduled: Array<JobName>, 
/**
 * The last problem reading schedules (e.g. Postgres unreachable); cleared on success.
 */
lastError: string | null, };

export type SchedulerReport = { 
/**
 * `starting`, `running` or `off`.
 */
state: string, profile: string | null, 
/**
 * Why the scheduler is off.
 */
reason: string | null, 
/**
 * The running scheduler's jobs and last problem.
 */
status: SchedulerStatus | null, };

export type AuditRow = { id: number, at: string, osUser: string, host: string, profile: string, action: string, target: string, itemCount: number, dryRun: boolean, outcome: string, detail: unknown, };

export type Granularity = "hour" | "day";

export type Figures = { hits: number, misses: number, stale: number, errors: number, sets: number, deletes: number, lists: number, 
/**
 * hits + misses + stale + errors: every read attempt.
 */
reads: number, 
/**
 * hits / reads; `None` without reads.
 */
hitRate: number | null, 
/**
 * Reads answered from KV without SQL (hits + stale): each is one report query the
 * fallback would have run.
 */
dbQueriesSaved: number, latencyMeanMs: number | null, 
/**
 * Percentiles as the upper bound of their latency bucket (see `rollup::LATENCY_BOUNDS_MS`).
 */
latencyP50Ms: number | null, latencyP95Ms: number | null, latencyP99Ms: number | null, };

export type FamilyStats = { family: string, totals: Figures, 
/**
 * Hit rate per bucket (aligned with [`CacheStats::buckets`]; `None` without reads), for the
 * [`FAMILY_LINES`] families with the most reads (or the one family asked for, if it has
 * reads); empty for the others.
 */
hitRate: Array<number | null>, };

export type DayOperations = { 
/**
 * `YYYY-MM-DD`.
 */
day: string, reads: number, writes: number, deletes: number, lists: number, };

export type MissedKey = { key: string, family: string, misses: number, reads: number, };

export type PlanLimits = { reads: number, writes: number, deletes: number, lists: number, };

export type Targets = { 
/**
 * Share of reads served fresh from KV.
 */
hitRate: number, meanLatencyMs: number, p95LatencyMs: number, dailyReads: number, dailyWrites: number, 
/**
 * Share of reads that needed no database query.
 */
dbQueriesSaved: number, };

export type CacheStats = { since: string, until: string, granularity: Granularity, family: string | null, 
/**
 * Start of each bucket (RFC 3339), oldest first, every bucket of the range.
 */
buckets: Array<string>, 
/**
 * Figures per bucket, aligned with `buckets`.
 */
series: Array<Figures>, totals: Figures, 
/**
 * Every family with events in the range, most reads first.
 */
families: Array<FamilyStats>, 
/**
 * The families of `families` that missed in the range, most misses first (ties by name).
 */
mostMissedFamilies: Array<string>, 
/**
 * Per UTC day of the range with events.
 */
kvOperations: Array<DayOperations>, 
/**
 * The plan's daily limits: the free plan's here; the profile's own plan
 * (`[profile.plan]`) when read through [`super::profile_stats::rolled_up_stats`].
 */
limits: PlanLimits, targets: Targets, 
/**
 * Keys with the most misses, from the raw events still kept (see `raw_events_since`).
 */
topMissedKeys: Array<MissedKey>, 
/**
 * The oldest raw event kept; misses by key are known only from then on.
 */
rawEventsSince: string | null, 
/**
 * When the rollups were last updated.
 */
lastRollupAt: string | null, };

export type QuotaDay = { 
/**
 * `YYYY-MM-DD`.
 */
date: string, 
/**
 * Writes with unchanged values.
 */
writes: number, 
/**
 * Writes if every run found every value changed.
 */
writesIfChanging: number, lists: number, };

export type QuotaTotals = { 
/**
 * Always 0: precompute reads no values (the content hashes come with the listing).
 */
reads: number, writes: number, writesIfChanging: number, 
/**
 * Always 0: precompute deletes nothing.
 */
deletes: number, lists: number, readsShare: number, writesShare: number, writesIfChangingShare: number, deletesShare: number, listsShare: number, 
/**
 * The operations whose floor is over the plan's limit (`writes`, `lists`).
 */
over: Array<string>, 
/**
 * Whether the writes would be over the limit if every run found every value changed.
 */
mayExceed: boolean, };

export type ListingQuota = { prefix: string, 
/**
 * The keys of the run's reports under it.
 */
keys: number, 
/**
 * ⌈keys / 1000⌉, at least 1.
 */
listsPerRun: number, };

export type JobQuota = { job: JobName, schedule: string | null, timeZone: string, 
/**
 * Whether its schedule runs (it has one and is not paused).
 */
active: boolean, 
/**
 * Why it does not run, when it does not.
 */
inactiveReason: string | null, 
/**
 * The reports each run writes.
 */
reports: Array<string>, 
/**
 * Runs on the busiest day.
 */
runsPerDay: number, 
/**
 * The prefixes each run lists.
 */
listings: Array<ListingQuota>, 
/**
 * List calls on the busiest day.
 */
listsPerDay: number, };

export type ReportQuota = { name: string, key: string, ttl: number, 
/**
 * Fan-out rows (1 without fan-out); 0 when the fan-out query failed.
 */
keys: number, 
/**
 * Why its keys could not be counted (its runs would fail the same way and write nothing).
 */
error: string | null, 
/**
 * The active jobs that write it.
 */
jobs: Array<JobName>, 
/**
 * Runs on its busiest day.
 */
runsPerDay: number, 
/**
 * Rewrites of one key with an unchanged value, on the busiest day.
 */
writesPerKeyPerDay: number, 
/**
 * keys × writes_per_key_per_day.
 */
writesPerDay: number, 
/**
 * keys × runs_per_day: every run finds every value changed.
 */
writesPerDayIfChanging: number, 
/**
 * writes_per_day / the plan's writes.
 */
writeShare: number, 
/**
 * Runs on the busiest day that find its keys expired (readers miss until the run).
 */
expiredRunsPerDay: number, 
/**
 * Every run finds its keys expired: the TTL ends before the next run.
 */
expiresBeforeNextRun: boolean, };

export type QuotaPlan = { profile: string, 
/**
 * The plan's daily limits.
 */
limits: PlanLimits, 
/**
 * Whether they are the profile's own (`[profile.plan]`) rather than the free plan's.
 */
ownPlan: boolean, 
/**
 * The moment the fan-out queries were run for and the week starts after.
 */
asOf: string, 
/**
 * The UTC days played, with the operations of each.
 */
days: Array<QuotaDay>, 
/**
 * The jobs that write reports, in catalog order.
 */
jobs: Array<JobQuota>, 
/**
 * Every report of the catalog, in catalog order.
 */
reports: Array<ReportQuota>, totals: QuotaTotals, 
/**
 * Sentences naming what to look at: definitions whose TTL ends before their next run,
 * reports and limits over the plan.
 */
findings: Array<string>, };

export type FinishedRun = { id: number, 
/**
 * The job's name, e.g. `archive`.
 */
job: string, 
/**
 * `schedule` or `manual`.
 */
trigger: string, 
/**
 * `succeeded`, `failed`, `cancelled`, `skipped`, ...
 */
status: string, summary: string, error: string | null, };

export type CoreEvent = { "type": "progressReported", operation: string, phase: string, done: number, total: number | null, } | { "type": "keysChanged", profile: string, count: number, } | { "type": "profilesChanged" } | { "type": "jobRunFinished", profile: string, run: FinishedRun, };
