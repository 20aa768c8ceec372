//! Cloudflare Workers KV's limits, checked before anything is sent or written so that bad input
//! fails with an error naming the key at fault and nothing is half-written.

use super::{Entry, Expiry, PutOptions};
use crate::error::{Error, Result};

/// Longest key, in UTF-8 bytes.
pub const MAX_KEY_BYTES: usize = 512;
/// Largest value: 25 MiB.
pub const MAX_VALUE_BYTES: usize = 25 * 1024 * 1024;
/// Largest metadata, serialized as JSON.
pub const MAX_METADATA_BYTES: usize = 1024;
/// Shortest TTL and shortest distance of an absolute expiry from now, in seconds.
pub const MIN_TTL_SECONDS: u64 = 60;
/// Most keys a list call returns.
pub const MAX_LIST_LIMIT: u32 = 1000;
/// Most items in one bulk write or delete call.
pub const MAX_BULK_ITEMS: usize = 10_000;
/// Most keys in one bulk read call.
pub const MAX_BULK_GET_KEYS: usize = 100;
/// Most namespaces an account may have.
pub const MAX_NAMESPACES_PER_ACCOUNT: usize = 1000;

// The most bytes the client reads of one response, per kind of route. A larger answer (or a
// `Content-Length` above the bound) is `Error::KvResponseTooLarge`, so a hostile or broken server
// can never make the client hold more than this (plus one chunk) in memory.

/// A value read: the largest value KV stores.
pub const MAX_VALUE_RESPONSE_BYTES: usize = MAX_VALUE_BYTES;
/// A page of a key listing: 1,000 keys of at most 512 bytes (up to 3 KiB when every byte is a
/// JSON `\u` escape), each with 1 KiB of metadata and an expiry: under 4.5 MiB; twice that.
pub const MAX_LIST_RESPONSE_BYTES: usize = 8 << 20;
/// A bulk write or delete result: up to 10,000 unsuccessful keys of at most 3 KiB escaped.
pub const MAX_BULK_RESULT_RESPONSE_BYTES: usize = 32 << 20;
/// A bulk read of 100 keys: values as JSON text (escapes can double a value's bytes) with their
/// metadata. Cloudflare answers 413 long before this; it keeps one answer within memory.
pub const MAX_BULK_GET_RESPONSE_BYTES: usize = 64 << 20;
/// Every other answer: a page of 100 namespaces, a key's metadata (at most 1 KiB), the result of
/// a write or a delete, and error bodies.
pub const MAX_ENVELOPE_RESPONSE_BYTES: usize = 1 << 20;

/// Checks a key name.
pub fn check_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::invalid("key", "a key name cannot be empty"));
    }
    if key == "." || key == ".." {
        return Err(Error::invalid(
            format!("key {key:?}"),
            "\".\" and \"..\" are not allowed as key names",
        ));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(Error::invalid(
            format!("key {:?}", preview(key)),
            format!(
                "{} bytes long; the limit is {MAX_KEY_BYTES} bytes",
                key.len()
            ),
        ));
    }
    Ok(())
}

/// Checks a listing limit and prefix.
pub fn check_list(limit: Option<u32>, prefix: Option<&str>) -> Result<()> {
    if let Some(limit) = limit {
        if limit == 0 || limit > MAX_LIST_LIMIT {
            return Err(Error::invalid(
                "list limit",
                format!("{limit} is outside 1..={MAX_LIST_LIMIT}"),
            ));
        }
    }
    if let Some(prefix) = prefix {
        if prefix.len() > MAX_KEY_BYTES {
            return Err(Error::invalid(
                "prefix",
                format!("longer than {MAX_KEY_BYTES} bytes"),
            ));
        }
    }
    Ok(())
}

