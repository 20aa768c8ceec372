//! Report definitions: the declarative TOML format (key template, TTL, schedule, SQL, fan-out),
//! the built-ins shipped in `reports/builtin.toml`, and the user's `reports.toml` that extends
//! or overrides them. Everything is validated on load, so a bad definition is reported by name
//! before any query runs.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::contracts::{Contract, ContractBreach, Contracts};
use crate::error::{Error, Result};

/// The built-in definitions, shipped with the binary.
pub const BUILTIN_TOML: &str = include_str!("../../reports/builtin.toml");

/// One table inside a payload (for CSV export and the printable page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    pub name: String,
    /// JSON pointer to an array of objects, or to an object of objects (one row per entry).
    pub pointer: String,
}

/// One report as written in a definitions file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefinition {
    name: String,
    title: Option<String>,
    key: String,
    ttl: u64,
    schedule: String,
    sql: String,
    fan_out: Option<String>,
    view: Option<String>,
    #[serde(default)]
    tables: Vec<TableSpec>,
    stamp: Option<String>,
    contract: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DefinitionsFile {
    time_zone: Option<String>,
    #[serde(default, rename = "report")]
    reports: Vec<RawDefinition>,
}

/// A validated report definition.
#[derive(Debug, Clone)]
pub struct ReportDefinition {
    pub name: String,
    pub title: String,
    pub key: KeyTemplate,
    pub ttl: u64,
    pub schedule: Schedule,
    pub sql: String,
    pub fan_out: Option<String>,
    pub view: Option<String>,
    pub tables: Vec<TableSpec>,
    /// The field of the value that carries its generation time (e.g. `generatedAt`), when the
    /// payloads the team's services read carry one; `None`: the value is exactly what the SQL
    /// returned, and the time is only in the key's metadata.
    pub stamp: Option<String>,
    /// The contract (JSON Schema) every value must match, by name, compiled.
    pub contract: Option<ContractRef>,
    /// `builtin` or the path of the file that defined it.
    pub origin: String,
}

/// Every known report, in a stable order (built-ins first, then the user's additions).
#[derive(Debug, Clone)]
pub struct Catalog {
    pub time_zone: chrono_tz::Tz,
    reports: Vec<ReportDefinition>,
    contracts: Contracts,
}

/// A definition's contract: its name and, once the catalog resolved it, the compiled schema.
#[derive(Debug, Clone)]
pub struct ContractRef {
    pub name: String,
    compiled: Option<Arc<Contract>>,
}

impl ContractRef {
    /// `Ok` when `value` matches the contract; else where it breaks it.
    pub fn check(&self, value: &serde_json::Value) -> std::result::Result<(), ContractBreach> {
        match &self.compiled {
            Some(contract) => contract.check(value),
            None => Err(ContractBreach {
                path: "/".to_owned(),
                message: format!("the contract {:?} is not known", self.name),
            }),
        }
    }
}

impl Catalog {
    /// The built-ins only.
    pub fn builtin() -> Result<Self> {
        Self::parse(BUILTIN_TOML, "builtin", None)
    }

    /// The built-ins, extended or overridden by `user_file` when it exists, and the contracts
    /// of the `contracts` directory beside it.
    pub fn load(user_file: &Path) -> Result<Self> {
        let mut builtin = Self::builtin()?;
        if let Some(dir) = user_file.parent() {
            builtin.contracts = builtin.contracts.with_directory(&dir.join("contracts"))?;
        }
        let mut catalog = match std::fs::read_to_string(user_file) {
            Ok(text) => Self::parse(&text, &user_file.display().to_string(), Some(builtin))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => builtin,
            Err(e) => {
                return Err(Error::Io {
                    path: user_file.to_owned(),
                    source: e,
                })
            }
        };
        catalog.resolve_contracts()?;
        Ok(catalog)
    }

    /// Points every definition's contract at the compiled schema of that name; a name no
    /// contract has is refused naming the report.
    fn resolve_contracts(&mut self) -> Result<()> {
        for report in &mut self.reports {
            if let Some(contract) = &mut report.contract {
                let compiled = self.contracts.get(&contract.name).ok_or_else(|| {
                    let known: Vec<&str> = self.contracts.names().collect();
                    Error::invalid(
                        format!("contract of report {:?} in {}", report.name, report.origin),
                        format!(
                            "{:?} is not a known contract (known: {}; add one as contracts/{}.json \
                             beside reports.toml)",
                            contract.name,
                            known.join(", "),
                            contract.name
                        ),
                    )
                })?;
                contract.compiled = Some(compiled.clone());
            }
        }
        Ok(())
    }

