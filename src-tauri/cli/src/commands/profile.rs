//! `cachescope profile add|ls|rm|use|test`: the profiles of this machine, their secrets read from
//! stdin, and a connection test.

use std::io::BufRead as _;

use cachescope_core::profiles::{Profile, ProfileKind};
use cachescope_core::secrets::SecretKind;
use cachescope_core::{CoreContext, Error, Result};
use secrecy::SecretString;

use crate::cli_args::{ProfileAdd, ProfileCommand};
use crate::output::print_json;

pub async fn profile_command(ctx: &CoreContext, command: ProfileCommand, json: bool) -> Result<()> {
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
        plan: None,
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
