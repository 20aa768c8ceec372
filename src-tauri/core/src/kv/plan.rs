//! A KV plan's daily limits of operations: Cloudflare's free plan, or a profile's own
//! (`[profile.plan]` in `profiles.toml`, for a paid plan's budget). The statistics compare the
//! operations counted per day with it, and the quota planner the operations the report-writing
//! job schedules will cost.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Cloudflare KV's free plan, per day (reads, writes, deletes, lists).
pub const FREE_PLAN: PlanLimits = PlanLimits {
    reads: 100_000,
    writes: 1_000,
    deletes: 1_000,
    lists: 1_000,
};

/// The bounds of a configured daily limit: at least one operation, at most a trillion.
const LIMIT_BOUNDS: RangeInclusive<u64> = 1..=1_000_000_000_000;

/// A plan's daily limits of KV operations. In `profiles.toml` (`[profile.plan]`) every field is
/// optional; a missing one is the free plan's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct PlanLimits {
    #[ts(type = "number")]
    pub reads: u64,
    #[ts(type = "number")]
    pub writes: u64,
    #[ts(type = "number")]
    pub deletes: u64,
    #[ts(type = "number")]
    pub lists: u64,
}

impl Default for PlanLimits {
    fn default() -> Self {
        FREE_PLAN
    }
}

impl PlanLimits {
    /// Checks every limit against its bounds; the error names the profile and the field.
    pub fn validate(&self, profile: &str) -> Result<()> {
        for (field, value) in [
            ("reads", self.reads),
            ("writes", self.writes),
            ("deletes", self.deletes),
            ("lists", self.lists),
        ] {
            if !LIMIT_BOUNDS.contains(&value) {
                return Err(Error::invalid(
                    format!("plan.{field} of profile {profile:?}"),
                    format!(
                        "must be between {} and {} operations a day; it is {value}",
                        LIMIT_BOUNDS.start(),
                        LIMIT_BOUNDS.end()
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ts_rs::TS as _;

    #[test]
    fn the_typescript_shape_is_unchanged_by_the_toml_defaults() {
        // ui/src/ipc/bindings.ts has this declaration; the serde defaults of `[profile.plan]`
        // must not make the fields optional there.
        assert_eq!(
            PlanLimits::decl(),
            "type PlanLimits = { reads: number, writes: number, deletes: number, lists: number, };"
        );
    }

    #[test]
    fn a_missing_field_is_the_free_plans_and_a_bad_one_is_named() {
        let plan: PlanLimits = toml::from_str("writes = 50000").unwrap();
        assert_eq!(
            plan,
            PlanLimits {
                writes: 50_000,
                ..FREE_PLAN
            }
        );
        let err = PlanLimits {
            deletes: 0,
            ..FREE_PLAN
        }
        .validate("prod")
        .unwrap_err()
        .to_string();
        assert!(err.contains("plan.deletes of profile \"prod\""), "{err}");
    }
}
