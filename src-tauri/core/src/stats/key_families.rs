//! Key families: the shape a key shares with its siblings, e.g. `user:abc123:conversations:list`
//! belongs to `user:{userId}:conversations:list`. The report definitions' key templates are tried
//! first; any other key has the parts that look like ids (UUIDs, numbers, hex, dates, long random
//! tokens) replaced by placeholders. Total on any input: every string has a family, nothing panics.

use std::borrow::Cow;

use crate::reports::definitions::{Catalog, KeyTemplate};

/// The family of an empty key (e.g. a `[Cache Error]` line that names no key).
pub const UNKNOWN_FAMILY: &str = "(unknown)";

/// Placeholder for an id-like part (UUID, hex, long random token).
const ID: &str = "{id}";
/// Placeholder for a number (page, limit, version).
const NUMBER: &str = "{n}";
/// Placeholder for an ISO date or month.
const DATE: &str = "{date}";

/// Classifies keys into families: report templates first, then the id heuristics.
#[derive(Debug, Clone, Default)]
pub struct KeyFamilies {
    templates: Vec<KeyTemplate>,
}

impl KeyFamilies {
    /// Families from the key templates of `catalog` (in catalog order), then the heuristics.
    pub fn new(catalog: &Catalog) -> Self {
        Self {
            templates: catalog.reports().iter().map(|r| r.key.clone()).collect(),
        }
    }

    /// Heuristics only (no report templates).
    pub fn heuristic_only() -> Self {
        Self::default()
    }

    /// The family of `key`.
    pub fn family<'a>(&'a self, key: &'a str) -> Cow<'a, str> {
        if key.is_empty() {
            return Cow::Borrowed(UNKNOWN_FAMILY);
        }
        if let Some(template) = self.templates.iter().find(|t| t.matches(key)) {
            return Cow::Borrowed(template.as_str());
        }
        heuristic_family(key)
    }
}

/// The family of `key` by the id heuristics alone: each part between `:` or `/` that looks like
/// an id, a number or a date becomes a placeholder.
pub fn heuristic_family(key: &str) -> Cow<'_, str> {
    if key.is_empty() {
        return Cow::Borrowed(UNKNOWN_FAMILY);
    }
    let mut out: Option<String> = None;
    let mut start = 0;
    for (i, c) in key.char_indices().chain(std::iter::once((key.len(), ':'))) {
        if c != ':' && c != '/' {
            continue;
        }
        let part = &key[start..i];
        let replacement = placeholder_for(part);
        match (&mut out, replacement) {
            (None, None) => {}
            (None, Some(p)) => {
                let mut s = String::with_capacity(key.len());
                s.push_str(&key[..start]);
                s.push_str(p);
                out = Some(s);
            }
            (Some(s), r) => s.push_str(r.unwrap_or(part)),
        }
        if let Some(s) = &mut out {
            if i < key.len() {
                s.push(c);
            }
        }
        start = i + c.len_utf8();
    }
    out.map_or(Cow::Borrowed(key), Cow::Owned)
}

/// The placeholder standing for `part`, or `None` to keep it as it is.
fn placeholder_for(part: &str) -> Option<&'static str> {
    let bytes = part.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    if bytes.iter().all(u8::is_ascii_digit) {
        return Some(NUMBER);
    }
    if is_date(bytes) {
        return Some(DATE);
    }
    if is_uuid(bytes) {
        return Some(ID);
    }
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    // Hex ids (`abc123`, `5f3e9a0c`): at least 6 hex digits, one of them a digit, so that words
    // such as `decade` or `facade` stay words.
    if bytes.len() >= 6 && digits > 0 && bytes.iter().all(u8::is_ascii_hexdigit) {
        return Some(ID);
    }
    // Long random tokens (nanoid, base64url, ULID, `u_8f2k1...`): 12+ characters of letters,
    // digits, `-` and `_`, with both letters and digits.
    let letters = bytes.iter().filter(|b| b.is_ascii_alphabetic()).count();
    if bytes.len() >= 12
        && digits > 0
        && letters > 0
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
    {
        return Some(ID);
    }
    None
}

