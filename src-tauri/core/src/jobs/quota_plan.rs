//! The quota planner: how many KV operations a day the report-writing jobs' schedules cost,
//! against the profile's plan (the free plan's 100,000 reads, 1,000 writes, 1,000 deletes and
//! 1,000 lists a day, or `[profile.plan]`). It reads the job settings and counts each report's
//! keys with its fan-out query (read-only, under the report time limit, parameters bound as
//! precompute binds them); it sends nothing to KV, so planning costs no quota.
//!
//! The model (docs/domain.md, "Quota plan"): the jobs that write reports are `precompute` and
//! `nightly-analytics` (each writes the reports its options select, all when none). Each
//! report's keys share one timeline, the fire times of the active jobs that write it. A run
//! rewrites a key that is new, expired, or has at most a quarter of its TTL left (precompute's
//! rule; exactly a quarter counts as a rewrite, since which way it goes depends on the seconds a
//! run takes), and skips it otherwise when its value is unchanged. The planner plays that
//! timeline from a warm-up period into a week of UTC days (Cloudflare's day) and reports the
//! busiest day: writes with unchanged values (the floor: what the TTLs alone cost) and writes
//! if every run found a change (the ceiling: keys × runs). Each run lists the prefixes that
//! cover its reports' keys, ⌈keys / 1000⌉ list calls per prefix, at least one (other keys under
//! the same prefix add pages); it reads no values and deletes nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveTime, SecondsFormat, Utc};
use serde::Serialize;
use sqlx::postgres::PgPool;

use super::catalog::JobName;
use super::options::JobOptions;
use super::runner::jobs_database;
use super::settings::{self, JobSettings};
use crate::context::{CoreContext, ProfileHandle};
use crate::error::{Error, Result};
use crate::kv::limits::MAX_LIST_LIMIT;
use crate::kv::plan::PlanLimits;
use crate::reports::compute::{fan_out, AsOf};
use crate::reports::definitions::{listing_prefixes, ReportDefinition};
use crate::reports::{self, Catalog};

/// UTC days simulated after the warm-up.
pub const WINDOW_DAYS: usize = 7;
/// The shortest warm-up before the window: long enough for a weekly schedule to have run.
const MIN_WARM_UP_DAYS: i64 = 8;
/// The longest warm-up (a TTL beyond it is played from its first write).
const MAX_WARM_UP_DAYS: i64 = 400;
/// Most fire times of one job the planner plays (a schedule firing every second over the
/// longest warm-up would be millions).
const MAX_RUNS: usize = 2_000_000;

/// What the report-writing jobs cost a day in KV operations, against the profile's plan.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct QuotaPlan {
    pub profile: String,
    /// The plan's daily limits.
    pub limits: PlanLimits,
    /// Whether they are the profile's own (`[profile.plan]`) rather than the free plan's.
    pub own_plan: bool,
    /// The moment the fan-out queries were run for and the week starts after.
    pub as_of: String,
    /// The UTC days played, with the operations of each.
    pub days: Vec<QuotaDay>,
    /// The jobs that write reports, in catalog order.
    pub jobs: Vec<JobQuota>,
    /// Every report of the catalog, in catalog order.
    pub reports: Vec<ReportQuota>,
    pub totals: QuotaTotals,
    /// Sentences naming what to look at: definitions whose TTL ends before their next run,
    /// reports and limits over the plan.
    pub findings: Vec<String>,
}

impl QuotaPlan {
    /// Whether the floor of some operation is over the plan's limit.
    pub fn over_plan(&self) -> bool {
        !self.totals.over.is_empty()
    }
}

/// One UTC day of the week played.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct QuotaDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Writes with unchanged values.
    #[ts(type = "number")]
    pub writes: u64,
    /// Writes if every run found every value changed.
    #[ts(type = "number")]
    pub writes_if_changing: u64,
    #[ts(type = "number")]
    pub lists: u64,
}

