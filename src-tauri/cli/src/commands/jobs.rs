//! `cachescope jobs ...`: list, run (dry run and the typed job name first for destructive jobs),
//! enable or disable a destructive job's schedule, pause, resume, schedule, options and history
//! of jobs.

use chrono::{DateTime, Utc};

use cachescope_core::jobs::history::{JobRunRecord, JobRunStatus};
use cachescope_core::jobs::overview::{self, list_jobs};
use cachescope_core::jobs::{run_job, setting_changes, JobName, JobRunRequest};
use cachescope_core::{CoreContext, Error, Result};

use crate::cli_args::JobsCommand;
use crate::output::{ask_or, print_json, Bar};

pub async fn jobs_command(
    ctx: &CoreContext,
    profile: Option<&str>,
    command: JobsCommand,
    json: bool,
) -> Result<()> {
    match command {
        JobsCommand::Ls => {
            let jobs = list_jobs(ctx, profile).await?;
            if json {
                return print_json(&jobs);
            }
            println!(
                "{:<18} {:<8} {:<44} {:<26} LAST RUN",
                "JOB", "STATE", "SCHEDULE", "NEXT RUN"
            );
            for job in jobs {
                let state = if job.running.is_some() {
                    "running"
                } else if job.paused {
                    "paused"
                } else if !job.enabled {
                    "disabled"
                } else {
                    "active"
                };
                let last = job.last_run.as_ref().map_or("never".to_owned(), |r| {
                    format!("{} {} ({})", status_word(r.status), r.started_at, r.summary)
                });
                println!(
                    "{:<18} {:<8} {:<44} {:<26} {last}",
                    job.name.as_str(),
                    state,
                    job.schedule_description
                        .as_deref()
                        .unwrap_or("by hand only"),
                    job.next_run.as_deref().unwrap_or("-"),
                );
            }
            Ok(())
        }
        JobsCommand::Run {
            name,
            dry_run,
            user,
            confirm,
            now,
            override_share_limit,
        } => {
            let job: JobName = name.parse()?;
            let now = now
                .as_deref()
                .map(|t| {
                    DateTime::parse_from_rfc3339(t)
                        .map(|t| t.with_timezone(&Utc))
                        .map_err(|e| {
                            Error::invalid("--now", format!("{t:?} is not an RFC 3339 time: {e}"))
                        })
                })
                .transpose()?;
            let mut request = JobRunRequest {
                user_id: user,
                now,
                override_share_limit,
                ..JobRunRequest::manual(job, dry_run)
            };
            if job.is_destructive() && !dry_run {
                let typed = match confirm {
                    Some(typed) => typed,
                    None => {
                        let preview = run_once(
                            ctx,
                            profile,
                            &JobRunRequest {
                                dry_run: true,
                                ..request.clone()
                            },
                        )
                        .await?;
                        print_run(&preview, json)?;
                        if preview.status != JobRunStatus::Succeeded {
                            return Err(failure(&preview));
                        }
                        ask_or(
                            &format!("Run {job} for real? Type the job name to confirm:"),
                            &format!("pass --confirm {job} to run it for real"),
                        )?
                    }
                };
                // The core checks what was typed, whoever calls it.
                request = request.confirmed(typed);
            }
            let record = run_once(ctx, profile, &request).await?;
            print_run(&record, json)?;
            match record.status {
                JobRunStatus::Succeeded => Ok(()),
                JobRunStatus::Cancelled => Err(Error::Cancelled),
                _ => Err(failure(&record)),
            }
        }
        JobsCommand::Enable { name, confirm } => {
            let job: JobName = name.parse()?;
            let typed = match confirm {
                Some(typed) => typed,
                None if job.is_destructive() => ask_or(
                    &format!(
                        "Let {job} run on its schedule on this database? It deletes data. \
                         Type the job name to confirm:"
                    ),
                    &format!("pass --confirm {job} to enable it"),
                )?,
                None => String::new(),
            };
            let saved = setting_changes::enable_job(ctx, profile, job, &typed).await?;
            if json {
                return print_json(&saved);
            }
            println!("{job}: enabled on this database (its schedule runs unless paused)");
            Ok(())
        }
        JobsCommand::Disable { name } => {
            let job: JobName = name.parse()?;
            let saved = setting_changes::disable_job(ctx, profile, job).await?;
            if json {
                return print_json(&saved);
            }
            println!("{job}: disabled on this database (runs by hand only, with confirmation)");
            Ok(())
        }
        JobsCommand::Pause { name } => set_paused(ctx, profile, &name, true, json).await,
        JobsCommand::Resume { name } => set_paused(ctx, profile, &name, false, json).await,
        JobsCommand::Schedule {
            name,
            cron,
            tz,
            none,
        } => {
            let job: JobName = name.parse()?;
            let cron = if none { None } else { cron };
            let saved =
                setting_changes::set_schedule(ctx, profile, job, cron.as_deref(), &tz).await?;
            if json {
                return print_json(&saved);
            }
            match saved.parsed_schedule()? {
                Some((schedule, tz)) => println!("{job}: {} ({tz})", schedule.describe()),
                None => println!("{job}: runs by hand only"),
            }
            Ok(())
        }
        JobsCommand::Options { name, set } => {
            let job: JobName = name.parse()?;
            let saved = match set {
                Some(text) => {
                    let value: serde_json::Value = serde_json::from_str(&text)
                        .map_err(|e| Error::invalid("--set", format!("not JSON: {e}")))?;
                    setting_changes::set_options(ctx, profile, job, value).await?
                }
                None => overview::job_settings(ctx, profile, job).await?,
            };
            print_json(&saved.options)
        }
        JobsCommand::History { name, limit } => {
            let job = name.as_deref().map(str::parse::<JobName>).transpose()?;
            let runs = overview::job_history(ctx, profile, job, limit).await?;
            if json {
                return print_json(&runs);
            }
            for run in runs {
                println!(
                    "#{:<6} {:<18} {:<10} {:<9} {} {:>7}  {}@{}  {}",
                    run.id,
                    run.job.as_str(),
                    status_word(run.status),
                    if run.dry_run { "dry run" } else { &run.trigger },
                    run.started_at,
                    run.duration_ms
                        .map_or("-".to_owned(), |ms| format!("{ms} ms")),
                    run.os_user,
                    run.host,
                    run.error.as_deref().unwrap_or(&run.summary),
                );
            }
            Ok(())
        }
    }
}

