//! Every command the window may call, listed once. The list registers the handlers with Tauri
//! ([`handler`]), is checked by the compiler against each handler's parameters and result, and
//! renders `ui/src/ipc/commands.ts` ([`render`]): one argument type and one typed wrapper per
//! command, so the UI keeps no hand-written signature. A test fails when the committed file has
//! drifted; `UPDATE_BINDINGS=1 cargo test -p cachescope-app ipc_` rewrites it.

use std::collections::BTreeMap;
#[cfg(test)]
use std::collections::BTreeSet;

use cachescope_core::context::{ConnectionCheck, ProfileView};
use cachescope_core::jobs::catalog::JobName;
use cachescope_core::jobs::history::JobRunRecord;
use cachescope_core::jobs::overview::JobView;
use cachescope_core::jobs::quota_plan::QuotaPlan;
use cachescope_core::jobs::settings::JobSettings;
use cachescope_core::key_deletion::PrefixDeletion;
use cachescope_core::kv::cloudflare::Namespace;
use cachescope_core::reports::definition_check::DefinitionCheck;
use cachescope_core::reports::export::ExportFormat;
use cachescope_core::reports::mirror::SyncOutcome;
use cachescope_core::reports::precompute::{PrecomputeRun, RunSummary};
use cachescope_core::reports::reading::{ReportDiff, ReportList, ReportValue};
use cachescope_core::stats::queries::{CacheStats, Granularity};
use cachescope_core::value_view::{KeyPageView, ValueView};
#[cfg(test)]
use ts_rs::TS;

use crate::commands::profiles::ProfileInput;
#[cfg(test)]
use crate::ipc_signatures::{Argument, Signature};
use cachescope_core::audit::AuditRow;
use cachescope_core::jobs::console_scheduler::SchedulerReport;

/// The TypeScript name of an argument's type: from ts-rs, or written out where the Rust type
/// has no TS form of its own (a JSON value) or ts-rs would say `bigint` for a plain count.
#[cfg(test)]
macro_rules! ts_name {
    ($ty:ty) => {
        <$ty as TS>::name()
    };
    ($ty:ty, $ts:literal) => {
        $ts.to_owned()
    };
}

/// The generated types an argument's type refers to (none when it is written out).
#[cfg(test)]
macro_rules! ts_dependencies {
    ($set:ident, $ty:ty) => {
        $set.extend(crate::ipc_signatures::named_types::<$ty>())
    };
    ($set:ident, $ty:ty, $ts:literal) => {};
}

/// A stand-in for what Tauri injects into a handler, by the name the list gives it.
macro_rules! injected {
    (ctx) => {
        never::<tauri::State<'static, cachescope_core::CoreContext>>()
    };
    (scheduler) => {
        never::<tauri::State<'static, cachescope_core::jobs::console_scheduler::ConsoleScheduler>>()
    };
}

/// Asks the compiler whether a handler's call gives what the list says it returns.
macro_rules! check_answer {
    (async, $call:expr, $ret:ty) => {{
        let _: crate::ipc_error::IpcResult<$ret> = $call.await;
    }};
    (sync, $call:expr, $ret:ty) => {{
        let _: $ret = $call;
    }};
}

