//! A value as a viewer shows it: UTF-8 text or base64 for binary, cut to a size the viewer asked
//! for so a 25 MiB value never crosses into the UI unless the user asks for all of it. Metadata,
//! here and in listed keys, crosses as its JSON text: the UI parses it with lossless-json, since
//! the IPC's `JSON.parse` would round integers beyond 2^53 (e.g. 64-bit ids).

use base64::Engine as _;
use serde::Serialize;

use crate::cache_events::Outcome;
use crate::context::CoreContext;
use crate::error::{Error, Result};
use crate::kv::{KeyInfo, KeyPage, Metadata};
use crate::reports;
use crate::reports::contracts::ContractBreach;

/// Metadata as the JSON text the store returned, every digit kept.
fn metadata_text(metadata: Option<Metadata>) -> Option<String> {
    metadata.map(|m| m.as_str().to_owned())
}

/// One listed key as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    pub name: String,
    /// Absolute expiry, Unix seconds.
    #[ts(type = "number | null")]
    pub expiration: Option<i64>,
    /// The key's metadata as JSON text (parse it losslessly), or `None`.
    pub metadata: Option<String>,
}

impl From<KeyInfo> for KeyView {
    fn from(key: KeyInfo) -> Self {
        Self {
            name: key.name,
            expiration: key.expiration,
            metadata: metadata_text(key.metadata),
        }
    }
}

/// One page of a listing as the UI shows it. `cursor` is `None` once the listing is complete.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyPageView {
    pub keys: Vec<KeyView>,
    pub cursor: Option<String>,
}

impl From<KeyPage> for KeyPageView {
    fn from(page: KeyPage) -> Self {
        Self {
            keys: page.keys.into_iter().map(KeyView::from).collect(),
            cursor: page.cursor,
        }
    }
}

/// How [`ValueView::data`] is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ValueEncoding {
    Utf8,
    Base64,
}

/// A value ready to display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ValueView {
    pub key: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
    #[ts(type = "number | null")]
    pub expiration: Option<i64>,
    /// The key's metadata as JSON text (parse it losslessly), or `None`.
    pub metadata: Option<String>,
    pub encoding: ValueEncoding,
    pub data: String,
    /// The value is longer than `max_bytes`; `data` holds only its start.
    pub truncated: bool,
    /// The value against the contract of the report that owns the key, when it has one.
    pub contract: Option<ContractCheck>,
}

/// A value checked against the contract of the report that owns its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ContractCheck {
    pub contract: String,
    pub report: String,
    /// `None` when the value matches; else where it first breaks the contract.
    pub breach: Option<ContractBreach>,
}

/// The whole `value` of `key` against the contract of the report whose key template matches
/// it; `None` when no report with a contract owns the key (or the definitions do not load).
pub fn check_contract(ctx: &CoreContext, key: &str, value: &[u8]) -> Option<ContractCheck> {
    let catalog = match reports::catalog(ctx) {
        Ok(catalog) => catalog,
        Err(e) => {
            tracing::debug!(error = %e, "contracts not checked: the definitions do not load");
            return None;
        }
    };
    let (report, contract) = catalog.contract_for_key(key)?;
    let breach = match serde_json::from_slice::<serde_json::Value>(value) {
        Ok(json) => contract.check(&json).err(),
        Err(e) => Some(ContractBreach {
            path: "/".to_owned(),
            message: format!("the value is not JSON: {e}"),
        }),
    };
    Some(ContractCheck {
        contract: contract.name.clone(),
        report: report.to_owned(),
        breach,
    })
}

/// Reads `key` from a profile's namespace for display, keeping at most `max_bytes` of it.
pub async fn read_value(
    ctx: &CoreContext,
    profile: &str,
    key: &str,
    max_bytes: Option<u64>,
) -> Result<ValueView> {
    let profile = ctx.profile(Some(profile))?;
    let store = profile.store().await?;
    let started = std::time::Instant::now();
    let read = store.get(key).await;
    let outcome = match &read {
        Ok(Some(_)) => Outcome::Hit,
        Ok(None) => Outcome::Miss,
        Err(_) => Outcome::Error,
    };
    profile.count_read(key, outcome, started).await;
    let value = read?.ok_or_else(|| Error::KeyNotFound {
        key: key.to_owned(),
    })?;
    let contract = check_contract(ctx, key, &value.bytes);
    Ok(ValueView {
        contract,
        ..view(key, value, max_bytes)
    })
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
        metadata: metadata_text(value.metadata),
        encoding,
        data,
        truncated: keep < size,
        contract: None,
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

    #[test]
    fn metadata_crosses_as_exact_json_text() {
        // Beyond 64 bits, and a decimal longer than a double holds.
        let text = r#"{"id":123456789012345678901234567890,"min":-9223372036854775809,"r":0.1000000000000000000001}"#;
        let metadata = Metadata::parse(text, "metadata").unwrap();
        let v = view(
            "k",
            Value {
                metadata: Some(metadata.clone()),
                ..value(b"{}")
            },
            None,
        );
        assert_eq!(v.metadata.as_deref(), Some(text));
        let page = KeyPageView::from(KeyPage {
            keys: vec![
                KeyInfo {
                    name: "a".into(),
                    expiration: Some(1_893_456_000),
                    metadata: Some(metadata),
                },
                KeyInfo {
                    name: "b".into(),
                    expiration: None,
                    metadata: None,
                },
            ],
            cursor: Some("c".into()),
        });
        assert_eq!(page.keys[0].metadata.as_deref(), Some(text));
        assert_eq!(page.keys[1].metadata, None);
        // On the wire the metadata is a JSON string, which JSON.parse cannot round.
        assert_eq!(
            serde_json::to_value(&page).unwrap()["keys"][0]["metadata"],
            serde_json::Value::String(text.to_owned())
        );
    }
}
