//! Writing one key by hand (`cachescope kv put`): checked against KV's limits, refused on a
//! read-only profile, and audited (its intent before the write, its outcome after).

use crate::audit::{AuditEntry, AuditOutcome};
use crate::context::CoreContext;
use crate::error::Result;
use crate::kv::{limits, Expiry, PutOptions};

/// Writes `value` under `key` in a profile's namespace with `options`.
pub async fn put_key(
    ctx: &CoreContext,
    profile: Option<&str>,
    key: &str,
    value: &[u8],
    options: &PutOptions,
) -> Result<()> {
    let profile = ctx.profile(profile)?;
    limits::check_put(key, value.len(), options, limits::unix_now())?;
    profile.refuse_if_read_only(format!("write key {key:?}"))?;
    let store = profile.store().await?;
    let detail = serde_json::json!({
        "bytes": value.len(),
        "ttlSeconds": match options.expiry {
            Expiry::Ttl(seconds) => Some(seconds),
            _ => None,
        },
        "expiration": match options.expiry {
            Expiry::At(at) => Some(at),
            _ => None,
        },
    });
    let trail = profile.audit_trail().await?;
    let mark = trail
        .begin(&AuditEntry::new(&profile.name, "put", key).with_detail(detail.clone()))
        .await?;
    let written = store.put(key, value, options).await;
    let outcome = match &written {
        Ok(()) => "done".to_owned(),
        Err(e) => format!("failed: {e}"),
    };
    trail
        .finish(
            mark,
            &AuditOutcome::new(outcome, u64::from(written.is_ok()), detail),
        )
        .await?;
    written
}
