//! The versioned snapshot family, defined once for its writer and for `prune-snapshots`: whole
//! versions of a snapshot under `…:v{version}` keys and, beside them, the pointer key (the
//! template's last segment replaced by `latest`) whose value is the version readers use, as text.
//! A refresh ([`SnapshotFamily::refresh`]) writes the new version before it moves the pointer, so
//! the pointer never names a version that is not there yet; the prune
//! ([`super::kv_cleanup::prune_snapshots`]) never deletes the version the pointer names nor any
//! newer one. The rules: docs/domain.md, "Key families" and "Cleanup rules".

use crate::error::Result;
use crate::kv::{Entry, KvStore, PutOptions};
use crate::reports::definitions::KeyTemplate;

/// The path-statistics snapshots' versioned keys (the demo writes them; `prune-snapshots`
/// prunes them by default).
pub const PATH_STATS_TEMPLATE: &str = "snapshot:path-stats:v{version}";

/// The placeholder a versioned key template ends in.
const VERSION: &str = "{version}";
/// The last segment of the pointer key.
const POINTER_SEGMENT: &str = "latest";
/// Characters of a pointer's value quoted in an error.
const SHOWN_CHARS: usize = 40;

/// A family of versioned snapshot keys and its pointer key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFamily {
    template: String,
    /// The versioned keys' fixed text before `{version}`: the prefix their listing uses.
    prefix: String,
    pointer_key: String,
}

impl SnapshotFamily {
    /// The path-statistics snapshots ([`PATH_STATS_TEMPLATE`]).
    pub fn path_stats() -> Self {
        Self::parse(PATH_STATS_TEMPLATE).expect("the built-in snapshot template is valid")
    }

    /// A family from its versioned key template: exactly one placeholder, `{version}`, at the
    /// end, in a last `:` segment (`snapshot:path-stats:v{version}`), so that the pointer key is
    /// that segment replaced by `latest` (`snapshot:path-stats:latest`). `Err` says why not.
    pub fn parse(template: &str) -> std::result::Result<Self, String> {
        let parsed = KeyTemplate::parse(template)?;
        if parsed.params() != ["version"] {
            return Err("must hold exactly one placeholder, {version}".to_owned());
        }
        let Some(prefix) = template.strip_suffix(VERSION) else {
            return Err(format!(
                "must end in {VERSION} (e.g. snapshot:path-stats:v{VERSION}): its pointer key is \
                 the last segment replaced by {POINTER_SEGMENT:?}"
            ));
        };
        let Some(colon) = prefix.rfind(':') else {
            return Err(format!(
                "must have a ':' before {VERSION} (e.g. snapshot:path-stats:v{VERSION}): its \
                 pointer key is the last segment replaced by {POINTER_SEGMENT:?}"
            ));
        };
        Ok(Self {
            template: template.to_owned(),
            prefix: prefix.to_owned(),
            pointer_key: format!("{}{POINTER_SEGMENT}", &prefix[..=colon]),
        })
    }

    /// The versioned key template, as written.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The prefix every versioned key starts with (what a listing asks for).
    pub fn listing_prefix(&self) -> &str {
        &self.prefix
    }

    /// The key of `version`.
    pub fn version_key(&self, version: u64) -> String {
        format!("{}{version}", self.prefix)
    }

    /// The version of `key` when it is a versioned key of the family: the prefix, then decimal
    /// digits only (`…:latest`, `…:v+3` or `…:v3.gz` are not versions).
    pub fn version_of(&self, key: &str) -> Option<u64> {
        let digits = key.strip_prefix(self.prefix.as_str())?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }

    /// The pointer key: the version readers use, as decimal text.
    pub fn pointer_key(&self) -> &str {
        &self.pointer_key
    }

    /// The pointer naming `version`, as a refresh writes it (no expiry, no metadata).
    pub fn pointer_entry(&self, version: u64) -> Entry {
        Entry {
            key: self.pointer_key.clone(),
            value: version.to_string().into_bytes(),
            options: PutOptions::default(),
        }
    }