async fn set_paused(
    ctx: &CoreContext,
    profile: Option<&str>,
    name: &str,
    paused: bool,
    json: bool,
) -> Result<()> {
    let job: JobName = name.parse()?;
    let saved = setting_changes::set_paused(ctx, profile, job, paused).await?;
    if json {
        return print_json(&saved);
    }
    println!("{job}: {}", if paused { "paused" } else { "resumed" });
    Ok(())
}

async fn run_once(
    ctx: &CoreContext,
    profile: Option<&str>,
    request: &JobRunRequest,
) -> Result<JobRunRecord> {
    let bar = Bar::start();
    let record = run_job(ctx, profile, request, &bar.progress, None).await;
    bar.finish();
    record?.ok_or_else(|| Error::invalid("job run", "was not started"))
}

fn status_word(status: JobRunStatus) -> &'static str {
    status.as_str()
}

fn failure(record: &JobRunRecord) -> Error {
    match record.status {
        JobRunStatus::Skipped => Error::KvUnavailable {
            endpoint: format!("job {}", record.job),
            reason: record.summary.clone(),
        },
        _ => Error::invalid(
            format!("job {} (run #{})", record.job, record.id),
            record
                .error
                .clone()
                .unwrap_or_else(|| record.summary.clone()),
        ),
    }
}

fn print_run(record: &JobRunRecord, json: bool) -> Result<()> {
    if json {
        return print_json(record);
    }
    let mode = if record.dry_run { " (dry run)" } else { "" };
    println!(
        "{} #{} {}{mode}: {}",
        record.job,
        record.id,
        status_word(record.status),
        record.summary
    );
    if let Some(counts) = &record.counts {
        for (name, value) in counts.to_stored() {
            println!("  {value:>12}  {name}");
        }
    }
    if let Some(sample) = record.detail.get("sample").and_then(|s| s.as_array()) {
        for key in sample {
            println!("  {}", key.as_str().unwrap_or_default());
        }
    }
    Ok(())
}