/// The busiest day of each operation, and its share of the plan's limit.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct QuotaTotals {
    /// Always 0: precompute reads no values (the content hashes come with the listing).
    #[ts(type = "number")]
    pub reads: u64,
    #[ts(type = "number")]
    pub writes: u64,
    #[ts(type = "number")]
    pub writes_if_changing: u64,
    /// Always 0: precompute deletes nothing.
    #[ts(type = "number")]
    pub deletes: u64,
    #[ts(type = "number")]
    pub lists: u64,
    pub reads_share: f64,
    pub writes_share: f64,
    pub writes_if_changing_share: f64,
    pub deletes_share: f64,
    pub lists_share: f64,
    /// The operations whose floor is over the plan's limit (`writes`, `lists`).
    pub over: Vec<String>,
    /// Whether the writes would be over the limit if every run found every value changed.
    pub may_exceed: bool,
}

/// A job that writes reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct JobQuota {
    pub job: JobName,
    pub schedule: Option<String>,
    pub time_zone: String,
    /// Whether its schedule runs (it has one and is not paused).
    pub active: bool,
    /// Why it does not run, when it does not.
    pub inactive_reason: Option<String>,
    /// The reports each run writes.
    pub reports: Vec<String>,
    /// Runs on the busiest day.
    #[ts(type = "number")]
    pub runs_per_day: u64,
    /// The prefixes each run lists.
    pub listings: Vec<ListingQuota>,
    /// List calls on the busiest day.
    #[ts(type = "number")]
    pub lists_per_day: u64,
}

/// One prefix a run lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ListingQuota {
    pub prefix: String,
    /// The keys of the run's reports under it.
    #[ts(type = "number")]
    pub keys: u64,
    /// ⌈keys / 1000⌉, at least 1.
    #[ts(type = "number")]
    pub lists_per_run: u64,
}

/// One report's part.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportQuota {
    pub name: String,
    pub key: String,
    #[ts(type = "number")]
    pub ttl: u64,
    /// Fan-out rows (1 without fan-out); 0 when the fan-out query failed.
    #[ts(type = "number")]
    pub keys: u64,
    /// Why its keys could not be counted (its runs would fail the same way and write nothing).
    pub error: Option<String>,
    /// The active jobs that write it.
    pub jobs: Vec<JobName>,
    /// Runs on its busiest day.
    #[ts(type = "number")]
    pub runs_per_day: u64,
    /// Rewrites of one key with an unchanged value, on the busiest day.
    #[ts(type = "number")]
    pub writes_per_key_per_day: u64,
    /// keys × writes_per_key_per_day.
    #[ts(type = "number")]
    pub writes_per_day: u64,
    /// keys × runs_per_day: every run finds every value changed.
    #[ts(type = "number")]
    pub writes_per_day_if_changing: u64,
    /// writes_per_day / the plan's writes.
    pub write_share: f64,
    /// Runs on the busiest day that find its keys expired (readers miss until the run).
    #[ts(type = "number")]
    pub expired_runs_per_day: u64,
    /// Every run finds its keys expired: the TTL ends before the next run.
    pub expires_before_next_run: bool,
}

/// The quota plan of a profile (the default one when `None`) as of now: its job settings, its
/// reports' fan-out sizes, its plan.
pub async fn quota_plan(ctx: &CoreContext, profile: Option<&str>) -> Result<QuotaPlan> {
    quota_plan_at(ctx, profile, Utc::now()).await
}

/// [`quota_plan`] as of `as_of` (the fan-out queries' moment; the week played starts at the
/// next UTC midnight).
pub async fn quota_plan_at(
    ctx: &CoreContext,
    profile: Option<&str>,
    as_of: DateTime<Utc>,
) -> Result<QuotaPlan> {
    let profile = ctx.profile(profile)?;
    let pool = jobs_database(&profile).await?;
    let jobs = settings::load_all(&pool).await?;
    plan_for_settings(ctx, &profile, &pool, &jobs, as_of).await
}