    /// The contracts known to this catalog.
    pub fn contracts(&self) -> &Contracts {
        &self.contracts
    }

    /// The contract of the report whose key template matches `key`, with the report's name.
    pub fn contract_for_key(&self, key: &str) -> Option<(&str, &ContractRef)> {
        let (def, _) = self.find_by_key(key)?;
        def.contract.as_ref().map(|c| (def.name.as_str(), c))
    }

    /// Parses one definitions file over `base` (whose reports it may replace by name).
    pub fn parse(text: &str, origin: &str, base: Option<Catalog>) -> Result<Self> {
        let file: DefinitionsFile = toml::from_str(text).map_err(|e| Error::Config {
            path: origin.into(),
            reason: e.to_string(),
        })?;
        let time_zone = match file.time_zone.as_deref() {
            Some(name) => chrono_tz::Tz::from_str(name).map_err(|_| {
                Error::invalid(
                    format!("time_zone in {origin}"),
                    format!(
                        "{name:?} is not an IANA time zone name (e.g. \"UTC\", \"Asia/Taipei\")"
                    ),
                )
            })?,
            None => base.as_ref().map_or(chrono_tz::UTC, |b| b.time_zone),
        };
        let (mut reports, contracts) = match base {
            Some(base) => (base.reports, base.contracts),
            None => (Vec::new(), Contracts::builtin()?),
        };
        let mut seen = std::collections::BTreeSet::new();
        for raw in file.reports {
            let definition = validate(raw, origin)?;
            if !seen.insert(definition.name.clone()) {
                return Err(Error::invalid(
                    format!("report {:?} in {origin}", definition.name),
                    "defined twice in the same file",
                ));
            }
            match reports.iter_mut().find(|r| r.name == definition.name) {
                Some(existing) => *existing = definition,
                None => reports.push(definition),
            }
        }
        let mut catalog = Self {
            time_zone,
            reports,
            contracts,
        };
        catalog.resolve_contracts()?;
        Ok(catalog)
    }

    pub fn reports(&self) -> &[ReportDefinition] {
        &self.reports
    }

    /// The report called `name`, or an error listing the known names.
    pub fn get(&self, name: &str) -> Result<&ReportDefinition> {
        self.reports.iter().find(|r| r.name == name).ok_or_else(|| {
            let known: Vec<&str> = self.reports.iter().map(|r| r.name.as_str()).collect();
            Error::invalid(
                format!("report {name:?}"),
                format!("no such report (known: {})", known.join(", ")),
            )
        })
    }

    /// The reports named (all when `names` is empty), in catalog order.
    pub fn select(&self, names: &[String]) -> Result<Vec<&ReportDefinition>> {
        for name in names {
            self.get(name)?;
        }
        Ok(self
            .reports
            .iter()
            .filter(|r| names.is_empty() || names.contains(&r.name))
            .collect())
    }

    /// The report whose key template matches `key`, with the parameters read from it.
    pub fn find_by_key(&self, key: &str) -> Option<(&ReportDefinition, Params)> {
        self.reports
            .iter()
            .find_map(|r| r.key.match_key(key).map(|params| (r, params)))
    }
}

