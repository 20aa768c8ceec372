//! `cachescope precompute` and `cachescope report ...`: parse the arguments, call the core's
//! reports module, print a table for people or JSON for scripts.

use chrono::{DateTime, Utc};

use cachescope_core::jobs::quota_plan::{self, QuotaPlan};
use cachescope_core::reports::definition_check;
use cachescope_core::reports::export::{export, ExportFormat};
use cachescope_core::reports::mirror;
use cachescope_core::reports::precompute::{self, PrecomputeRequest, RunStatus, WriteReason};
use cachescope_core::reports::reading::{self, ReadFrom, ReportTarget, ValueSource};
use cachescope_core::{CoreContext, Error, Result};

use crate::cli_args::{PrecomputeArgs, ReportCommand, ReportTargetArgs};
use crate::output::{print_json, Bar};

/// Keys listed per report in a dry run's text output (the JSON has them all).
const KEYS_SHOWN: usize = 12;

pub async fn precompute_command(
    ctx: &CoreContext,
    profile: Option<&str>,
    args: PrecomputeArgs,
    json: bool,
) -> Result<()> {
    let as_of = args
        .as_of
        .as_deref()
        .map(|t| {
            DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| {
                    Error::invalid("--as-of", format!("{t:?} is not an RFC 3339 time: {e}"))
                })
        })
        .transpose()?;
    if args.plan {
        let plan = quota_plan::quota_plan_at(ctx, profile, as_of.unwrap_or_else(Utc::now)).await?;
        return if json {
            print_json(&plan)
        } else {
            print_plan(&plan);
            Ok(())
        };
    }
    let request = PrecomputeRequest {
        reports: args.reports,
        dry_run: args.dry_run,
        as_of,
    };
    let bar = Bar::start();
    let run = precompute::precompute(ctx, profile, &request, &bar.progress).await;
    bar.finish();
    let run = run?;
    if json {
        print_json(&run)?;
    } else {
        let verb = if run.dry_run { "would write" } else { "wrote" };
        for report in &run.reports {
            match &report.error {
                Some(error) => println!("FAILED   {:<20} {error}", report.name),
                None => println!(
                    "ok       {:<20} {verb} {}, unchanged {}",
                    report.name, report.written, report.skipped
                ),
            }
            if run.dry_run {
                let changed: Vec<_> = report.keys.iter().filter(|k| k.reason.writes()).collect();
                for key in changed.iter().take(KEYS_SHOWN) {
                    let why = match key.reason {
                        WriteReason::New => "new",
                        WriteReason::Changed => "changed",
                        WriteReason::Expiring => "expiring",
                        WriteReason::Unchanged => "unchanged",
                    };
                    println!("           {why:<9} {} ({} bytes)", key.key, key.bytes);
                }
                if changed.len() > KEYS_SHOWN {
                    println!("           … and {} more", changed.len() - KEYS_SHOWN);
                }
            }
        }
        println!(
            "{}: {verb} {} keys, {} unchanged, {} reports failed (run {} as of {})",
            match run.status {
                RunStatus::Succeeded => "succeeded",
                RunStatus::Partial => "partly failed",
                RunStatus::Failed => "failed",
                RunStatus::Cancelled => "cancelled",
            },
            run.written,
            run.skipped,
            run.failed_reports,
            run.id.unwrap_or_default(),
            run.as_of
        );
        if let Some(error) = &run.error {
            println!("error: {error}");
        }
    }
    match run.status {
        RunStatus::Succeeded => Ok(()),
        RunStatus::Cancelled => Err(Error::Cancelled),
        RunStatus::Partial | RunStatus::Failed => Err(Error::Report {
            report: run
                .reports
                .iter()
                .filter(|r| r.error.is_some())
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            reason: run
                .error
                .clone()
                .unwrap_or_else(|| "failed; the other reports were written".to_owned()),
        }),
    }
}

