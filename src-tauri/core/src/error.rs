//! The core's one error type. Each variant means something to a user and names the thing at
//! fault; none ever carries a secret (tokens and passwords are never formatted into messages).

use std::path::PathBuf;
use std::time::Duration;

/// Result alias used across the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in Cachescope's core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A key that does not exist (Cloudflare code 10009).
    #[error("key not found: {key:?}")]
    KeyNotFound { key: String },

    /// The namespace id is unknown to the account (Cloudflare code 10013).
    #[error("namespace not found: {namespace}")]
    NamespaceNotFound { namespace: String },

    /// No profile with this name is configured.
    #[error("no profile named {0:?} (see `cachescope profile ls`)")]
    ProfileNotFound(String),

    /// Input rejected before anything was sent or written; `what` names the thing at fault.
    #[error("invalid {what}: {reason}")]
    Invalid { what: String, reason: String },

    /// A write was attempted through a read-only (or locked production) profile.
    #[error("profile {profile:?} is read-only; refusing to {action}")]
    ReadOnlyProfile { profile: String, action: String },

    /// Cloudflare rejected the credentials (code 10000).
    #[error("Cloudflare rejected the API token of this profile (authentication error {code}); set a valid token with `cachescope profile add --token-stdin`")]
    KvAuth { code: u32 },

    /// The token is valid but lacks a permission (code 10037).
    #[error(
        "the API token lacks permission for this operation (Cloudflare code 10037: {message})"
    )]
    KvPermission { message: String },

    /// The account's daily free-plan limit is used up (code 10048).
    #[error(
        "Cloudflare's daily free-plan limit is used up (code 10048); writes resume at 00:00 UTC"
    )]
    KvQuotaExceeded,

    /// Still rate limited after the retries allowed.
    #[error("Cloudflare rate limit: still throttled after {attempts} attempts (last Retry-After {retry_after:?})")]
    KvRateLimited {
        attempts: u32,
        retry_after: Duration,
    },

    /// The account's API budget, shared by the Cachescope processes of this machine, is spent
    /// for longer than one request may wait.
    #[error("Cloudflare API budget of account {account} is spent for the next {wait:?} by the Cachescope processes on this machine (shared budget in {file}); wait, or stop the other runs")]
    KvBudgetSpent {
        account: String,
        wait: Duration,
        file: PathBuf,
    },

    /// The server could not be reached, timed out, or kept answering 5xx.
    #[error("Cloudflare KV unavailable at {endpoint}: {reason}")]
    KvUnavailable { endpoint: String, reason: String },

    /// Any other error the API reported in its envelope.
    #[error("Cloudflare KV API error (HTTP {status}, code {code}): {message}")]
    KvApi {
        status: u16,
        code: u32,
        message: String,
    },

    /// A bulk operation ran to the end, but the server reported some keys as not processed
    /// (Cloudflare's `unsuccessful_keys`): those keys are unchanged, and running it again
    /// retries them.
    #[error("{action}: {failed} of {total} keys were not processed by the server; run it again to retry them")]
    KvIncomplete {
        action: String,
        failed: u64,
        total: u64,
    },

    /// A response that is not what the API contract says (truncated, not JSON, no envelope).
    #[error("malformed response from Cloudflare KV ({endpoint}): {reason}")]
    KvProtocol { endpoint: String, reason: String },

    /// A paged listing the server would not let end: a cursor that came back, too many empty
    /// pages in a row, or more pages than the keys listed could need (see `kv::paging`). The
    /// listing is abandoned, so nothing is done with a partial list.
    #[error("listing of {listing} stopped at cursor {cursor:?}: {reason}; the server's paging would not end, so the listing was abandoned and nothing was done with it")]
    KvPagingLoop {
        listing: String,
        cursor: String,
        reason: String,
    },

    /// A response larger than the client reads for its route (see `kv::limits`); reading
    /// stopped at the bound.
    #[error("response from Cloudflare KV ({endpoint}) to {what} is larger than the {limit_bytes}-byte bound ({}); reading stopped there", match content_length { Some(n) => format!("Content-Length {n}"), None => format!("{read_bytes} bytes received when reading stopped") })]
    KvResponseTooLarge {
        endpoint: String,
        what: String,
        limit_bytes: u64,
        /// The length the server declared, when it declared one above the bound.
        content_length: Option<u64>,
        /// Bytes held when reading stopped (at most the bound plus one chunk).
        read_bytes: u64,
    },

    /// The embedded SQLite namespace or the local state database failed.
    #[error("local database {path}: {source}")]
    Local {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },

    /// Postgres failed (connection, query or migration).
    #[error("Postgres: {0}")]
    Db(#[source] sqlx::Error),

    /// The Postgres session holding a job's lock ended (connection lost or terminated) while the
    /// run went on; the run stops before its next step so that it never overlaps another run.
    #[error("Postgres: the connection holding the lock of job {job} was lost (closed or terminated), so the run stopped before its next step; what it committed is kept and the next run continues from there")]
    JobLockLost { job: String },

    /// A sweep would delete more of a key family than its circuit breaker allows; nothing was
    /// deleted. Going on needs an explicit override, which the audit records.
    #[error("sweep stopped before deleting anything: it would delete {families}, more than maxDeletePercent ({max_percent}%) of the family; check the rule's existingIdsSql with a dry run, then run again with the override if the share is right")]
    SweepShareExceeded { families: String, max_percent: u32 },

    /// A change to a job's settings would make its schedule cost more KV operations a day than
    /// the profile's plan allows (the quota planner's figures, `details`); nothing was changed.
    /// Going on needs an explicit override, which the audit records.
    #[error("job {job} on profile {profile:?}: the change would exceed the profile's KV plan: {details}; nothing was changed (see `cachescope precompute --plan`; change the schedule, the reports or their TTLs, or repeat the change with --over-plan, which the audit records)")]
    OverPlan {
        job: String,
        profile: String,
        details: String,
    },

    /// A Postgres statement was cancelled by one of the profile's time limits
    /// ([`crate::db_limits`]): it ran past the limit of its kind of work (SQLSTATE 57014), or
    /// waited past the lock limit for a lock another session holds (55P03). Its transaction was
    /// rolled back, so nothing of it was written.
    #[error("Postgres: {work} {}; its transaction was rolled back, so nothing of it was written", timeout_detail(*.lock, .limit, .setting))]
    DbTimeout {
        /// What was stopped, e.g. `report "sales": SQL for key "report:sales"`.
        work: String,
        /// The limit that stopped it.
        limit: Duration,
        /// The field of `[profile.db_limits]` that sets the limit.
        setting: &'static str,
        /// Whether it waited for a lock (`lock_secs`) rather than ran too long.
        lock: bool,
    },

    /// A Postgres migration failed to apply.
    #[error("Postgres migration failed: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),

    /// The role a profile connects as may not create the console's schema or tables, and the
    /// database does not have them yet (or the role cannot see that it does).
    #[error("Postgres: role {role:?} may not create the console's tables in database {database:?} ({reason}); run the migrations once as the database's owner (`cachescope db migrate` with a profile that connects as the owner) or ask a DBA to, then grant role {role:?} USAGE on schema cachescope, SELECT, INSERT, UPDATE and DELETE on its tables, USAGE on its sequences, and SELECT on _sqlx_migrations")]
    MigrationRights {
        role: String,
        database: String,
        reason: String,
    },

    /// Another session holds the migration lock of the database (a migration running, or left
    /// stuck, elsewhere) longer than the lock limit; nothing was migrated.
    #[error("Postgres: another session held the migration lock of database {database:?} for longer than {} (lock_secs), so nothing was migrated; if no other console is migrating it, find that session with `SELECT pid, application_name, state FROM pg_stat_activity WHERE pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)`, end it with pg_terminate_backend(pid), and try again", seconds(.waited))]
    MigrationLocked { database: String, waited: Duration },

    /// The OS keychain or the fallback secret file failed.
    #[error("secret store: {0}")]
    Secret(String),

    /// A settings or profile file could not be read or written.
    #[error("config file {path}: {reason}")]
    Config { path: PathBuf, reason: String },

    /// A file the user named could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// One report's definition or computation failed; the others are unaffected.
    #[error("report {report:?}: {reason}")]
    Report { report: String, reason: String },

    /// This console does not schedule jobs on a profile: it is read-only (scheduled jobs would
    /// write) or names no Postgres database (where schedules live). The reason is the sentence the
    /// app and `cachescope daemon` both show.
    #[error("{reason}")]
    SchedulingRefused {
        profile: String,
        reason: String,
        read_only: bool,
    },

    /// The user cancelled a long operation; what was done before is reported by the caller.
    #[error("cancelled")]
    Cancelled,
}

