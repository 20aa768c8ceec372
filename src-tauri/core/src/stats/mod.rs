//! Hit/miss statistics of the cache, read from the raw events of [`crate::cache_events`]: key
//! families ([`key_families`]), importing worker logs ([`log_import`]), idempotent hourly and
//! daily rollups with pruning ([`rollup`]), and the figures the Stats screen and
//! `cachescope stats` show ([`queries`]) for one profile ([`profile_stats`]).

mod binary_copy;
pub mod key_families;
pub mod log_import;
pub mod profile_stats;
pub mod queries;
pub mod rollup;
