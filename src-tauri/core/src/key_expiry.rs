//! Changing when a key expires. KV has no "touch": the value is written again, with its metadata,
//! under the new expiry (so it counts as one write, and a read-only profile refuses it). The
//! change is audited: its intent before the write, its outcome after.

use crate::audit::{AuditEntry, AuditOutcome};
use crate::context::CoreContext;
use crate::error::{Error, Result};
use crate::kv::{Expiry, PutOptions};

/// Sets the key to expire `ttl_seconds` from now (at least 60), or never when `None`.
pub async fn set_key_ttl(
    ctx: &CoreContext,
    profile: Option<&str>,
    key: &str,
    ttl_seconds: Option<u64>,
) -> Result<()> {
    let profile = ctx.profile(profile)?;
    profile.refuse_if_read_only(format!("set the TTL of key {key:?}"))?;
    let store = profile.store().await?;
    let value = store.get(key).await?.ok_or_else(|| Error::KeyNotFound {
        key: key.to_owned(),
    })?;
    let detail = serde_json::json!({
        "ttlSeconds": ttl_seconds,
        "previousExpiration": value.expiration,
    });
    let options = PutOptions {
        expiry: ttl_seconds.map_or(Expiry::Never, Expiry::Ttl),
        metadata: value.metadata,
    };
    let trail = profile.audit_trail().await?;
    let mark = trail
        .begin(&AuditEntry::new(&profile.name, "set-ttl", key).with_detail(detail.clone()))
        .await?;
    let written = store.put(key, &value.bytes, &options).await;
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