/// A duration as a user reads it: whole seconds, or milliseconds below a second or when not
/// whole.
fn seconds(d: &Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// What stopped a statement, and which setting to change.
fn timeout_detail(lock: bool, limit: &Duration, setting: &str) -> String {
    if lock {
        format!(
            "waited {} for a lock held by another session and was cancelled (find that session \
             in pg_locks and pg_stat_activity, or raise {setting} under [profile.db_limits] in \
             profiles.toml)",
            seconds(limit)
        )
    } else {
        format!(
            "ran past its time limit of {} and was cancelled (if it needs longer, raise \
             {setting} under [profile.db_limits] in profiles.toml)",
            seconds(limit)
        )
    }
}

/// The stable, machine-readable kind of an [`Error`], for the CLI's exit codes and the UI's branches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    NotFound,
    Invalid,
    ReadOnlyProfile,
    RateLimited,
    Unavailable,
    Auth,
    Permission,
    QuotaExceeded,
    Database,
    Config,
    Cancelled,
    Internal,
}

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid {
            what: what.into(),
            reason: reason.into(),
        }
    }

    /// The kind of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::KeyNotFound { .. }
            | Error::NamespaceNotFound { .. }
            | Error::ProfileNotFound(_) => ErrorCode::NotFound,
            Error::Invalid { .. }
            | Error::Report { .. }
            | Error::SweepShareExceeded { .. }
            | Error::OverPlan { .. } => ErrorCode::Invalid,
            Error::ReadOnlyProfile { .. }
            | Error::SchedulingRefused {
                read_only: true, ..
            } => ErrorCode::ReadOnlyProfile,
            Error::SchedulingRefused {
                read_only: false, ..
            } => ErrorCode::Invalid,
            Error::KvAuth { .. } => ErrorCode::Auth,
            Error::KvPermission { .. } => ErrorCode::Permission,
            Error::KvQuotaExceeded => ErrorCode::QuotaExceeded,
            Error::KvRateLimited { .. } | Error::KvBudgetSpent { .. } => ErrorCode::RateLimited,
            // Cloudflare asks for unprocessed keys to be retried: a transient server-side failure.
            Error::KvUnavailable { .. } | Error::KvIncomplete { .. } => ErrorCode::Unavailable,
            // A server that breaks the contract: no retry will help.
            Error::KvApi { .. }
            | Error::KvProtocol { .. }
            | Error::KvPagingLoop { .. }
            | Error::KvResponseTooLarge { .. } => ErrorCode::Internal,
            Error::Local { .. }
            | Error::Db(_)
            | Error::DbTimeout { .. }
            | Error::JobLockLost { .. }
            | Error::Migrate(_)
            | Error::MigrationRights { .. }
            | Error::MigrationLocked { .. } => ErrorCode::Database,
            Error::Secret(_) | Error::Config { .. } | Error::Io { .. } => ErrorCode::Config,
            Error::Cancelled => ErrorCode::Cancelled,
        }
    }
}