/// Checks one write: key, value size, metadata size and expiry, against `now` (Unix seconds).
pub fn check_put(key: &str, value_len: usize, options: &PutOptions, now: i64) -> Result<()> {
    check_key(key)?;
    if value_len > MAX_VALUE_BYTES {
        return Err(Error::invalid(
            format!("value of key {:?}", preview(key)),
            format!("{value_len} bytes; the limit is 25 MiB ({MAX_VALUE_BYTES} bytes)"),
        ));
    }
    if let Some(metadata) = &options.metadata {
        let len = metadata.as_str().len();
        if len > MAX_METADATA_BYTES {
            return Err(Error::invalid(
                format!("metadata of key {:?}", preview(key)),
                format!("{len} bytes serialized; the limit is {MAX_METADATA_BYTES} bytes"),
            ));
        }
    }
    match options.expiry {
        Expiry::Never => {}
        Expiry::Ttl(ttl) if ttl < MIN_TTL_SECONDS => {
            return Err(Error::invalid(
                format!("TTL of key {:?}", preview(key)),
                format!("{ttl} s; the minimum is {MIN_TTL_SECONDS} s"),
            ));
        }
        Expiry::Ttl(_) => {}
        Expiry::At(at) if at < now + MIN_TTL_SECONDS as i64 => {
            return Err(Error::invalid(
                format!("expiration of key {:?}", preview(key)),
                format!(
                    "{at} is {} s from now; it must be at least {MIN_TTL_SECONDS} s ahead",
                    at - now
                ),
            ));
        }
        Expiry::At(_) => {}
    }
    Ok(())
}

/// Checks every entry of a bulk write before any is sent.
pub fn check_entries(entries: &[Entry], now: i64) -> Result<()> {
    entries
        .iter()
        .try_for_each(|e| check_put(&e.key, e.value.len(), &e.options, now))
}

/// The absolute expiry an [`Expiry`] means at `now`.
pub fn absolute_expiry(expiry: Expiry, now: i64) -> Option<i64> {
    match expiry {
        Expiry::Never => None,
        Expiry::Ttl(ttl) => Some(now + ttl as i64),
        Expiry::At(at) => Some(at),
    }
}

/// Now, in Unix seconds.
pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The first 64 characters of a key, so a 600-byte key in an error message stays readable.
fn preview(key: &str) -> String {
    if key.chars().count() <= 64 {
        key.to_owned()
    } else {
        format!("{}…", key.chars().take(64).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_limits_are_in_bytes_not_chars() {
        assert!(check_key(&"a".repeat(512)).is_ok());
        assert!(check_key(&"a".repeat(513)).is_err());
        // 171 three-byte characters = 513 bytes.
        let err = check_key(&"界".repeat(171)).unwrap_err();
        assert!(err.to_string().contains("513 bytes"), "{err}");
        assert!(check_key("").is_err());
        assert!(check_key("..").is_err());
    }

    #[test]
    fn expiry_must_be_a_minute_ahead() {
        let opts = |expiry| PutOptions {
            expiry,
            metadata: None,
        };
        assert!(check_put("k", 1, &opts(Expiry::Ttl(59)), 1000).is_err());
        assert!(check_put("k", 1, &opts(Expiry::Ttl(60)), 1000).is_ok());
        assert!(check_put("k", 1, &opts(Expiry::At(1059)), 1000).is_err());
        assert!(check_put("k", 1, &opts(Expiry::At(1060)), 1000).is_ok());
    }

    #[test]
    fn metadata_limit_counts_serialized_bytes() {
        let big = serde_json::json!({ "x": "y".repeat(1016) }); // {"x":"..."} = 1024 bytes
        let opts = PutOptions {
            expiry: Expiry::Never,
            metadata: Some(big.into()),
        };
        assert!(check_put("k", 1, &opts, 0).is_ok());
        let bigger = serde_json::json!({ "x": "y".repeat(1017) });
        let opts = PutOptions {
            expiry: Expiry::Never,
            metadata: Some(bigger.into()),
        };
        let err = check_put("k", 1, &opts, 0).unwrap_err();
        assert!(err.to_string().contains("metadata of key \"k\""), "{err}");
    }
}