/// The plan with the given job settings (the stored ones, or those a change would leave).
pub(crate) async fn plan_for_settings(
    ctx: &CoreContext,
    profile: &ProfileHandle,
    pool: &PgPool,
    jobs: &[JobSettings],
    as_of: DateTime<Utc>,
) -> Result<QuotaPlan> {
    let catalog = reports::catalog(ctx)?;
    let at = AsOf::at(as_of, &catalog);
    let mut keys = BTreeMap::new();
    for def in catalog.reports() {
        // A report's own failure (its query, its time limit) is its runs' too: counted as
        // writing nothing. Anything else (the database gone) fails the plan, never counts as 0.
        let counted = match fan_out(pool, def, &at).await {
            Ok(rows) => Ok(rows.len() as u64),
            Err(e @ (Error::Report { .. } | Error::DbTimeout { .. })) => Err(e.to_string()),
            Err(e) => return Err(e),
        };
        keys.insert(def.name.clone(), counted);
    }
    plan(
        &profile.name,
        profile.plan(),
        profile.settings().plan.is_some(),
        &catalog,
        jobs,
        &keys,
        at.time,
    )
}

/// A job's schedule as played: its fire times, and what stops it when it does not run.
struct Played {
    settings: JobSettings,
    selected: Vec<String>,
    runs: Vec<DateTime<Utc>>,
    inactive_reason: Option<String>,
}