/// `precompute --plan` for people: the jobs, one line per report, the totals against the plan,
/// and what to look at. Over the plan is said, not an error (exit 0).
fn print_plan(plan: &QuotaPlan) {
    let l = &plan.limits;
    println!(
        "KV plan of profile {}: {} ({} reads, {} writes, {} deletes, {} lists a day); busiest UTC \
         day of {} to {}",
        plan.profile,
        if plan.own_plan {
            "[profile.plan]"
        } else {
            "free plan"
        },
        n(l.reads),
        n(l.writes),
        n(l.deletes),
        n(l.lists),
        plan.days.first().map_or("", |d| d.date.as_str()),
        plan.days.last().map_or("", |d| d.date.as_str()),
    );
    println!();
    println!(
        "{:<18} {:<26} {:>8} {:>9}  reports",
        "job", "schedule", "runs/day", "lists/day"
    );
    for job in &plan.jobs {
        let schedule = match (&job.schedule, &job.inactive_reason) {
            (_, Some(reason)) => reason.clone(),
            (Some(cron), None) => format!("{cron} ({})", job.time_zone),
            (None, None) => String::new(),
        };
        let reports = if job.reports.len() == plan.reports.len() {
            "every report".to_owned()
        } else {
            job.reports.join(", ")
        };
        println!(
            "{:<18} {:<26} {:>8} {:>9}  {reports}",
            job.job.as_str(),
            schedule,
            n(job.runs_per_day),
            n(job.lists_per_day)
        );
        for listing in &job.listings {
            println!(
                "{:<18}   lists {:?}: {} keys, {} a run",
                "",
                listing.prefix,
                n(listing.keys),
                listing.lists_per_run
            );
        }
    }
    println!();
    println!(
        "{:<20} {:>7} {:>8} {:>8} {:>10} {:>8} {:>12}  jobs",
        "report", "keys", "TTL", "runs/day", "writes/day", "share", "if changing"
    );
    for r in &plan.reports {
        let jobs: Vec<&str> = r.jobs.iter().map(|j| j.as_str()).collect();
        println!(
            "{:<20} {:>7} {:>8} {:>8} {:>10} {:>8} {:>12}  {}",
            r.name,
            n(r.keys),
            format!("{} s", n(r.ttl)),
            n(r.runs_per_day),
            n(r.writes_per_day),
            percent(r.write_share),
            n(r.writes_per_day_if_changing),
            match (&r.error, jobs.is_empty()) {
                (Some(e), _) => format!("keys not counted: {e}"),
                (None, true) => "written by no scheduled job".to_owned(),
                (None, false) => jobs.join(", "),
            }
        );
    }
    let t = &plan.totals;
    println!(
        "{:<20} {:>7} {:>8} {:>8} {:>10} {:>8} {:>12}",
        "total (busiest day)",
        "",
        "",
        "",
        n(t.writes),
        percent(t.writes_share),
        n(t.writes_if_changing)
    );
    println!();
    println!(
        "a day: writes {} of {} ({}), lists {} of {} ({}), reads 0 of {}, deletes 0 of {}",
        n(t.writes),
        n(l.writes),
        percent(t.writes_share),
        n(t.lists),
        n(l.lists),
        percent(t.lists_share),
        n(l.reads),
        n(l.deletes)
    );
    for finding in &plan.findings {
        println!("- {finding}");
    }
    if plan.over_plan() {
        println!("OVER PLAN: {}", t.over.join(" and "));
    } else {
        println!("within the plan");
    }
}

/// A count with thousands separators.
fn n(count: u64) -> String {
    cachescope_core::jobs::quota_plan::thousands(count)
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

fn target(args: &ReportTargetArgs) -> Result<ReportTarget> {
    let mut params = cachescope_core::reports::definitions::Params::new();
    for pair in &args.params {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| Error::invalid("--param", format!("{pair:?} is not NAME=VALUE")))?;
        params.insert(name.to_owned(), value.to_owned());
    }
    Ok(ReportTarget {
        report: args.report.clone(),
        params,
    })
}

fn read_from(offline: bool) -> ReadFrom {
    if offline {
        ReadFrom::Mirror
    } else {
        ReadFrom::Auto
    }
}

fn age(generated_at: Option<&str>) -> String {
    let Some(t) = generated_at.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) else {
        return "-".to_owned();
    };
    let secs = (Utc::now() - t.with_timezone(&Utc)).num_seconds().max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

