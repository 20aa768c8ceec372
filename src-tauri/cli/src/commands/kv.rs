//! `cachescope kv ls|get|put|rm|rm-prefix|export|import`: the keys of the profile's namespace.

use std::io::{BufReader, Read as _, Write as _};

use cachescope_core::cache_events::Outcome;
use cachescope_core::key_deletion::{self, DeleteMode};
use cachescope_core::key_transfer;
use cachescope_core::key_writing;
use cachescope_core::kv::{list_all, Expiry, KeyInfo, ListOptions, PutOptions};
use cachescope_core::value_view;
use cachescope_core::{CoreContext, Error, Result};

use crate::cli_args::KvCommand;
use crate::output::{self, ask, print_json, Bar};

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

pub async fn kv_command(
    ctx: &CoreContext,
    profile: Option<&str>,
    command: KvCommand,
    json: bool,
) -> Result<()> {
    let handle = ctx.profile(profile)?;
    let store = handle.store().await?;
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
            handle.count_read(&key, outcome, started).await;
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