/// The plan from counted keys (`Err` = why the fan-out failed), without a database.
pub fn plan(
    profile: &str,
    limits: PlanLimits,
    own_plan: bool,
    catalog: &Catalog,
    jobs: &[JobSettings],
    keys: &BTreeMap<String, std::result::Result<u64, String>>,
    as_of: DateTime<Utc>,
) -> Result<QuotaPlan> {
    let window_start = as_of.date_naive().and_time(NaiveTime::MIN).and_utc() + Duration::days(1);
    let window_end = window_start + Duration::days(WINDOW_DAYS as i64);
    let longest_ttl = catalog.reports().iter().map(|r| r.ttl).max().unwrap_or(0);
    let warm_up_days =
        (longest_ttl.div_ceil(86_400) as i64 + 1).clamp(MIN_WARM_UP_DAYS, MAX_WARM_UP_DAYS);
    let played_from = window_start - Duration::days(warm_up_days);
    let day_of = |t: DateTime<Utc>| -> Option<usize> {
        (t >= window_start && t < window_end).then(|| (t - window_start).num_days() as usize)
    };
    let keys_of = |name: &str| match keys.get(name) {
        Some(Ok(n)) => *n,
        _ => 0,
    };

    let mut played = Vec::new();
    for settings in jobs {
        let options = match &settings.options {
            JobOptions::Precompute(o) | JobOptions::NightlyAnalytics(o) => o,
            _ => continue,
        };
        let mut inactive_reason = None;
        let selected: Vec<String> = match catalog.select(&options.reports) {
            Ok(defs) => defs.iter().map(|d| d.name.clone()).collect(),
            Err(e) => {
                inactive_reason = Some(format!("every run fails: {e}"));
                options.reports.clone()
            }
        };
        let mut runs = Vec::new();
        match settings.parsed_schedule()? {
            None => {
                inactive_reason.get_or_insert_with(|| "runs by hand only".to_owned());
            }
            Some(_) if settings.paused => {
                inactive_reason.get_or_insert_with(|| "paused".to_owned());
            }
            Some(_) if !settings.enabled => {
                inactive_reason.get_or_insert_with(|| "its schedule is not enabled".to_owned());
            }
            Some((schedule, tz)) if inactive_reason.is_none() => {
                let mut t = played_from - Duration::seconds(1);
                while let Some(next) = schedule.next_after(t, tz) {
                    if next >= window_end {
                        break;
                    }
                    if runs.len() == MAX_RUNS {
                        return Err(Error::invalid(
                            format!("schedule of job {}", settings.name),
                            format!(
                                "{:?} fires more than {MAX_RUNS} times in {} days, too often to plan",
                                schedule.as_str(),
                                warm_up_days + WINDOW_DAYS as i64
                            ),
                        ));
                    }
                    runs.push(next);
                    t = next;
                }
            }
            Some(_) => {}
        }
        played.push(Played {
            settings: settings.clone(),
            selected,
            runs,
            inactive_reason,
        });
    }

    let mut days = [[0u64; 3]; WINDOW_DAYS]; // writes, writes if changing, lists
    let mut reports_out = Vec::new();
    for def in catalog.reports() {
        let writers: Vec<&Played> = played
            .iter()
            .filter(|p| p.inactive_reason.is_none() && p.selected.contains(&def.name))
            .collect();
        let mut timeline: Vec<DateTime<Utc>> = writers
            .iter()
            .flat_map(|p| p.runs.iter().copied())
            .collect();
        timeline.sort_unstable();
        timeline.dedup();
        let key_days = play(def.ttl, &timeline, &day_of);
        let n = keys_of(&def.name);
        for (day, k) in days.iter_mut().zip(&key_days) {
            day[0] += n * k.writes;
            day[1] += n * k.runs;
        }
        let busiest = |f: fn(&KeyDay) -> u64| key_days.iter().map(f).max().unwrap_or(0);
        let runs_per_day = busiest(|d| d.runs);
        let writes_per_key_per_day = busiest(|d| d.writes);
        let total_runs: u64 = key_days.iter().map(|d| d.runs).sum();
        let total_expired: u64 = key_days.iter().map(|d| d.expired).sum();
        reports_out.push(ReportQuota {
            name: def.name.clone(),
            key: def.key.as_str().to_owned(),
            ttl: def.ttl,
            keys: n,
            error: keys.get(&def.name).and_then(|k| k.clone().err()),
            jobs: writers.iter().map(|p| p.settings.name).collect(),
            runs_per_day,
            writes_per_key_per_day,
            writes_per_day: n * writes_per_key_per_day,
            writes_per_day_if_changing: n * runs_per_day,
            write_share: share(n * writes_per_key_per_day, limits.writes),
            expired_runs_per_day: busiest(|d| d.expired),
            expires_before_next_run: total_runs > 0 && total_expired == total_runs,
        });
    }

    let mut jobs_out = Vec::new();
    for p in &played {
        let defs: Vec<&ReportDefinition> = catalog
            .reports()
            .iter()
            .filter(|d| p.selected.contains(&d.name) && keys_of(&d.name) > 0)
            .collect();
        let listings: Vec<ListingQuota> = if p.inactive_reason.is_some() {
            Vec::new()
        } else {
            listing_prefixes(defs.iter().copied())
                .into_iter()
                .map(|prefix| {
                    let keys: u64 = defs
                        .iter()
                        .filter(|d| listing_prefix_of(d).starts_with(prefix.as_str()))
                        .map(|d| keys_of(&d.name))
                        .sum();
                    ListingQuota {
                        lists_per_run: keys.div_ceil(u64::from(MAX_LIST_LIMIT)).max(1),
                        prefix,
                        keys,
                    }
                })
                .collect()
        };
        let per_run: u64 = listings.iter().map(|l| l.lists_per_run).sum();
        let mut runs = [0u64; WINDOW_DAYS];
        for d in p.runs.iter().filter_map(|t| day_of(*t)) {
            runs[d] += 1;
        }
        for (day, r) in days.iter_mut().zip(runs) {
            day[2] += r * per_run;
        }
        let runs_per_day = runs.iter().copied().max().unwrap_or(0);
        jobs_out.push(JobQuota {
            job: p.settings.name,
            schedule: p.settings.schedule.clone(),
            time_zone: p.settings.time_zone.clone(),
            active: p.inactive_reason.is_none(),
            inactive_reason: p.inactive_reason.clone(),
            reports: p.selected.clone(),
            runs_per_day,
            listings,
            lists_per_day: runs_per_day * per_run,
        });
    }

    let busiest = |i: usize| days.iter().map(|d| d[i]).max().unwrap_or(0);
    let (writes, writes_if_changing, lists) = (busiest(0), busiest(1), busiest(2));
    let mut over = Vec::new();
    if writes > limits.writes {
        over.push("writes".to_owned());
    }
    if lists > limits.lists {
        over.push("lists".to_owned());
    }
    let totals = QuotaTotals {
        reads: 0,
        writes,
        writes_if_changing,
        deletes: 0,
        lists,
        reads_share: 0.0,
        writes_share: share(writes, limits.writes),
        writes_if_changing_share: share(writes_if_changing, limits.writes),
        deletes_share: 0.0,
        lists_share: share(lists, limits.lists),
        may_exceed: writes_if_changing > limits.writes,
        over,
    };
    let findings = findings(&reports_out, &jobs_out, &totals, &limits);
    Ok(QuotaPlan {
        profile: profile.to_owned(),
        limits,
        own_plan,
        as_of: as_of.to_rfc3339_opts(SecondsFormat::Millis, true),
        days: days
            .iter()
            .enumerate()
            .map(|(i, d)| QuotaDay {
                date: (window_start + Duration::days(i as i64))
                    .format("%Y-%m-%d")
                    .to_string(),
                writes: d[0],
                writes_if_changing: d[1],
                lists: d[2],
            })
            .collect(),
        jobs: jobs_out,
        reports: reports_out,
        totals,
        findings,
    })
}

