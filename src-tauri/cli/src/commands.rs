//! What each subcommand does: parse its input, call one core function, print the result.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};

use cachescope_core::key_deletion::{self, DeleteMode};
use cachescope_core::key_transfer;
use cachescope_core::key_writing;
use cachescope_core::kv::{list_all, Expiry, KeyInfo, ListOptions, PutOptions};
use cachescope_core::profiles::{Profile, ProfileKind};
use cachescope_core::secrets::SecretKind;
use cachescope_core::stats::{console_reads, Outcome};
use cachescope_core::value_view;
use cachescope_core::{CoreContext, Error, Result};
use cachescope_demo::keys::KeysOptions;
use cachescope_demo::seed::{self as demo_seed, SeedOptions};
use cachescope_demo::source::{self as demo_source, SourceScale};
use secrecy::SecretString;

use crate::cli_args::{
    Cli, Command, DbCommand, DemoCommand, KvCommand, ProfileAdd, ProfileCommand,
};
use crate::output::{self, ask, print_json, Bar};

/// The current time in whole seconds, so a `now` printed can be passed back with `--now`.
fn whole_second_now() -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    chrono::DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
}

/// Runs one parsed command line.
pub async fn run(cli: Cli) -> Result<()> {
    let ctx = CoreContext::open_default().await?;
    let done = run_command(&ctx, cli).await;
    // The reads this command made are counted before the process exits.
    ctx.console_reads().flush().await;
    done
}