pub async fn report_command(
    ctx: &CoreContext,
    profile: Option<&str>,
    command: ReportCommand,
    json: bool,
) -> Result<()> {
    match command {
        ReportCommand::Ls { offline } => {
            let bar = Bar::start();
            let list = reading::list_reports(ctx, profile, read_from(offline), &bar.progress).await;
            bar.finish();
            let list = list?;
            if json {
                return print_json(&list);
            }
            if let Some(reason) = &list.offline_reason {
                println!("OFFLINE: KV cannot be reached ({reason}); showing the offline mirror\n");
            } else if list.source == ValueSource::Mirror {
                println!("offline mirror of profile {:?}\n", list.profile);
            }
            println!(
                "{:<20} {:<40} {:>6} {:>6} {:>9}  schedule",
                "report", "key", "keys", "age", "ttl left"
            );
            for r in &list.reports {
                let newest = r
                    .keys
                    .iter()
                    .filter_map(|k| k.generated_at.as_deref())
                    .max();
                let ttl = r.keys.iter().filter_map(|k| k.ttl_left).min();
                let stale = r.keys.iter().any(|k| k.stale);
                println!(
                    "{:<20} {:<40} {:>6} {:>6} {:>9}  {} ({}){}",
                    r.name,
                    r.key_template,
                    r.key_count,
                    age(newest),
                    ttl.map_or("-".to_owned(), |t| format!("{t}s")),
                    r.schedule,
                    r.schedule_text,
                    if stale { "  STALE" } else { "" }
                );
            }
            Ok(())
        }
        ReportCommand::Show { target: t, offline } => {
            let value =
                reading::show_report(ctx, profile, &target(&t)?, read_from(offline)).await?;
            if json {
                return print_json(&value);
            }
            if let Some(note) = &value.note {
                eprintln!("{note}");
            }
            if value.stale {
                eprintln!(
                    "stale: generated {} ago, older than its schedule",
                    age(value.generated_at.as_deref())
                );
            }
            let pretty = serde_json::from_str::<serde_json::Value>(&value.json)
                .and_then(|v| serde_json::to_string_pretty(&v))
                .unwrap_or(value.json);
            println!("{pretty}");
            Ok(())
        }
        ReportCommand::Diff { target: t } => {
            let diff = reading::diff_report(ctx, profile, &target(&t)?).await?;
            if json {
                return print_json(&diff);
            }
            println!(
                "{}: cached {} vs live SQL {}",
                diff.key,
                diff.cached_generated_at.as_deref().unwrap_or("(not in KV)"),
                diff.live_generated_at
            );
            if diff.identical {
                println!("identical (the generation time aside)");
            }
            for c in &diff.changes {
                println!(
                    "  {:<8} {}: {} -> {}",
                    format!("{:?}", c.kind).to_lowercase(),
                    c.path,
                    c.cached.as_deref().unwrap_or("-"),
                    c.live.as_deref().unwrap_or("-")
                );
            }
            Ok(())
        }
        ReportCommand::Check { names } => check(ctx, profile, &names, json).await,
        ReportCommand::Sync => {
            let bar = Bar::start();
            let outcome = mirror::sync(ctx, profile, &bar.progress).await;
            bar.finish();
            let outcome = outcome?;
            if json {
                return print_json(&outcome);
            }
            println!(
                "synced {} report keys ({} bytes) of profile {:?} into the offline mirror at {}; removed {} gone from KV",
                outcome.keys, outcome.bytes, outcome.profile, outcome.synced_at, outcome.removed
            );
            Ok(())
        }
        ReportCommand::Export {
            target: t,
            format,
            table,
            out,
            offline,
        } => {
            let format: ExportFormat = format.parse()?;
            let value =
                reading::show_report(ctx, profile, &target(&t)?, read_from(offline)).await?;
            let text = export(&value, format, table.as_deref())?;
            match out {
                Some(path) => {
                    cachescope_core::reports::export::write_file(&path, &text)?;
                    if !json {
                        eprintln!("wrote {}", path.display());
                    }
                }
                None => print!("{text}"),
            }
            Ok(())
        }
        ReportCommand::Runs { limit } => {
            let runs = precompute::recent_runs(ctx, profile, limit).await?;
            if json {
                return print_json(&runs);
            }
            for r in runs {
                println!(
                    "#{:<5} {}  {:>7.0} ms  {:<10} {}written {}, unchanged {}, failed reports {}{}",
                    r.id,
                    r.started_at,
                    r.duration_ms,
                    r.status,
                    if r.dry_run { "(dry run) " } else { "" },
                    r.keys_written,
                    r.keys_skipped,
                    r.reports_failed,
                    r.error.map(|e| format!(" — {e}")).unwrap_or_default()
                );
            }
            Ok(())
        }
    }
}

/// `report check`: one line per definition, then an error naming the failed ones.
async fn check(
    ctx: &CoreContext,
    profile: Option<&str>,
    names: &[String],
    json: bool,
) -> Result<()> {
    let checks = definition_check::check_definitions(ctx, profile, names).await?;
    if json {
        print_json(&checks)?;
    } else {
        for check in &checks {
            match &check.error {
                None => println!(
                    "ok       {:<20} {} ({} bytes{})",
                    check.report,
                    check.sample_key.as_deref().unwrap_or("-"),
                    check.sample_bytes.unwrap_or_default(),
                    check
                        .contract
                        .as_ref()
                        .map(|c| format!(", matches {c}"))
                        .unwrap_or_default()
                ),
                Some(error) => {
                    let place = match (check.line, check.column) {
                        (Some(line), Some(column)) => format!(" (line {line}, column {column})"),
                        _ => String::new(),
                    };
                    let stage = check
                        .stage
                        .map(|s| format!("{s:?}").to_lowercase())
                        .unwrap_or_default();
                    println!("FAILED   {:<20} {stage}: {error}{place}", check.report);
                }
            }
        }
    }
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.report.as_str())
        .collect();
    if failed.is_empty() {
        return Ok(());
    }
    Err(Error::Report {
        report: failed.join(", "),
        reason: "failed its check (nothing was written)".to_owned(),
    })
}
