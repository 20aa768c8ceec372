//! Reports: declarative definitions ([`definitions`]), computing them from SQL ([`compute`]),
//! precompute into KV with skip-unchanged ([`precompute`]), reading them back with the SQL
//! fallback and the freshness diff ([`reading`]), the offline mirror ([`mirror`]) and export to
//! JSON, CSV and a printable page ([`export`]).

pub mod compute;
pub mod contracts;
pub mod definition_check;
pub mod definitions;
pub mod export;
pub mod mirror;
pub mod precompute;
pub mod reading;

use crate::context::CoreContext;
use crate::error::Result;
pub use definitions::Catalog;

/// The user's definitions file (extends and overrides the built-ins).
pub fn user_definitions_file(ctx: &CoreContext) -> std::path::PathBuf {
    ctx.dirs().config.join("reports.toml")
}

/// The built-in reports with the user's file applied.
pub fn catalog(ctx: &CoreContext) -> Result<Catalog> {
    Catalog::load(&user_definitions_file(ctx))
}

/// What reports need a profile's Postgres for, as the "no database" error says it.
pub const REPORTS_DATABASE_USE: &str = "which reports are computed from";