/// The command list: `async|sync module::command(state, ...; argument: Type, ...) -> Result;`
/// where `state` names what Tauri injects (`ctx`: the core, `scheduler`: this console's
/// scheduler) and the arguments are what the window sends, in the handler's order. An argument
/// may give its TypeScript type as `= "type"`.
macro_rules! ipc_commands {
    ($(
        $(#[doc = $doc:literal])*
        $kind:ident $module:ident :: $command:ident (
            $($state:ident),* ;
            $($(#[doc = $arg_doc:literal])* $arg:ident : $ty:ty $(= $ts:literal)?),* $(,)?
        ) -> $ret:ty;
    )*) => {
        /// Registers every listed command with Tauri.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(crate::commands::$module::$command),*]
        }

        /// Every listed command as the window sees it.
        #[cfg(test)]
        pub fn signatures() -> Vec<Signature> {
            vec![$({
                let mut dependencies = BTreeSet::new();
                $(ts_dependencies!(dependencies, $ty $(, $ts)?);)*
                dependencies.extend(crate::ipc_signatures::named_types::<$ret>());
                Signature {
                    command: stringify!($command),
                    docs: vec![$($doc),*],
                    arguments: vec![$(Argument {
                        name: stringify!($arg),
                        docs: vec![$($arg_doc),*],
                        ts_type: ts_name!($ty $(, $ts)?),
                    }),*],
                    returns: <$ret as TS>::name(),
                    dependencies,
                }
            }),*]
        }

        /// Never called: it compiles only while every handler takes the listed state and
        /// arguments, in order, and returns the listed result.
        #[allow(dead_code, unreachable_code, unused_variables, clippy::diverging_sub_expression)]
        async fn handlers_match_the_list() {
            $(check_answer!(
                $kind,
                crate::commands::$module::$command($(injected!($state),)* $(never::<$ty>()),*),
                $ret
            );)*
        }
    };
}

ipc_commands! {
    /// Every profile, without secrets (only where each is kept).
    async profiles::list_profiles(ctx;) -> Vec<ProfileView>;
    /// Adds or replaces a profile; the core keeps its secrets.
    async profiles::save_profile(
        ctx;
        profile: ProfileInput,
        /// Null keeps the stored token (or stores none for a new profile).
        token: Option<String>,
        /// Null keeps the stored Postgres password.
        db_password: Option<String>,
    ) -> ProfileView;
    /// Removes a profile and its stored secrets.
    async profiles::delete_profile(ctx; name: String) -> ();
    /// Makes a profile the default one.
    async profiles::set_default_profile(ctx; name: String) -> ();
    /// Lists a first page of keys to prove the profile's namespace answers.
    async profiles::test_connection(ctx; name: String) -> ConnectionCheck;
    /// The namespaces the profile can point at.
    async profiles::list_namespaces(ctx; name: String) -> Vec<Namespace>;
    /// Points the profile at another namespace.
    async profiles::switch_namespace(ctx; name: String, namespace_id: String) -> ();

    /// One page of keys of a profile's namespace.
    async keys::list_keys(
        ctx;
        profile: String,
        prefix: Option<String>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> KeyPageView;
    /// A value, as text or base64.
    async keys::get_value(
        ctx;
        profile: String,
        key: String,
        /// Null asks for the whole value.
        max_bytes: Option<u64> = "number | null",
    ) -> ValueView;
    /// Deletes one key; resolves to whether it existed.
    async keys::delete_key(ctx; profile: String, key: String) -> bool;
    /// Sets a key's TTL, or makes it never expire.
    async keys::set_key_ttl(
        ctx;
        profile: String,
        key: String,
        /// Null = never expires; otherwise at least 60 (KV's minimum).
        ttl_seconds: Option<u64> = "number | null",
    ) -> ();
    /// Dry run or delete of every key under a prefix, as a cancellable operation.
    async keys::delete_prefix(
        ctx;
        profile: String,
        prefix: String,
        dry_run: bool,
        /// Must repeat `prefix` exactly for a real run; null for a dry run.
        confirmation: Option<String>,
        /// Tags this run's progress events and lets cancelOperation stop it.
        operation_id: String,
    ) -> PrefixDeletion;
    /// Asks a running operation to stop; resolves to whether it was running.
    sync keys::cancel_operation(ctx; operation_id: String) -> bool;

    /// Every report with the keys found for it; `offline` reads the offline mirror instead of KV.
    async reports::list_reports(ctx; profile: String, offline: bool) -> ReportList;
    /// One report key's value: KV, live SQL on a miss, or the mirror (asked, or KV unreachable).
    async reports::show_report(
        ctx;
        profile: String,
        /// A report name, or a key one of the reports' templates matches.
        report: String,
        /// Values for the report's key template placeholders, e.g. `{ dept: "default" }`.
        params: BTreeMap<String, String> = "Record<string, string>",
        offline: bool,
    ) -> ReportValue;
    /// The cached value against the same report recomputed from SQL now, field by field.
    async reports::diff_report(
        ctx;
        profile: String,
        report: String,
        params: BTreeMap<String, String> = "Record<string, string>",
    ) -> ReportDiff;
    /// The named report definitions (all when empty) checked against the profile's database:
    /// prepared, run read-only for one sample fan-out row, checked against their contracts.
    async reports::check_report_definitions(ctx; profile: String, reports: Vec<String>) -> Vec<DefinitionCheck>;
    /// Precompute (or its dry run) of the named reports, as a cancellable operation.
    async reports::precompute_reports(
        ctx;
        profile: String,
        /// Report names; every report when empty.
        reports: Vec<String>,
        dry_run: bool,
        /// Tags this run's progress events and lets cancelOperation stop it.
        operation_id: String,
    ) -> PrecomputeRun;
    /// Copies the profile's report keys into the offline mirror.
    async reports::sync_reports(ctx; profile: String, operation_id: String) -> SyncOutcome;
    /// Writes the report into the Downloads folder; resolves to the written file's path.
    async reports::export_report(
        ctx;
        profile: String,
        report: String,
        params: BTreeMap<String, String> = "Record<string, string>",
        offline: bool,
        format: ExportFormat,
        /// The table to write (CSV; the HTML page may be limited to one); null for all / the first.
        table: Option<String>,
    ) -> String;
    /// The latest precompute runs of a profile.
    async reports::list_precompute_runs(ctx; profile: String, limit: i64 = "number") -> Vec<RunSummary>;

    /// Every job of the profile's Postgres with its schedule, state, next and last run.
    async jobs::list_jobs(ctx; profile: String) -> Vec<JobView>;
    /// Runs a job by hand (dry run or real); resolves to the recorded run however it ended.
    async jobs::run_job(
        ctx;
        profile: String,
        job: JobName,
        dry_run: bool,
        /// The user whose keys invalidate-user deletes; null for every other job.
        user_id: Option<String>,
        /// Sweep: go past the circuit breaker (maxDeletePercent); recorded in the audit.
        override_share_limit: bool,
        /// The job's name as the user typed it: a destructive job's real run is refused without it.
        confirmation: Option<String>,
        /// Tags this run's progress events and lets cancelOperation stop it.
        operation_id: String,
    ) -> JobRunRecord;
    /// Pauses or resumes a job's schedule on the profile's database.
    async jobs::set_job_paused(ctx; profile: String, job: JobName, paused: bool) -> JobSettings;
    /// Enables (with `confirmation`, the job's name as typed) or disables a destructive job's
    /// schedule on the profile's database; the core checks the confirmation and audits the change.
    async jobs::set_job_enabled(
        ctx;
        profile: String,
        job: JobName,
        enabled: bool,
        confirmation: Option<String>,
    ) -> JobSettings;
    /// A cron expression (null: by hand only) and an IANA time zone; the core checks both.
    async jobs::set_job_schedule(
        ctx;
        profile: String,
        job: JobName,
        schedule: Option<String>,
        time_zone: String,
    ) -> JobSettings;
    /// Replaces the job's options (a JSON object; missing fields take their defaults).
    async jobs::set_job_options(
        ctx;
        profile: String,
        job: JobName,
        options: serde_json::Value = "unknown",
    ) -> JobSettings;
    /// The newest runs of one job (all jobs when `job` is null), newest first.
    async jobs::job_history(
        ctx;
        profile: String,
        job: Option<JobName>,
        limit: i64 = "number",
    ) -> Vec<JobRunRecord>;
    /// The newest entries of the profile's audit log, newest first: its database's shared log
    /// when it names one, else this machine's (also when `profile` is null).
    async audit::audit_log(ctx; profile: Option<String>, limit: u32) -> Vec<AuditRow>;
    /// The newest entries of the same audit log as CSV text.
    async audit::export_audit_csv(ctx; profile: Option<String>, limit: u32) -> String;
    /// What the report-writing jobs' schedules cost a day in KV writes and lists against the
    /// profile's plan, per report and in total.
    async jobs::quota_plan(ctx; profile: String) -> QuotaPlan;
    /// Whether this console schedules jobs (for the default profile), and why not.
    async jobs::scheduler_status(scheduler;) -> SchedulerReport;

    /// Hit/miss figures of the profile's database for a time range (new events rolled up first).
    async stats::cache_stats(
        ctx;
        profile: String,
        /// An age before now (`24h`, `7d`, `90m`, `2w`) or an RFC 3339 instant.
        since: String,
        /// Null: now.
        until: Option<String>,
        /// Null: every key family.
        family: Option<String>,
        /// Null: per hour up to 7 days, per day beyond.
        granularity: Option<Granularity>,
    ) -> CacheStats;
}

/// A value of any type, for [`handlers_match_the_list`], which is never called.
#[allow(dead_code)]
fn never<T>() -> T {
    unreachable!("only type-checked")
}

/// The whole `ui/src/ipc/commands.ts`.
#[cfg(test)]
pub fn render() -> String {
    crate::ipc_signatures::render(&signatures())
}

#[cfg(test)]
mod tests {
    #[test]
    fn ipc_commands_match_the_committed_file() {
        crate::ipc_bindings::check_generated_file("commands.ts", &super::render());
    }

    #[test]
    fn every_type_a_command_names_is_declared_in_the_bindings() {
        let bindings = crate::ipc_bindings::render();
        for signature in super::signatures() {
            for name in &signature.dependencies {
                assert!(
                    bindings.contains(&format!("export type {name} ")),
                    "command {} uses {name}, which ui/src/ipc/bindings.ts does not declare; \
                     add it to ipc_bindings::render",
                    signature.command
                );
            }
        }
    }
}