/// The prefix a report's keys are listed under (its template's literal prefix cut after the
/// first `:`, as [`listing_prefixes`] cuts it).
fn listing_prefix_of(def: &ReportDefinition) -> &str {
    let literal = def.key.literal_prefix();
    literal.find(':').map_or(literal, |i| &literal[..=i])
}

fn share(used: u64, limit: u64) -> f64 {
    if limit == 0 {
        0.0
    } else {
        used as f64 / limit as f64
    }
}

/// One key's runs, rewrites and expired finds on one day of the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct KeyDay {
    runs: u64,
    writes: u64,
    expired: u64,
}

/// Plays precompute's rewrite rule over a key's timeline: a run writes a key that is new,
/// expired, or has at most a quarter of its TTL left; other runs find it unchanged.
fn play(
    ttl: u64,
    timeline: &[DateTime<Utc>],
    day_of: &dyn Fn(DateTime<Utc>) -> Option<usize>,
) -> [KeyDay; WINDOW_DAYS] {
    let ttl = ttl as i64;
    let quarter = ttl / 4;
    let mut days = [KeyDay::default(); WINDOW_DAYS];
    let mut written: Option<i64> = None;
    for t in timeline {
        let now = t.timestamp();
        let (write, expired) = match written {
            None => (true, false),
            Some(at) => {
                let left = at + ttl - now;
                (left <= quarter, left <= 0)
            }
        };
        if write {
            written = Some(now);
        }
        if let Some(d) = day_of(*t) {
            days[d].runs += 1;
            days[d].writes += u64::from(write);
            days[d].expired += u64::from(expired);
        }
    }
    days
}

