//! A value as a viewer shows it: UTF-8 text or base64 for binary, cut to a size the viewer asked
//! for so a 25 MiB value never crosses into the UI unless the user asks for all of it.

use base64::Engine as _;
use serde::Serialize;

use crate::context::CoreContext;
use crate::error::{Error, Result};

/// How [`ValueView::data`] is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ValueEncoding {
    Utf8,
    Base64,
}

/// A value ready to display.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ValueView {
    pub key: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
    #[ts(type = "number | null")]
    pub expiration: Option<i64>,
    #[ts(type = "unknown")]
    pub metadata: Option<serde_json::Value>,
    pub encoding: ValueEncoding,
    pub data: String,
    /// The value is longer than `max_bytes`; `data` holds only its start.
    pub truncated: bool,
}

/// Reads `key` from a profile's namespace for display, keeping at most `max_bytes` of it.
pub async fn read_value(
    ctx: &CoreContext,
    profile: &str,
    key: &str,
    max_bytes: Option<u64>,
) -> Result<ValueView> {
    let store = ctx.store(Some(profile)).await?;
    let value = store.get(key).await?.ok_or_else(|| Error::KeyNotFound {
        key: key.to_owned(),
    })?;
    Ok(view(key, value, max_bytes))
}

/// Builds the view of a value.
pub fn view(key: &str, value: crate::kv::Value, max_bytes: Option<u64>) -> ValueView {
    let size = value.bytes.len();
    let keep = max_bytes.map_or(size, |m| size.min(usize::try_from(m).unwrap_or(usize::MAX)));
    let mut bytes = value.bytes;
    bytes.truncate(keep);
    // Decide the encoding on the whole kept prefix; a cut inside a UTF-8 sequence is trimmed.
    let (encoding, data) = match std::str::from_utf8(&bytes) {
        Ok(text) => (ValueEncoding::Utf8, text.to_owned()),
        Err(e) if keep < size && e.error_len().is_none() => (
            ValueEncoding::Utf8,
            String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned(),
        ),
        Err(_) => (
            ValueEncoding::Base64,
            base64::engine::general_purpose::STANDARD.encode(&bytes),
        ),
    };
    ValueView {
        key: key.to_owned(),
        size_bytes: size as u64,
        expiration: value.expiration,
        metadata: value.metadata,
        encoding,
        data,
        truncated: keep < size,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::Value;

    fn value(bytes: &[u8]) -> Value {
        Value {
            bytes: bytes.to_vec(),
            expiration: None,
            metadata: None,
        }
    }

    #[test]
    fn text_binary_and_truncation() {
        let v = view("k", value("héllo".as_bytes()), None);
        assert_eq!(
            (v.encoding, v.data.as_str(), v.truncated, v.size_bytes),
            (ValueEncoding::Utf8, "héllo", false, 6)
        );
        // Cutting inside "é" keeps the text readable.
        let v = view("k", value("héllo".as_bytes()), Some(2));
        assert_eq!(
            (v.encoding, v.data.as_str(), v.truncated),
            (ValueEncoding::Utf8, "h", true)
        );
        let v = view("k", value(&[0xff, 0x00, 0x10]), None);
        assert_eq!(
            (v.encoding, v.data.as_str()),
            (ValueEncoding::Base64, "/wAQ")
        );
    }
}