    /// The version a pointer's value names: decimal digits, surrounding ASCII white space
    /// allowed. `Err` describes the value that is not one.
    pub fn pointer_version(value: &[u8]) -> std::result::Result<u64, String> {
        let Ok(text) = std::str::from_utf8(value) else {
            return Err(format!("holds {} bytes that are not text", value.len()));
        };
        let digits = text.trim_matches(|c: char| c.is_ascii_whitespace());
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(version) = digits.parse() {
                return Ok(version);
            }
        }
        let mut shown: String = text.chars().take(SHOWN_CHARS).collect();
        if text.chars().count() > SHOWN_CHARS {
            shown.push('…');
        }
        Err(format!("holds {shown:?}, not a version number"))
    }

    /// A refresh: writes `version` (its value and options), then moves the pointer to it. The
    /// pointer is written only once the version is, so a reader following the pointer never
    /// finds its version missing; a failed version write leaves the pointer where it was.
    pub async fn refresh(
        &self,
        store: &dyn KvStore,
        version: u64,
        value: &[u8],
        options: &PutOptions,
    ) -> Result<()> {
        store
            .put(&self.version_key(version), value, options)
            .await?;
        let pointer = self.pointer_entry(version);
        store
            .put(&pointer.key, &pointer.value, &pointer.options)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pointer_key_is_the_last_segment_replaced_by_latest() {
        let family = SnapshotFamily::path_stats();
        assert_eq!(family.template(), "snapshot:path-stats:v{version}");
        assert_eq!(family.pointer_key(), "snapshot:path-stats:latest");
        assert_eq!(family.listing_prefix(), "snapshot:path-stats:v");
        assert_eq!(family.version_key(8), "snapshot:path-stats:v8");
        let bare = SnapshotFamily::parse("snap:{version}").unwrap();
        assert_eq!(bare.pointer_key(), "snap:latest");
        assert_eq!(bare.version_of("snap:12"), Some(12));
        assert_eq!(bare.version_of("snap:latest"), None);
    }

    #[test]
    fn templates_that_cannot_name_a_pointer_are_refused() {
        for (template, reason) in [
            ("snapshot:paths:v{n}", "exactly one placeholder"),
            ("snapshot:{a}:v{version}", "exactly one placeholder"),
            ("snapshot:paths", "exactly one placeholder"),
            ("snapshot:v{version}:gz", "must end in {version}"),
            ("snapshot-v{version}", "must have a ':'"),
            ("{version}", "must have a ':'"),
            ("snapshot:v{version", "without"),
        ] {
            let err = SnapshotFamily::parse(template).unwrap_err();
            assert!(err.contains(reason), "{template}: {err}");
        }
    }

    #[test]
    fn only_decimal_digits_are_versions() {
        let family = SnapshotFamily::path_stats();
        assert_eq!(family.version_of("snapshot:path-stats:v3"), Some(3));
        assert_eq!(family.version_of("snapshot:path-stats:v03"), Some(3));
        for key in [
            "snapshot:path-stats:latest",
            "snapshot:path-stats:v",
            "snapshot:path-stats:v+3",
            "snapshot:path-stats:v3.gz",
            "snapshot:path-stats:v99999999999999999999999",
            "snapshot:paths:v3",
        ] {
            assert_eq!(family.version_of(key), None, "{key}");
        }
    }

    #[test]
    fn pointer_values_are_version_numbers_or_refused() {
        assert_eq!(SnapshotFamily::pointer_version(b"8"), Ok(8));
        assert_eq!(SnapshotFamily::pointer_version(b" 12\n"), Ok(12));
        for (value, shown) in [
            (&b"v8"[..], r#"holds "v8", not a version number"#),
            (b"", r#"holds "", not a version number"#),
            (b"-1", r#"holds "-1", not a version number"#),
            (b"+8", r#"holds "+8", not a version number"#),
            (b"\xff\xfe", "holds 2 bytes that are not text"),
        ] {
            assert_eq!(
                SnapshotFamily::pointer_version(value),
                Err(shown.to_owned()),
                "{value:?}"
            );
        }
        let long = "x".repeat(100);
        let err = SnapshotFamily::pointer_version(long.as_bytes()).unwrap_err();
        assert_eq!(
            err,
            format!("holds \"{}…\", not a version number", "x".repeat(40))
        );
        let entry = SnapshotFamily::path_stats().pointer_entry(8);
        assert_eq!(
            (entry.key.as_str(), entry.value.as_slice(), entry.options),
            (
                "snapshot:path-stats:latest",
                &b"8"[..],
                PutOptions::default()
            )
        );
    }
}
