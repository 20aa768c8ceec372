//! Changing when a key expires. KV has no "touch": the value is written again, with its metadata,
//! under the new expiry (so it counts as one write, and a read-only profile refuses it).

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
    let store = ctx.store(profile).await?;
    let value = store.get(key).await?.ok_or_else(|| Error::KeyNotFound {
        key: key.to_owned(),
    })?;
    let options = PutOptions {
        expiry: ttl_seconds.map_or(Expiry::Never, Expiry::Ttl),
        metadata: value.metadata,
    };
    store.put(key, &value.bytes, &options).await
}