/// A count with thousands separators, as the plan's sentences and `precompute --plan` show it.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 key", "182 keys".
fn keys(n: u64) -> String {
    match n {
        1 => "1 key".to_owned(),
        n => format!("{} keys", thousands(n)),
    }
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

fn findings(
    reports: &[ReportQuota],
    jobs: &[JobQuota],
    totals: &QuotaTotals,
    limits: &PlanLimits,
) -> Vec<String> {
    let mut out = Vec::new();
    for r in reports.iter().filter(|r| r.expired_runs_per_day > 0) {
        if r.expires_before_next_run {
            out.push(format!(
                "{}: its TTL of {} s ends before its next run, so every run rewrites all its {} \
                 ({} runs a day: {} writes a day)",
                r.name,
                r.ttl,
                keys(r.keys),
                r.runs_per_day,
                thousands(r.writes_per_day)
            ));
        } else {
            out.push(format!(
                "{}: its TTL of {} s ends before {} of its {} runs a day, which find its {} \
                 expired (readers miss until then) and rewrite them",
                r.name,
                r.ttl,
                r.expired_runs_per_day,
                r.runs_per_day,
                keys(r.keys)
            ));
        }
    }
    for r in reports.iter().filter(|r| r.writes_per_day > limits.writes) {
        out.push(format!(
            "{} alone costs {} writes a day, over the plan's {}",
            r.name,
            thousands(r.writes_per_day),
            thousands(limits.writes)
        ));
    }
    if totals.over.iter().any(|o| o == "writes") {
        out.push(format!(
            "OVER PLAN: {} writes a day against {} ({})",
            thousands(totals.writes),
            thousands(limits.writes),
            percent(totals.writes_share)
        ));
    } else if totals.may_exceed {
        out.push(format!(
            "{} writes a day with unchanged values fit the plan's {}, but {} would not, if every \
             run found every value changed",
            thousands(totals.writes),
            thousands(limits.writes),
            thousands(totals.writes_if_changing)
        ));
    }
    if totals.over.iter().any(|o| o == "lists") {
        let per_job: Vec<String> = jobs
            .iter()
            .filter(|j| j.lists_per_day > 0)
            .map(|j| format!("{} {}", j.job, thousands(j.lists_per_day)))
            .collect();
        out.push(format!(
            "OVER PLAN: {} lists a day against {} ({}; {})",
            thousands(totals.lists),
            thousands(limits.lists),
            percent(totals.lists_share),
            per_job.join(", ")
        ));
    }
    out
}

/// What a refusal names: the operations over the plan and the reports writing the most.
pub(crate) fn over_plan_details(plan: &QuotaPlan) -> String {
    let mut parts = Vec::new();
    let t = &plan.totals;
    if t.over.iter().any(|o| o == "writes") {
        let mut heaviest: Vec<&ReportQuota> = plan
            .reports
            .iter()
            .filter(|r| r.writes_per_day > 0)
            .collect();
        heaviest.sort_by(|a, b| {
            b.writes_per_day
                .cmp(&a.writes_per_day)
                .then(a.name.cmp(&b.name))
        });
        let named: Vec<String> = heaviest
            .iter()
            .take(5)
            .map(|r| {
                let why = if r.expires_before_next_run {
                    format!(", TTL {} s ends before its next run", r.ttl)
                } else {
                    String::new()
                };
                format!(
                    "{} {} ({} × {}{why})",
                    r.name,
                    thousands(r.writes_per_day),
                    keys(r.keys),
                    r.writes_per_key_per_day
                )
            })
            .collect();
        parts.push(format!(
            "{} writes a day against {} ({}): {}",
            thousands(t.writes),
            thousands(plan.limits.writes),
            percent(t.writes_share),
            named.join(", ")
        ));
    }
    if t.over.iter().any(|o| o == "lists") {
        parts.push(format!(
            "{} lists a day against {} ({})",
            thousands(t.lists),
            thousands(plan.limits.lists),
            percent(t.lists_share)
        ));
    }
    parts.join("; ")
}

/// The reports named in a plan's over-plan refusal, for the audit.
pub(crate) fn audit_summary(plan: &QuotaPlan) -> serde_json::Value {
    serde_json::json!({
        "writesPerDay": plan.totals.writes,
        "writesPerDayIfChanging": plan.totals.writes_if_changing,
        "listsPerDay": plan.totals.lists,
        "limits": plan.limits,
        "over": plan.totals.over,
    })
}

/// Whether a job writes reports (its settings change what the plan counts).
pub fn writes_reports(job: JobName) -> bool {
    matches!(job, JobName::Precompute | JobName::NightlyAnalytics)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc)
    }

    fn job(name: JobName, schedule: &str, reports: &[&str]) -> JobSettings {
        let mut options = JobOptions::defaults_for(name);
        if let JobOptions::Precompute(o) | JobOptions::NightlyAnalytics(o) = &mut options {
            o.reports = reports.iter().map(|r| (*r).to_owned()).collect();
        }
        JobSettings {
            name,
            schedule: Some(schedule.to_owned()),
            time_zone: "UTC".to_owned(),
            paused: false,
            enabled: true,
            options,
            updated_at: String::new(),
            updated_by: String::new(),
        }
    }

    fn catalog(ttls: &[(&str, u64, &str)]) -> Catalog {
        let mut text = String::new();
        for (name, ttl, key) in ttls {
            let fan_out = if key.contains('{') {
                "fan_out = \"SELECT 1 AS id\"\n"
            } else {
                ""
            };
            text.push_str(&format!(
                "[[report]]\nname = \"{name}\"\nkey = \"{key}\"\nttl = {ttl}\n\
                 schedule = \"*/15 * * * *\"\nsql = \"SELECT '{{}}'::json\"\n{fan_out}"
            ));
        }
        Catalog::parse(&text, "test", None).unwrap()
    }

    fn keys(counts: &[(&str, u64)]) -> BTreeMap<String, std::result::Result<u64, String>> {
        counts
            .iter()
            .map(|(n, k)| ((*n).to_owned(), Ok(*k)))
            .collect()
    }

    #[test]
    fn the_rewrite_rule_over_a_fifteen_minute_schedule() {
        let catalog = catalog(&[
            ("short", 300, "user:{id}:short"),
            ("hourly", 3600, "report:hourly"),
            ("daily", 86_400, "report:daily"),
            ("long", 90_000, "report:long"),
        ]);
        let jobs = [job(JobName::Precompute, "*/15 * * * *", &[])];
        let counts = keys(&[("short", 182), ("hourly", 1), ("daily", 1), ("long", 1)]);
        let plan = plan(
            "p",
            PlanLimits::default(),
            false,
            &catalog,
            &jobs,
            &counts,
            at("2026-11-19T12:00:00Z"),
        )
        .unwrap();
        let by = |n: &str| plan.reports.iter().find(|r| r.name == n).unwrap();
        // 300 s ends before the next run 900 s later: every one of the 96 runs rewrites.
        assert_eq!(by("short").runs_per_day, 96);
        assert_eq!(by("short").writes_per_day, 182 * 96);
        assert!(by("short").expires_before_next_run);
        // 3600 s: written, then 900 s (2700 left), 1800 s (1800), 2700 s (900 = a quarter):
        // rewritten every third run, 32 a day.
        assert_eq!(by("hourly").writes_per_key_per_day, 32);
        assert!(!by("hourly").expires_before_next_run);
        // 86400 s: a quarter (21600) left after 64800 s = 72 runs, 18 h: 2 on the busiest day.
        assert_eq!(by("daily").writes_per_key_per_day, 2);
        assert_eq!(by("long").writes_per_key_per_day, 2);
        assert_eq!(plan.totals.writes_if_changing, (182 + 3) * 96);
        // One listing of user: (182 keys) and one of report: (3) a run.
        assert_eq!(plan.jobs[0].lists_per_day, 96 * 2);
        assert_eq!(plan.totals.over, vec!["writes".to_owned()]);
        assert!(plan.findings[0].starts_with("short: its TTL of 300 s ends before its next run, so every run rewrites all its 182 keys"), "{:?}", plan.findings);
        let details = over_plan_details(&plan);
        // The busiest day of the sum: the daily and the long key are not rewritten on the same day.
        assert_eq!(
            details,
            "17,507 writes a day against 1,000 (1750.7%): short 17,472 (182 keys × 96, TTL 300 s \
             ends before its next run), hourly 32 (1 key × 32), daily 2 (1 key × 2), long 2 (1 key × \
             2)"
        );
    }

    #[test]
    fn a_daily_job_with_a_ttl_over_a_day_writes_once_and_paused_jobs_nothing() {
        let catalog = catalog(&[("a", 90_000, "user:{id}:a"), ("b", 3600, "report:b")]);
        let mut paused = job(JobName::Precompute, "*/15 * * * *", &["b"]);
        paused.paused = true;
        let jobs = [paused, job(JobName::NightlyAnalytics, "0 2 * * *", &["a"])];
        let counts = keys(&[("a", 700), ("b", 1)]);
        let plan = plan(
            "p",
            PlanLimits::default(),
            false,
            &catalog,
            &jobs,
            &counts,
            at("2026-11-19T12:00:00Z"),
        )
        .unwrap();
        assert_eq!(plan.reports[0].writes_per_day, 700);
        assert_eq!(plan.reports[1].writes_per_day, 0);
        assert_eq!(plan.jobs[0].inactive_reason.as_deref(), Some("paused"));
        assert_eq!(plan.totals.writes, 700);
        assert_eq!(plan.totals.lists, 1);
        assert!(plan.totals.over.is_empty() && !plan.totals.may_exceed);
        assert_eq!(plan.days.len(), WINDOW_DAYS);
        assert_eq!(plan.days[0].date, "2026-11-20");
    }

    #[test]
    fn an_unknown_report_in_a_jobs_options_makes_it_write_nothing() {
        let catalog = catalog(&[("a", 3600, "report:a")]);
        let jobs = [job(JobName::Precompute, "*/15 * * * *", &["nope"])];
        let plan = plan(
            "p",
            PlanLimits::default(),
            false,
            &catalog,
            &jobs,
            &keys(&[("a", 1)]),
            at("2026-11-19T12:00:00Z"),
        )
        .unwrap();
        assert!(plan.jobs[0]
            .inactive_reason
            .as_deref()
            .unwrap()
            .contains("every run fails"));
        assert_eq!(plan.totals.writes, 0);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
