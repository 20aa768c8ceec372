//! Commands of the Stats screen: hit/miss figures of one profile's database for a time range
//! (rolled up to now first).

use cachescope_core::progress::Progress;
use cachescope_core::stats::profile_stats::rolled_up_stats;
use cachescope_core::stats::queries::{parse_since, CacheStats, Granularity, StatsQuery};
use cachescope_core::CoreContext;
use tauri::State;

use crate::ipc_error::IpcResult;

/// The figures from `since` (an age such as `24h`, `7d`, or an RFC 3339 instant) to `until`
/// (now when absent), for one key family or all, per hour or day (chosen by the range when
/// absent).
#[tauri::command]
pub async fn cache_stats(
    ctx: State<'_, CoreContext>,
    profile: String,
    since: String,
    until: Option<String>,
    family: Option<String>,
    granularity: Option<Granularity>,
) -> IpcResult<CacheStats> {
    let now = chrono::Utc::now();
    let query = StatsQuery {
        since: parse_since(&since, now)?,
        until: until
            .map(|u| parse_since(&u, now))
            .transpose()?
            .unwrap_or(now),
        family,
        granularity,
    };
    Ok(rolled_up_stats(&ctx, Some(&profile), &query, &Progress::none()).await?)
}
