//! A key's metadata held as the exact JSON text the store returned, so integers beyond 64 bits and
//! long decimals reach the viewer, an export or a rewrite of the key digit for digit (a
//! `serde_json::Value` would turn them into floating point). Fields are read through a parsed copy.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::error::{Error, Result};

/// JSON metadata of a key, kept as compact text.
#[derive(Clone)]
pub struct Metadata(Box<RawValue>);

impl Metadata {
    /// Parses metadata text, naming `what` in the error when it is not JSON.
    pub fn parse(text: &str, what: &str) -> Result<Self> {
        serde_json::from_str::<&RawValue>(text)
            .map(|raw| Self(raw.to_owned()))
            .map_err(|e| Error::invalid(what, format!("not JSON ({e})")))
    }

    /// Serializes `value` as metadata (metadata nested in it keeps its exact text).
    pub fn to_json<T: Serialize>(value: &T) -> Result<Self> {
        serde_json::value::to_raw_value(value)
            .map(Self)
            .map_err(|e| Error::invalid("metadata", e.to_string()))
    }

    /// The JSON text, exactly as stored.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// The metadata as a `serde_json::Value`, for reading fields (numbers beyond 64 bits become
    /// floating point in this copy, never in the metadata itself).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(self.as_str()).unwrap_or(serde_json::Value::Null)
    }

    /// One field of object metadata, parsed.
    pub fn get(&self, field: &str) -> Option<serde_json::Value> {
        match self.to_value() {
            serde_json::Value::Object(mut map) => map.remove(field),
            _ => None,
        }
    }

    /// Whether the metadata is JSON `null` (the stores treat it as no metadata).
    pub fn is_null(&self) -> bool {
        self.as_str().trim() == "null"
    }
}

impl From<serde_json::Value> for Metadata {
    fn from(value: serde_json::Value) -> Self {
        // Serializing a Value cannot fail: its map keys are strings.
        Self(serde_json::value::to_raw_value(&value).expect("a JSON value serializes"))
    }
}

impl PartialEq for Metadata {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Debug for Metadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Metadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Metadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXACT: &str =
        r#"{"id":123456789012345678901234567890,"ratio":0.10000000000000000000001}"#;

    #[test]
    fn text_is_kept_digit_for_digit() {
        let m = Metadata::parse(EXACT, "metadata").unwrap();
        assert_eq!(m.as_str(), EXACT);
        assert_eq!(serde_json::to_string(&m).unwrap(), EXACT);
        let back: Metadata = serde_json::from_str(EXACT).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn inside_a_struct_the_text_survives_a_round_trip() {
        #[derive(Serialize, Deserialize)]
        struct Item {
            metadata: Option<Metadata>,
        }
        let text = format!(r#"{{"metadata":{EXACT}}}"#);
        let item: Item = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_string(&item).unwrap(), text);
        let none: Item = serde_json::from_str(r#"{"metadata":null}"#).unwrap();
        assert!(none.metadata.is_none());
    }

    #[test]
    fn fields_read_through_a_parsed_copy() {
        let m = Metadata::from(serde_json::json!({ "bytes": 42, "hash": "ab" }));
        assert_eq!(m.get("bytes").and_then(|v| v.as_u64()), Some(42));
        assert_eq!(m.get("missing"), None);
        assert_eq!(Metadata::from(serde_json::json!([1])).get("bytes"), None);
    }

    #[test]
    fn text_that_is_not_json_names_what_was_parsed() {
        let err = Metadata::parse("{oops", "metadata of key \"k\"").unwrap_err();
        assert!(err.to_string().contains("metadata of key \"k\""), "{err}");
    }
}