/// `YYYY-MM` or `YYYY-MM-DD`.
fn is_date(b: &[u8]) -> bool {
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    match b.len() {
        7 => digits(0..4) && b[4] == b'-' && digits(5..7),
        10 => digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10),
        _ => false,
    }
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn families() -> KeyFamilies {
        KeyFamilies::new(&Catalog::builtin().unwrap())
    }

    #[test]
    fn every_family_of_the_domain_digest() {
        let f = families();
        let uuid = "3f2b8c1e-9a4d-4e2f-8b7a-1c2d3e4f5a6b";
        for (key, family) in [
            // Report templates win.
            ("report:system-health", "report:system-health"),
            ("report:close-cases", "report:close-cases"),
            ("report:attention-needed", "report:attention-needed"),
            ("report:todo-stats", "report:todo-stats"),
            ("report:team:default", "report:team:{dept}"),
            ("report:mtd-uploads:2026-11", "report:mtd-uploads:{month}"),
            (&format!("report:rep:{uuid}"), "report:rep:{userId}"),
            (
                "report:upload-ranking:weekly",
                "report:upload-ranking:{period}",
            ),
            (
                "user:abc123:conversations:list",
                "user:{userId}:conversations:list",
            ),
            (
                &format!("user:{uuid}:analytics:dashboard"),
                "user:{userId}:analytics:dashboard",
            ),
            (
                "user:42:opportunities:list:all",
                "user:{userId}:opportunities:list:all",
            ),
            // No template: the heuristics.
            (
                &format!("conversation:{uuid}:detail"),
                "conversation:{id}:detail",
            ),
            ("opportunity:123456:detail", "opportunity:{n}:detail"),
            (
                "user:abc123:analytics:repPerformance",
                "user:{id}:analytics:repPerformance",
            ),
            (
                "manager:5f3e9a0c:analytics:teamPerformance",
                "manager:{id}:analytics:teamPerformance",
            ),
            (
                "recordings:user:u_8f2k1ZqP0x9L:page:2:limit:20",
                "recordings:user:{id}:page:{n}:limit:{n}",
            ),
            (
                &format!("recordings:user:{uuid}:call:{uuid}"),
                "recordings:user:{id}:call:{id}",
            ),
            (
                &format!("intent:user:{uuid}:analysis:call_7Hk2mQ9xLp4R"),
                "intent:user:{id}:analysis:{id}",
            ),
            ("intent:user:77:summary", "intent:user:{n}:summary"),
            (
                "enhanced:user:9c1d2e3f4a5b:call:1234",
                "enhanced:user:{id}:call:{n}",
            ),
            ("paths:hot:v12", "paths:hot:v12"),
            (
                "stats:paths:2026-11-20/api/users/991",
                "stats:paths:{date}/api/users/{n}",
            ),
            // Words stay words.
            ("config:facade:decade", "config:facade:decade"),
            ("", UNKNOWN_FAMILY),
            ("::", "::"),
        ] {
            assert_eq!(f.family(key), family, "family of {key:?}");
        }
    }

    #[test]
    fn heuristics_alone_leave_plain_keys_borrowed() {
        assert!(matches!(
            heuristic_family("report:system-health"),
            Cow::Borrowed(_)
        ));
        assert_eq!(heuristic_family("a:1:b:2"), "a:{n}:b:{n}");
        assert_eq!(heuristic_family("1"), "{n}");
        assert_eq!(heuristic_family("ключ:42"), "ключ:{n}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn no_input_panics_and_families_are_stable(key in any::<String>()) {
            let f = families();
            let family = f.family(&key).into_owned();
            prop_assert!(!family.is_empty());
            // A family is its own family under the heuristics (placeholders are never ids).
            prop_assert_eq!(heuristic_family(&family), family.as_str());
        }

        #[test]
        fn key_like_inputs_never_panic(key in "[a-z0-9:/_{}-]{0,80}") {
            let _ = families().family(&key);
            let _ = heuristic_family(&key);
        }

        #[test]
        fn the_family_of_a_rendered_template_is_the_template(
            index in 0usize..64,
            values in proptest::collection::vec("[A-Za-z0-9_-]{1,40}", 3),
        ) {
            let catalog = Catalog::builtin().unwrap();
            let def = &catalog.reports()[index % catalog.reports().len()];
            let params = def
                .key
                .params()
                .iter()
                .zip(values.iter())
                .map(|(name, value)| ((*name).to_owned(), value.clone()))
                .collect();
            let key = def.key.render(&params).unwrap();
            let f = families();
            prop_assert_eq!(f.family(&key), def.key.as_str());
        }
    }
}