fn validate(raw: RawDefinition, origin: &str) -> Result<ReportDefinition> {
    let what = |field: &str| format!("{field} of report {:?} in {origin}", raw.name);
    let name_ok = !raw.name.is_empty()
        && raw
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !name_ok {
        return Err(Error::invalid(
            format!("report name {:?} in {origin}", raw.name),
            "use lowercase letters, digits and '-'",
        ));
    }
    let key = KeyTemplate::parse(&raw.key).map_err(|reason| Error::invalid(what("key"), reason))?;
    if raw.ttl < 60 {
        return Err(Error::invalid(
            what("ttl"),
            format!("{} s is below Cloudflare's minimum of 60 s", raw.ttl),
        ));
    }
    let schedule = Schedule::parse(&raw.schedule)
        .map_err(|reason| Error::invalid(what("schedule"), reason))?;
    if raw.sql.trim().is_empty() {
        return Err(Error::invalid(what("sql"), "is empty"));
    }
    match (&raw.fan_out, key.params().is_empty()) {
        (None, false) => {
            return Err(Error::invalid(
                what("key"),
                format!(
                    "has placeholders ({}) but the report has no fan_out query to fill them",
                    key.params().join(", ")
                ),
            ))
        }
        (Some(_), true) => {
            return Err(Error::invalid(
                what("fan_out"),
                "the key has no {placeholder}, so every fan-out row would write the same key",
            ))
        }
        _ => {}
    }
    for table in &raw.tables {
        if !table.pointer.is_empty() && !table.pointer.starts_with('/') {
            return Err(Error::invalid(
                what(&format!("table {:?}", table.name)),
                format!(
                    "{:?} is not a JSON pointer (it starts with '/')",
                    table.pointer
                ),
            ));
        }
    }
    if let Some(stamp) = &raw.stamp {
        let plain = !stamp.is_empty()
            && stamp.len() <= 64
            && stamp
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !plain {
            return Err(Error::invalid(
                what("stamp"),
                format!("{stamp:?} is not a field name (1-64 letters, digits, '_' or '-')"),
            ));
        }
    }
    Ok(ReportDefinition {
        title: raw.title.unwrap_or_else(|| raw.name.clone()),
        name: raw.name,
        key,
        ttl: raw.ttl,
        schedule,
        sql: raw.sql,
        fan_out: raw.fan_out,
        view: raw.view,
        tables: raw.tables,
        stamp: raw.stamp,
        contract: raw.contract.map(|name| ContractRef {
            name,
            compiled: None,
        }),
        origin: origin.to_owned(),
    })
}

/// The prefixes to list so every key of `defs` is seen once, in as few list calls as possible:
/// each template's literal prefix cut after its first `:` (so `report:team:{dept}` and
/// `report:system-health` share one listing of `report:`).
pub fn listing_prefixes<'a>(defs: impl Iterator<Item = &'a ReportDefinition>) -> Vec<String> {
    let mut prefixes: Vec<&str> = defs
        .map(|d| {
            let literal = d.key.literal_prefix();
            literal.find(':').map_or(literal, |i| &literal[..=i])
        })
        .collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    let mut covering: Vec<String> = Vec::new();
    for p in prefixes {
        if !covering.iter().any(|c| p.starts_with(c.as_str())) {
            covering.push(p.to_owned());
        }
    }
    covering
}

/// The values of a key template's placeholders.
pub type Params = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Param(String),
}

/// A key with `{param}` placeholders, e.g. `user:{userId}:analytics:dashboard`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTemplate {
    text: String,
    parts: Vec<Part>,
}

impl KeyTemplate {
    /// Parses a template; placeholders are `{name}` with a non-empty name of letters, digits, `_`.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("{text:?} has a '{{' without '}}'"))?
                + open;
            let name = &rest[open + 1..close];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("{text:?} has an invalid placeholder {{{name}}}"));
            }
            if matches!(parts.last(), Some(Part::Param(_))) {
                return Err(format!(
                    "{text:?} has two placeholders with nothing between them"
                ));
            }
            parts.push(Part::Param(name.to_owned()));
            rest = &rest[close + 1..];
        }
        if rest.contains('}') {
            return Err(format!("{text:?} has a '}}' without '{{'"));
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        if parts.is_empty() {
            return Err("is empty".to_owned());
        }
        Ok(Self {
            text: text.to_owned(),
            parts,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The placeholder names, in order.
    pub fn params(&self) -> Vec<&str> {
        self.parts
            .iter()
            .filter_map(|p| match p {
                Part::Param(name) => Some(name.as_str()),
                Part::Literal(_) => None,
            })
            .collect()
    }

    /// The fixed text before the first placeholder: the prefix to list to find every key.
    pub fn literal_prefix(&self) -> &str {
        match self.parts.first() {
            Some(Part::Literal(text)) => text,
            _ => "",
        }
    }

    /// The key for `params`; `Err(name)` names a missing placeholder value.
    pub fn render(&self, params: &Params) -> std::result::Result<String, String> {
        let mut key = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => key.push_str(text),
                Part::Param(name) => match params.get(name) {
                    Some(value) if !value.is_empty() => key.push_str(value),
                    _ => return Err(name.clone()),
                },
            }
        }
        Ok(key)
    }

    /// The placeholder values if `key` has this template's shape. A value never contains the
    /// literal text that follows its placeholder (so `user:{userId}:conversations:list` does not
    /// match `user:a:b:conversations:list` with `userId = "a:b"` unless that is the only reading).
    pub fn match_key(&self, key: &str) -> Option<Params> {
        let mut params = Params::new();
        self.walk(key, |name, value| {
            params.insert(name.to_owned(), value.to_owned());
        })
        .then_some(params)
    }

    /// Whether `key` has this template's shape ([`KeyTemplate::match_key`] without collecting
    /// the values: no allocation, for classifying millions of keys).
    pub fn matches(&self, key: &str) -> bool {
        self.walk(key, |_, _| {})
    }

    /// Walks `key` along the parts, handing each placeholder's name and value to `value`;
    /// whether the whole key has the shape.
    fn walk<'k>(&self, key: &'k str, mut value: impl FnMut(&str, &'k str)) -> bool {
        let mut rest = key;
        let last = self.parts.len() - 1;
        for (i, part) in self.parts.iter().enumerate() {
            match part {
                Part::Literal(text) => match rest.strip_prefix(text.as_str()) {
                    Some(after) => rest = after,
                    None => return false,
                },
                Part::Param(name) => {
                    let end = match self.parts.get(i + 1) {
                        // The last literal: the value runs up to where the key ends with it.
                        Some(Part::Literal(next)) if i + 1 == last => rest
                            .len()
                            .checked_sub(next.len())
                            .filter(|&end| rest.is_char_boundary(end) && rest[end..] == **next),
                        Some(Part::Literal(next)) => rest.find(next.as_str()),
                        _ => Some(rest.len()),
                    };
                    let Some(end) = end.filter(|&end| end > 0) else {
                        return false;
                    };
                    value(name, &rest[..end]);
                    rest = &rest[end..];
                }
            }
        }
        rest.is_empty()
    }
}

