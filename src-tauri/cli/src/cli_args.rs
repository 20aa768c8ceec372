//! The command line's grammar (clap derive): global flags and every subcommand.

use std::path::PathBuf;

use cachescope_demo::source as demo_source;
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};

/// Cachescope: see and manage report caches in Cloudflare Workers KV.
#[derive(Debug, Parser)]
#[command(name = "cachescope", version, about)]
pub struct Cli {
    /// Profile to use (default: the configured default, else the built-in `local`).
    #[arg(long, short = 'p', global = true, env = "CACHESCOPE_PROFILE")]
    pub profile: Option<String>,
    /// Print JSON for scripts instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connection profiles.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Keys and values of the profile's namespace.
    #[command(subcommand)]
    Kv(KvCommand),
    /// Demo data.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// The profile's Postgres database.
    #[command(subcommand)]
    Db(DbCommand),
    /// Compute reports from Postgres and write the new or changed ones to KV.
    Precompute(PrecomputeArgs),
    /// Reports: list, read, compare with live SQL, sync offline, export.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Hit/miss statistics per key family (rolls up new events first); `stats import` reads
    /// worker logs, `stats rollup` and `stats prune` maintain the rollups.
    Stats(StatsArgs),
    /// The audit log of the profile: deletes, writes, imports, job runs and settings, profile
    /// changes (the shared log of its database when it names one, else this machine's).
    Audit {
        /// How many records, newest first.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Write them as CSV (for a spreadsheet) instead of text or JSON.
        #[arg(long)]
        csv: bool,
    },
    /// Precompute and cleanup jobs: list, run, pause, schedule, history.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Run the job scheduler for the profile until interrupted (one run per schedule across
    /// every console and daemon pointed at the same database).
    Daemon,
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Every job: schedule, next run, last run.
    Ls,
    /// Run a job now. A destructive job's real run shows its dry run and asks to type the job's
    /// name (or pass it with --confirm).
    Run {
        /// Job name (see `jobs ls`).
        name: String,
        /// Only report what the job would do.
        #[arg(long)]
        dry_run: bool,
        /// The user of `invalidate-user`.
        #[arg(long)]
        user: Option<String>,
        /// The job's name, typed to confirm a destructive job's real run without the prompt.
        #[arg(long, value_name = "JOB")]
        confirm: Option<String>,
        /// Run as of this RFC 3339 time (archive cutoff, precompute as-of).
        #[arg(long)]
        now: Option<String>,
        /// sweep: go on although a family's share to delete is over `maxDeletePercent`
        /// (recorded in the audit).
        #[arg(long)]
        override_share_limit: bool,
    },
    /// Let a destructive job's schedule run on this database (they start disabled); asks to type
    /// the job's name (or pass it with --confirm).
    Enable {
        name: String,
        /// The job's name, typed to confirm without the prompt.
        #[arg(long, value_name = "JOB")]
        confirm: Option<String>,
    },
    /// Stop a destructive job's schedule on this database until it is enabled again.
    Disable { name: String },
    /// Stop a job's schedule (running by hand stays possible).
    Pause { name: String },
    /// Restart a paused job's schedule (refused for precompute or nightly-analytics when it would
    /// go over the profile's KV plan; see `precompute --plan`).
    Resume {
        name: String,
        /// Resume it even though the schedule would go over the profile's KV plan (recorded in
        /// the audit).
        #[arg(long)]
        over_plan: bool,
    },
    /// Set a job's cron schedule (5 fields, or 6 with seconds) and time zone; `--none` makes it
    /// run by hand only.
    Schedule {
        name: String,
        #[arg(required_unless_present = "none")]
        cron: Option<String>,
        /// IANA time zone of the schedule.
        #[arg(long, default_value = "UTC")]
        tz: String,
        #[arg(long, conflicts_with = "cron")]
        none: bool,
        /// Set it even though the schedule would go over the profile's KV plan (recorded in the
        /// audit; see `precompute --plan`).
        #[arg(long)]
        over_plan: bool,
    },
    /// Show or replace a job's options (JSON; missing fields take their defaults).
    Options {
        name: String,
        /// The new options as a JSON object.
        #[arg(long)]
        set: Option<String>,
        /// Set them even though the reports they select would go over the profile's KV plan
        /// (recorded in the audit).
        #[arg(long, requires = "set")]
        over_plan: bool,
    },
    /// Recent runs, of one job or all.
    History {
        name: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Add or replace a profile. Secrets are read from stdin, never from arguments.
    Add(ProfileAdd),
    /// List profiles.
    Ls,
    /// Remove a profile and its stored secrets.
    Rm { name: String },
    /// Make a profile the default.
    Use { name: String },
    /// Check that a profile's namespace answers.
    Test { name: Option<String> },
}

#[derive(Debug, Args)]
pub struct ProfileAdd {
    pub name: String,
    /// `local` or `cloudflare`.
    #[arg(long, default_value = "cloudflare")]
    pub kind: String,
    #[arg(long)]
    pub account_id: Option<String>,
    /// Cloudflare namespace id (or, for a local profile, the namespace name in the file).
    #[arg(long)]
    pub namespace_id: Option<String>,
    /// API base URL (default https://api.cloudflare.com/client/v4).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Local namespace file (local profiles).
    #[arg(long)]
    pub path: Option<PathBuf>,
    /// Postgres URL without a password.
    #[arg(long)]
    pub postgres_url: Option<String>,
    #[arg(long)]
    pub read_only: bool,
    /// Production profiles are read-only unless --unlocked.
    #[arg(long)]
    pub production: bool,
    #[arg(long, requires = "production")]
    pub unlocked: bool,
    /// Read the API token from the first line of stdin.
    #[arg(long)]
    pub token_stdin: bool,
    /// Read the Postgres password from stdin (the line after the token when both are given).
    #[arg(long)]
    pub db_password_stdin: bool,
    /// Make it the default profile.
    #[arg(long)]
    pub default: bool,
}

#[derive(Debug, Subcommand)]
pub enum KvCommand {
    /// List keys.
    Ls {
        #[arg(long)]
        prefix: Option<String>,
        /// At most this many keys (one page of up to 1000).
        #[arg(long, conflicts_with = "all")]
        limit: Option<u32>,
        /// Every key, page by page.
        #[arg(long)]
        all: bool,
    },
    /// Print a value (raw bytes to stdout; with --json, an object with metadata and expiry).
    Get { key: String },
    /// Write a value.
    Put {
        key: String,
        /// The value (or use --file).
        #[arg(required_unless_present = "file", conflicts_with = "file")]
        value: Option<String>,
        #[arg(long)]
        file: Option<PathBuf>,
        /// Seconds to live (at least 60).
        #[arg(long)]
        ttl: Option<u64>,
        /// JSON metadata (at most 1024 bytes).
        #[arg(long)]
        metadata: Option<String>,
    },
    /// Delete a key.
    Rm {
        key: String,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Delete every key under a prefix (dry run first; asks to type the prefix unless --yes).
    RmPrefix {
        prefix: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Write every key under a prefix as JSON Lines to stdout, or to a file with --out.
    Export {
        prefix: Option<String>,
        /// Write here instead of stdout: a file only you can read (0600), complete or absent.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Import a JSON Lines file made by `kv export` (validated whole before anything is written).
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply the console's pending migrations (its tables live in the `cachescope` schema).
    Migrate,
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Fill the profile's namespace with realistic demo keys, by the real path.
    ///
    /// The profile needs a Postgres database: when it holds no sales data, the demo sales data
    /// is generated there first (as `demo db` does, `--scale` conversations); then every
    /// report is precomputed from it into the profile's namespace, and the key families no
    /// report writes (detail and performance pages, voice-AI caches, path-statistics
    /// snapshots) are added.
    Seed {
        /// Users of the hand-made key families (pages, voice-AI caches).
        #[arg(long, default_value_t = 40)]
        users: u32,
        /// Random seed (same seed and --now, same keys).
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Conversations of the demo sales data, if the database has none yet (at least 100).
        #[arg(long, value_name = "N", default_value_t = demo_source::DEFAULT_CONVERSATIONS, value_parser = parse_scale)]
        scale: u64,
        /// The clock: of the sales data (when generated), of precompute and of the keys, as
        /// RFC 3339 (default: now).
        #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
        now: Option<DateTime<Utc>>,
    },
    /// Replace the demo cache events (source `demo`) in the profile's Postgres with `--days` of
    /// realistic hit/miss events for every key family, and roll them up (for the Stats screen).
    Events {
        #[arg(long, default_value_t = 14)]
        days: u32,
        /// Random seed (same seed and --now, same events).
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// The clock the events end at, as RFC 3339 (default: now).
        #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
        now: Option<DateTime<Utc>>,
    },
    /// Fill the profile's Postgres database with realistic demo sales data for precompute.
    ///
    /// This command owns the `sales` schema: it creates it, and every run empties and refills
    /// its tables (users, opportunities, conversations, MEDDIC analyses, todos, traffic events,
    /// hourly path statistics) in one transaction. A `sales` schema holding rows this command
    /// did not write is refused; give the demo a database of its own.
    Db {
        /// Conversations to make (at least 100); the other tables are sized from it
        /// (users N/100, opportunities N/4, todos N/2, traffic events N).
        #[arg(long, value_name = "N", default_value_t = demo_source::DEFAULT_CONVERSATIONS, value_parser = parse_scale)]
        scale: u64,
        /// Random seed (same seed and --now, same rows).
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// The clock the data is relative to, as RFC 3339 (default: now).
        #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
        now: Option<DateTime<Utc>>,
    },
}

/// `--scale`: a whole number of conversations within the generator's range.
fn parse_scale(text: &str) -> Result<u64, String> {
    let n: u64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number of conversations"))?;
    if !(demo_source::MIN_CONVERSATIONS..=demo_source::MAX_CONVERSATIONS).contains(&n) {
        return Err(format!(
            "{n} conversations; give {} to {}",
            demo_source::MIN_CONVERSATIONS,
            demo_source::MAX_CONVERSATIONS
        ));
    }
    Ok(n)
}

/// `--now`: an RFC 3339 instant, e.g. `2026-11-25T10:30:00Z`.
fn parse_now(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("{text:?} is not an RFC 3339 instant ({e}), e.g. 2026-11-25T10:30:00Z")
        })
}

#[derive(Debug, Args)]
pub struct PrecomputeArgs {
    /// Only this report (repeatable; default: every report).
    #[arg(long = "report", value_name = "NAME")]
    pub reports: Vec<String>,
    /// Compute and compare only: list what would be written and why, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Compute as of this moment (RFC 3339) instead of now.
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// Write nothing: show what the report-writing jobs' schedules cost a day in KV writes and
    /// lists (each report's keys counted by its fan-out query), against the profile's plan.
    #[arg(long, conflicts_with_all = ["reports", "dry_run"])]
    pub plan: bool,
}

/// Which report key: a report name (with --param for its placeholders) or a key.
#[derive(Debug, Args)]
pub struct ReportTargetArgs {
    /// Report name (see `report ls`) or a report key such as `report:team:default`.
    pub report: String,
    /// A value for the key's placeholder, e.g. `--param dept=enterprise` (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Every report: key, age, TTL left, stale or not, how many keys.
    Ls {
        /// Read the offline mirror instead of KV.
        #[arg(long)]
        offline: bool,
    },
    /// Print a report's JSON (from KV; computed live on a miss; the mirror when offline).
    Show {
        #[command(flatten)]
        target: ReportTargetArgs,
        /// Read the offline mirror instead of KV.
        #[arg(long)]
        offline: bool,
    },
    /// Recompute a report from SQL now and list the fields that differ from the cached value.
    Diff {
        #[command(flatten)]
        target: ReportTargetArgs,
    },
    /// Check definitions against the profile's database without writing anything: prepare
    /// each statement, run it read-only for one sample fan-out row, check the value against
    /// its contract. Exits 2 when one fails.
    Check {
        /// Reports to check (default: all).
        names: Vec<String>,
    },
    /// Copy every report key into this machine's offline mirror.
    Sync,
    /// Export a report as JSON, CSV (one of its tables) or a printable HTML page.
    Export {
        #[command(flatten)]
        target: ReportTargetArgs,
        #[arg(long, value_name = "json|csv|html")]
        format: String,
        /// The table to export as CSV (default: the report's first).
        #[arg(long)]
        table: Option<String>,
        /// Write here instead of stdout.
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
        /// Read the offline mirror instead of KV.
        #[arg(long)]
        offline: bool,
    },
    /// The latest precompute runs of the profile.
    Runs {
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
}

/// `cachescope stats`: show the figures, or one of the subcommands.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct StatsArgs {
    #[command(subcommand)]
    pub command: Option<StatsCommand>,
    #[command(flatten)]
    pub show: StatsShowArgs,
}

/// What `cachescope stats` shows.
#[derive(Debug, Args)]
pub struct StatsShowArgs {
    /// Start: an age such as 24h, 7d, 2w, or an RFC 3339 instant.
    #[arg(long, default_value = "24h")]
    pub since: String,
    /// End (default: now): an age or an RFC 3339 instant.
    #[arg(long)]
    pub until: Option<String>,
    /// Only this key family, e.g. `user:{userId}:conversations:list`.
    #[arg(long)]
    pub family: Option<String>,
    /// `hour` or `day` (default: per hour up to 7 days, else per day).
    #[arg(long, value_name = "hour|day")]
    pub per: Option<String>,
    /// Show the rollups as they are, without rolling up new events first.
    #[arg(long)]
    pub no_rollup: bool,
}

#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Import worker logs (`[Cache Hit] key` lines, `wrangler tail --format json` output).
    /// Lines already imported from the same file are skipped, so a file can be imported again
    /// after it grew.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The events' source (e.g. the worker's name).
        #[arg(long, default_value = "log")]
        source: String,
        /// Time of lines without a timestamp (RFC 3339; default: the file's modification time).
        #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
        at: Option<DateTime<Utc>>,
    },
    /// Roll up new raw events into the hourly and daily figures (idempotent).
    Rollup {
        /// Also recompute every hour from here (age or RFC 3339).
        #[arg(long)]
        since: Option<String>,
        /// ... up to here.
        #[arg(long)]
        until: Option<String>,
    },
    /// Roll up, then delete raw events that are rolled up and older than the retention.
    Prune {
        #[arg(long, default_value_t = cachescope_core::stats::rollup::DEFAULT_RETENTION_DAYS)]
        retention_days: u32,
    },
}
