//! `cachescope db migrate`: the console's Postgres migrations on the profile's database.

use cachescope_core::{CoreContext, Error, Result};

/// `db migrate`.
pub async fn migrate(ctx: &CoreContext, profile: Option<&str>, json: bool) -> Result<()> {
    let name = ctx.profile(profile)?.name;
    let pool = ctx.postgres(profile).await?.ok_or_else(|| {
        Error::invalid(
            format!("profile {name:?}"),
            "names no Postgres database (add one with --postgres-url)",
        )
    })?;
    cachescope_core::db::migrate(&pool).await?;
    if !json {
        println!("console migrations applied to the database of profile {name:?}");
    }
    Ok(())
}
