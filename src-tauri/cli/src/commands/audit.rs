//! `cachescope audit`: the newest entries of the audit log, as text, JSON or CSV.

use cachescope_core::{CoreContext, Result};

use crate::output::print_json;

/// `audit [--limit N] [--csv]`.
pub async fn audit(
    ctx: &CoreContext,
    profile: Option<&str>,
    limit: u32,
    csv: bool,
    json: bool,
) -> Result<()> {
    // The profile's shared log when it names a database, else this machine's.
    let name = ctx.profile(profile)?.name.clone();
    let records = ctx.recent_audit(Some(&name), limit).await?;
    if csv {
        print!("{}", cachescope_core::audit::to_csv(&records)?);
        return Ok(());
    }
    if json {
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
