//! `cachescope db migrate`: the console's Postgres migrations on the profile's database.

use cachescope_core::{CoreContext, Result};

/// `db migrate`.
pub async fn migrate(ctx: &CoreContext, profile: Option<&str>, json: bool) -> Result<()> {
    let profile = ctx.profile(profile)?;
    profile
        .database("where the console keeps its tables")
        .await?;
    if !json {
        println!(
            "console migrations applied to the database of profile {:?}",
            profile.name
        );
    }
    Ok(())
}