async fn run_command(ctx: &CoreContext, cli: Cli) -> Result<()> {
    let profile = cli.profile.as_deref();
    match cli.command {
        Command::Profile(command) => profile_command(ctx, command, cli.json).await,
        Command::Kv(command) => kv_command(ctx, profile, command, cli.json).await,
        Command::Demo(DemoCommand::Seed {
            users,
            seed,
            scale,
            now,
        }) => {
            let options = SeedOptions {
                keys: KeysOptions { users, seed },
                scale,
                now: now.unwrap_or_else(whole_second_now),
            };
            let bar = Bar::start();
            let summary = demo_seed::seed(ctx, profile, &options, &bar.progress).await;
            bar.finish();
            let summary = summary?;
            if cli.json {
                return print_json(&summary);
            }
            if let Some(source) = &summary.source {
                println!(
                    "generated the demo sales data in schema `sales` of the database of profile \
                     {:?}: {} conversations (seed {})",
                    summary.profile, source.conversations, source.seed
                );
            }
            println!(
                "seeded {} keys ({} bytes) into profile {:?}: precompute run {} wrote {} report \
                 keys, the others are hand-made families",
                summary.keys,
                summary.bytes,
                summary.profile,
                summary
                    .precompute_run
                    .map_or_else(|| "-".to_owned(), |id| id.to_string()),
                summary.report_keys_written
            );
            for (family, count) in &summary.families {
                println!("  {count:>6}  {family}");
            }
            Ok(())
        }
        Command::Demo(DemoCommand::Db { scale, seed, now }) => {
            let now = now.unwrap_or_else(whole_second_now);
            let scale = SourceScale::new(scale, seed, now)?;
            let name = ctx.profile(profile)?.name;
            let bar = Bar::start();
            let summary =
                demo_source::generate_for_profile(ctx, profile, &scale, &bar.progress).await;
            bar.finish();
            let summary = summary?;
            if cli.json {
                return print_json(&summary);
            }
            println!(
                "replaced the demo data in schema `sales` of the database of profile {name:?} \
                 (seed {}, now {})",
                summary.seed,
                summary
                    .now
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            for (rows, table) in [
                (summary.users, "users"),
                (summary.opportunities, "opportunities"),
                (summary.conversations, "conversations"),
                (summary.analyses, "MEDDIC analyses"),
                (summary.todos, "todos"),
                (summary.traffic_events, "traffic events"),
                (summary.path_stats_hourly, "hourly path statistics"),
            ] {
                println!("  {rows:>10}  {table}");
            }
            let seconds = summary.elapsed.as_secs_f64();
            println!(
                "  {:>10}  rows in {seconds:.1} s ({:.0} rows/s)",
                summary.rows(),
                summary.rows() as f64 / seconds.max(1e-3)
            );
            Ok(())
        }
        Command::Db(DbCommand::Migrate) => {
            let name = ctx.profile(profile)?.name;
            let pool = ctx.postgres(profile).await?.ok_or_else(|| {
                Error::invalid(
                    format!("profile {name:?}"),
                    "names no Postgres database (add one with --postgres-url)",
                )
            })?;
            cachescope_core::db::migrate(&pool).await?;
            if !cli.json {
                println!("console migrations applied to the database of profile {name:?}");
            }
            Ok(())
        }
        Command::Precompute(args) => {
            crate::report_commands::precompute_command(ctx, profile, args, cli.json).await
        }
        Command::Report(command) => {
            crate::report_commands::report_command(ctx, profile, command, cli.json).await
        }
        Command::Stats(args) => {
            crate::stats_commands::stats_command(ctx, profile, args, cli.json).await
        }
        Command::Demo(DemoCommand::Events { days, seed, now }) => {
            crate::stats_commands::demo_events_command(ctx, profile, days, seed, now, cli.json)
                .await
        }
        Command::Jobs(command) => {
            crate::job_commands::jobs_command(ctx, profile, command, cli.json).await
        }
        Command::Daemon => crate::job_commands::daemon(ctx, profile).await,
        Command::Audit { limit, csv } => {
            // The profile's shared log when it names a database, else this machine's.
            let name = ctx.profile(profile)?.name;
            let records = ctx.audit_trail(&name).await?.recent(limit).await?;
            if csv {
                print!("{}", cachescope_core::audit::to_csv(&records)?);
                return Ok(());
            }
            if cli.json {
                return print_json(&records);
            }
            for r in records {
                let e = &r.entry;
                let mode = if e.dry_run { "dry run" } else { "real" };
                println!(
                    "{}  {}@{}  {}  {} {:?}  {} items  {mode}  {}",
                    r.at, r.os_user, r.host, e.profile, e.action, e.target, e.item_count, e.outcome
                );
            }
            Ok(())
        }
    }
}

async fn profile_command(ctx: &CoreContext, command: ProfileCommand, json: bool) -> Result<()> {
    match command {
        ProfileCommand::Add(add) => add_profile(ctx, add, json).await,
        ProfileCommand::Ls => {
            let views = ctx.profile_views().await?;
            if json {
                return print_json(&views);
            }
            for v in views {
                let target = match v.kind {
                    ProfileKind::Local => format!(
                        "local namespace {}",
                        v.namespace_id.as_deref().unwrap_or("default")
                    ),
                    ProfileKind::Cloudflare => format!(
                        "cloudflare {}/{}{}",
                        v.account_id.as_deref().unwrap_or("?"),
                        v.namespace_id.as_deref().unwrap_or("?"),
                        if v.token_set {
                            ""
                        } else {
                            " (no API token set)"
                        }
                    ),
                };
                let mut flags = Vec::new();
                if v.production {
                    flags.push("production");
                }
                if v.read_only {
                    flags.push("read-only");
                }
                let mark = if v.is_default { "*" } else { " " };
                println!("{mark} {:<20} {target}  {}", v.name, flags.join(", "));
            }
            Ok(())
        }
        ProfileCommand::Rm { name } => {
            ctx.remove_profile(&name).await?;
            if !json {
                println!("removed profile {name:?} and its stored secrets");
            }
            Ok(())
        }
        ProfileCommand::Use { name } => {
            ctx.set_default_profile(&name).await?;
            if !json {
                println!("default profile is now {name:?}");
            }
            Ok(())
        }
        ProfileCommand::Test { name } => {
            let check = ctx.check_connection(name.as_deref()).await?;
            if json {
                return print_json(&check);
            }
            println!(
                "ok: {} answered in {} ms ({} keys in a first page of 10)",
                check.store, check.round_trip_ms, check.sample_keys
            );
            Ok(())
        }
    }
}

async fn add_profile(ctx: &CoreContext, add: ProfileAdd, json: bool) -> Result<()> {
    let kind: ProfileKind = add.kind.parse()?;
    let mut lines = std::io::stdin().lock().lines();
    let mut read_secret = |what: &str| -> Result<SecretString> {
        let line = lines
            .next()
            .transpose()
            .map_err(|source| Error::Io {
                path: "stdin".into(),
                source,
            })?
            .unwrap_or_default();
        let line = line.trim().to_owned();
        if line.is_empty() {
            return Err(Error::invalid(what, "expected on stdin, got an empty line"));
        }
        Ok(SecretString::from(line))
    };
    let token = add
        .token_stdin
        .then(|| read_secret("API token"))
        .transpose()?;
    let db_password = add
        .db_password_stdin
        .then(|| read_secret("Postgres password"))
        .transpose()?;
    let profile = Profile {
        name: add.name.clone(),
        kind,
        account_id: add.account_id,
        namespace_id: add.namespace_id,
        base_url: add.base_url,
        path: add.path,
        postgres_url: add.postgres_url,
        read_only: add.read_only,
        production: add.production,
        unlocked: add.unlocked,
        // Kept from the stored profile: limits are set in profiles.toml (see ProfileSet::upsert).
        db_limits: None,
    };
    let read_only = profile.is_read_only();
    let stored = ctx.save_profile(profile, token, db_password).await?;
    if add.default {
        ctx.set_default_profile(&add.name).await?;
    }
    if json {
        let stored: Vec<_> = stored
            .iter()
            .map(|(kind, location)| serde_json::json!({ "secret": format!("{kind:?}"), "location": location }))
            .collect();
        return print_json(
            &serde_json::json!({ "profile": add.name, "readOnly": read_only, "secrets": stored }),
        );
    }
    println!(
        "saved profile {:?}{}",
        add.name,
        if read_only { " (read-only)" } else { "" }
    );
    for (kind, location) in stored {
        let what = match kind {
            SecretKind::ApiToken => "API token",
            SecretKind::DbPassword => "Postgres password",
        };
        println!("  {what} stored in {location}");
    }
    Ok(())
}

/// `kv get --json`: the viewer's fields, with the metadata as JSON (its exact text) rather than as
/// the string the UI gets (its reason, JSON.parse rounding big integers, does not apply to scripts).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct GetJson<'a> {
    key: &'a str,
    size_bytes: u64,
    expiration: Option<i64>,
    metadata: Option<cachescope_core::kv::Metadata>,
    encoding: value_view::ValueEncoding,
    data: &'a str,
    truncated: bool,
}