/// A cron schedule (5 fields, minute first) with its text.
#[derive(Debug, Clone)]
pub struct Schedule {
    text: String,
    cron: croner::Cron,
}

impl Schedule {
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        if text.split_whitespace().count() != 5 {
            return Err(format!(
                "{text:?} is not a 5-field cron expression (minute hour day-of-month month day-of-week)"
            ));
        }
        let cron = croner::Cron::from_str(text).map_err(|e| format!("{text:?}: {e}"))?;
        Ok(Self {
            text: text.to_owned(),
            cron,
        })
    }

    /// Like [`Schedule::parse`], but also accepts 6 fields with seconds first (jobs that must
    /// fire more often than once a minute, e.g. in tests).
    pub fn parse_allowing_seconds(text: &str) -> std::result::Result<Self, String> {
        match text.split_whitespace().count() {
            5 => Self::parse(text),
            6 => {
                let cron = croner::Cron::from_str(text).map_err(|e| format!("{text:?}: {e}"))?;
                Ok(Self {
                    text: text.to_owned(),
                    cron,
                })
            }
            _ => Err(format!(
                "{text:?} is not a cron expression of 5 fields (minute hour day-of-month month \
                 day-of-week), or 6 with seconds first"
            )),
        }
    }

    /// The expression with a seconds field, as tokio-cron-scheduler wants it.
    pub fn with_seconds(&self) -> String {
        if self.text.split_whitespace().count() == 5 {
            format!("0 {}", self.text)
        } else {
            self.text.clone()
        }
    }

    /// The latest scheduled time at or before `at`, in `tz` (the fire time a scheduler that
    /// woke at `at` is serving).
    pub fn latest_at_or_before(
        &self,
        at: DateTime<Utc>,
        tz: chrono_tz::Tz,
    ) -> Option<DateTime<Utc>> {
        self.cron
            .find_previous_occurrence(&at.with_timezone(&tz), true)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// In plain words, e.g. "Every 15 minutes".
    pub fn describe(&self) -> String {
        self.cron.describe()
    }

    /// The first scheduled time strictly after `after`, in `tz`.
    pub fn next_after(&self, after: DateTime<Utc>, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
        self.cron
            .find_next_occurrence(&after.with_timezone(&tz), false)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// Whether a value produced at `produced` has missed a scheduled refresh by `now` (with a
    /// grace of five minutes for the run itself).
    pub fn is_stale(&self, produced: DateTime<Utc>, now: DateTime<Utc>, tz: chrono_tz::Tz) -> bool {
        self.next_after(produced, tz)
            .is_some_and(|next| now > next + chrono::Duration::minutes(5))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_load_and_cover_every_seed_family() {
        let catalog = Catalog::builtin().unwrap();
        let keys: Vec<&str> = catalog.reports().iter().map(|r| r.key.as_str()).collect();
        for key in [
            "report:system-health",
            "report:close-cases",
            "report:attention-needed",
            "report:todo-stats",
            "report:team:{dept}",
            "report:mtd-uploads:{month}",
            "report:rep:{userId}",
            "report:upload-ranking:{period}",
            "user:{userId}:analytics:dashboard",
            "user:{userId}:conversations:list",
            "user:{userId}:opportunities:list:all",
        ] {
            assert!(keys.contains(&key), "missing {key}");
        }
    }

    #[test]
    fn templates_render_and_parse_back() {
        let t = KeyTemplate::parse("user:{userId}:analytics:dashboard").unwrap();
        assert_eq!(t.literal_prefix(), "user:");
        let params = Params::from([("userId".to_owned(), "abc-1".to_owned())]);
        let key = t.render(&params).unwrap();
        assert_eq!(key, "user:abc-1:analytics:dashboard");
        assert_eq!(t.match_key(&key), Some(params));
        assert_eq!(t.match_key("user:abc-1:conversations:list"), None);
        assert_eq!(t.match_key("user::analytics:dashboard"), None);
        let team = KeyTemplate::parse("report:team:{dept}").unwrap();
        assert_eq!(
            team.match_key("report:team:enterprise").unwrap()["dept"],
            "enterprise"
        );
        assert_eq!(team.render(&Params::new()), Err("dept".to_owned()));
        // `matches` answers as `match_key` does, on every shape above and a few more.
        let pages =
            KeyTemplate::parse("recordings:user:{userId}:page:{page}:limit:{limit}").unwrap();
        for key in [
            key.as_str(),
            "user:abc-1:conversations:list",
            "user::analytics:dashboard",
            "user:a:b:analytics:dashboard",
            "report:team:enterprise",
            "report:team:",
            "recordings:user:u1:page:2:limit:20",
            "recordings:user:u1:page::limit:20",
            "",
        ] {
            for template in [&t, &team, &pages] {
                assert_eq!(
                    template.matches(key),
                    template.match_key(key).is_some(),
                    "{key}"
                );
            }
        }
    }

    #[test]
    fn bad_definitions_are_refused_by_name() {
        let bad = |body: &str| {
            let text = format!("[[report]]\nname = \"x\"\n{body}");
            Catalog::parse(&text, "test.toml", None)
                .unwrap_err()
                .to_string()
        };
        let base = "key = \"report:x\"\nttl = 600\nschedule = \"*/15 * * * *\"\nsql = \"select '{}'::json\"\n";
        assert!(Catalog::parse(&format!("[[report]]\nname = \"x\"\n{base}"), "t", None).is_ok());
        let e = bad(&base.replace("ttl = 600", "ttl = 30"));
        assert!(e.contains("ttl of report \"x\"") && e.contains("60"), "{e}");
        let e = bad(&base.replace("*/15 * * * *", "every day"));
        assert!(e.contains("schedule of report \"x\""), "{e}");
        let e = bad(&base.replace("report:x", "report:{dept}"));
        assert!(e.contains("no fan_out"), "{e}");
        let e = bad(&base.replace("report:x", "report:{de pt}"));
        assert!(e.contains("invalid placeholder"), "{e}");
        let e = bad(&format!("{base}colour = \"red\"\n"));
        assert!(e.contains("colour"), "{e}");
        let e = Catalog::parse("time_zone = \"Mars/Olympus\"", "t", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("IANA"), "{e}");
    }

    #[test]
    fn a_user_file_overrides_a_builtin_by_name() {
        let user = "[[report]]\nname = \"todo-stats\"\nkey = \"report:todos\"\nttl = 600\nschedule = \"0 * * * *\"\nsql = \"select '{}'::json\"\n";
        let catalog = Catalog::parse(user, "user.toml", Some(Catalog::builtin().unwrap())).unwrap();
        assert_eq!(
            catalog.get("todo-stats").unwrap().key.as_str(),
            "report:todos"
        );
        assert_eq!(
            catalog.reports().len(),
            Catalog::builtin().unwrap().reports().len()
        );
    }

    #[test]
    fn staleness_follows_the_schedule() {
        let s = Schedule::parse("*/15 * * * *").unwrap();
        let at = |t: &str| DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc);
        let tz = chrono_tz::UTC;
        assert!(!s.is_stale(at("2026-11-20T10:01:00Z"), at("2026-11-20T10:19:00Z"), tz));
        assert!(s.is_stale(at("2026-11-20T10:01:00Z"), at("2026-11-20T10:21:00Z"), tz));
        assert!(s.describe().contains("15"), "{}", s.describe());
    }
}