fn print_keys(keys: &[KeyInfo]) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for k in keys {
        let metadata = k
            .metadata
            .as_ref()
            .map(|m| m.to_string())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}\t{}\t{}",
            k.name,
            output::expiry(k.expiration),
            metadata
        );
    }
}

async fn kv_command(
    ctx: &CoreContext,
    profile: Option<&str>,
    command: KvCommand,
    json: bool,
) -> Result<()> {
    let store = ctx.store(profile).await?;
    match command {
        KvCommand::Ls { prefix, limit, all } => {
            if all {
                let bar = Bar::start();
                let keys = list_all(store.as_ref(), prefix.as_deref(), &bar.progress).await;
                bar.finish();
                let keys = keys?;
                if json {
                    return print_json(&keys);
                }
                print_keys(&keys);
                eprintln!("{} keys", keys.len());
                return Ok(());
            }
            let page = store
                .list(&ListOptions {
                    prefix,
                    cursor: None,
                    limit,
                })
                .await?;
            if json {
                return print_json(&page);
            }
            print_keys(&page.keys);
            if page.cursor.is_some() {
                eprintln!("{} keys shown; more exist (use --all)", page.keys.len());
            }
            Ok(())
        }
        KvCommand::Get { key } => {
            let started = std::time::Instant::now();
            let read = store.get(&key).await;
            let outcome = match &read {
                Ok(Some(_)) => Outcome::Hit,
                Ok(None) => Outcome::Miss,
                Err(_) => Outcome::Error,
            };
            let name = ctx.profile(profile)?.name;
            console_reads::record(ctx, &name, &key, outcome, started).await;
            let value = read?.ok_or(Error::KeyNotFound { key: key.clone() })?;
            if json {
                let metadata = value.metadata.clone();
                let view = value_view::view(&key, value, None);
                return print_json(&GetJson {
                    key: &view.key,
                    size_bytes: view.size_bytes,
                    expiration: view.expiration,
                    metadata,
                    encoding: view.encoding,
                    data: &view.data,
                    truncated: view.truncated,
                });
            }
            std::io::stdout()
                .write_all(&value.bytes)
                .map_err(|source| Error::Io {
                    path: "stdout".into(),
                    source,
                })
        }
        KvCommand::Put {
            key,
            value,
            file,
            ttl,
            metadata,
        } => {
            let bytes = match (value, &file) {
                (Some(value), _) => value.into_bytes(),
                (None, Some(path)) if path.as_os_str() == "-" => {
                    let mut bytes = Vec::new();
                    std::io::stdin()
                        .read_to_end(&mut bytes)
                        .map_err(|source| Error::Io {
                            path: "stdin".into(),
                            source,
                        })?;
                    bytes
                }
                (None, Some(path)) => std::fs::read(path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?,
                (None, None) => return Err(Error::invalid("value", "give a value or --file")),
            };
            let metadata = metadata
                .map(|m| cachescope_core::kv::Metadata::parse(&m, "--metadata"))
                .transpose()?;
            let options = PutOptions {
                expiry: ttl.map_or(Expiry::Never, Expiry::Ttl),
                metadata,
            };
            key_writing::put_key(ctx, profile, &key, &bytes, &options).await?;
            if json {
                return print_json(&serde_json::json!({ "key": key, "bytes": bytes.len() }));
            }
            let expires = ttl
                .map(|t| format!(", expires in {}", output::duration(t as i64)))
                .unwrap_or_default();
            println!("wrote {key:?} ({} bytes{expires})", bytes.len());
            Ok(())
        }
        KvCommand::Rm { key, yes } => {
            if !yes
                && ask(&format!("Delete {key:?} from {}? [y/N]", store.describe()))?.to_lowercase()
                    != "y"
            {
                return Err(Error::Cancelled);
            }
            let existed = key_deletion::delete_key(ctx, profile, &key).await?;
            if json {
                return print_json(&serde_json::json!({ "key": key, "existed": existed }));
            }
            println!(
                "{}",
                if existed {
                    format!("deleted {key:?}")
                } else {
                    format!("{key:?} did not exist; nothing deleted")
                }
            );
            Ok(())
        }
        KvCommand::RmPrefix {
            prefix,
            dry_run,
            yes,
        } => delete_prefix(ctx, profile, &prefix, dry_run, yes, json).await,
        KvCommand::Export { prefix, out } => {
            let bar = Bar::start();
            let written = match &out {
                Some(path) => {
                    key_transfer::export_prefix_to_file(
                        store.as_ref(),
                        prefix.as_deref(),
                        path,
                        &bar.progress,
                    )
                    .await
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut out = std::io::BufWriter::new(stdout.lock());
                    key_transfer::export_prefix(
                        store.as_ref(),
                        prefix.as_deref(),
                        &mut out,
                        &bar.progress,
                    )
                    .await
                }
            };
            bar.finish();
            eprintln!("exported {} keys", written?);
            Ok(())
        }
        KvCommand::Import { file } => {
            let reader = std::fs::File::open(&file).map_err(|source| Error::Io {
                path: file.clone(),
                source,
            })?;
            let bar = Bar::start();
            let report = key_transfer::import_into_profile(
                ctx,
                profile,
                &mut BufReader::new(reader),
                &file.display().to_string(),
                &bar.progress,
            )
            .await;
            bar.finish();
            let report = report?;
            if json {
                return print_json(&report);
            }
            println!("imported {} keys into {}", report.written, store.describe());
            if report.skipped_expired > 0 {
                println!(
                    "skipped {} keys that have expired or expire within 60 s",
                    report.skipped_expired
                );
            }
            if !report.failed.is_empty() {
                return Err(Error::invalid(
                    "import",
                    format!(
                        "the server refused {} keys: {:?}",
                        report.failed.len(),
                        report.failed
                    ),
                ));
            }
            Ok(())
        }
    }
}

async fn delete_prefix(
    ctx: &CoreContext,
    profile: Option<&str>,
    prefix: &str,
    dry_run: bool,
    yes: bool,
    json: bool,
) -> Result<()> {
    if ctx.profile(profile)?.is_read_only() && !dry_run {
        // The core refuses it; asking first would only waste the user's typing.
        key_deletion::delete_prefix(
            ctx,
            profile,
            prefix,
            DeleteMode::Execute {
                confirmation: prefix.to_owned(),
            },
            &Default::default(),
        )
        .await?;
    }
    let bar = Bar::start();
    let plan =
        key_deletion::delete_prefix(ctx, profile, prefix, DeleteMode::DryRun, &bar.progress).await;
    bar.finish();
    let plan = plan?;
    if dry_run || plan.matched == 0 {
        if json {
            return print_json(&plan);
        }
        println!(
            "{} keys under {prefix:?} would be deleted{}",
            plan.matched,
            if plan.matched > 0 { ":" } else { "" }
        );
        for key in &plan.sample {
            println!("  {key}");
        }
        if plan.matched as usize > plan.sample.len() {
            println!("  … and {} more", plan.matched as usize - plan.sample.len());
        }
        return Ok(());
    }
    if !yes {
        eprintln!(
            "{} keys under {prefix:?} will be deleted, e.g. {}",
            plan.matched,
            plan.sample
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
        let typed = ask("Type the prefix to confirm:")?;
        if typed != prefix {
            return Err(Error::invalid(
                "confirmation",
                format!("{typed:?} is not the prefix {prefix:?}; nothing deleted"),
            ));
        }
    }
    let bar = Bar::start();
    let done = key_deletion::delete_prefix(
        ctx,
        profile,
        prefix,
        DeleteMode::Execute {
            confirmation: prefix.to_owned(),
        },
        &bar.progress,
    )
    .await;
    bar.finish();
    let done = done?;
    if json {
        print_json(&done)?;
        // Keys the server did not delete make the run fail (exit code 6: retry), JSON or not.
        return done.incomplete().map_or(Ok(()), Err);
    }
    let not_deleted = match done.failed {
        0 => String::new(),
        n => format!("; {n} could not be deleted"),
    };
    if done.cancelled {
        println!(
            "cancelled: deleted {} of {} keys under {prefix:?}{not_deleted}",
            done.deleted, done.matched
        );
    } else {
        println!(
            "deleted {} keys under {prefix:?}{not_deleted}",
            done.deleted
        );
    }
    if done.failed > 0 {
        println!("not deleted (still there):");
        for key in &done.failed_sample {
            println!("  {key}");
        }
        if done.failed as usize > done.failed_sample.len() {
            println!(
                "  … and {} more",
                done.failed as usize - done.failed_sample.len()
            );
        }
    }
    if done.cancelled {
        return Err(Error::Cancelled);
    }
    done.incomplete().map_or(Ok(()), Err)
}
