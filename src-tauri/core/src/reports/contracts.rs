//! Payload contracts: JSON Schemas (draft 2020-12) that the values of a report must match. The
//! built-ins ship one per payload the console writes (`reports/contracts/*.json`, described in
//! `docs/domain.md`); a team adds or replaces them with `contracts/<Name>.json` beside its
//! `reports.toml`. Precompute checks every value before writing it, and the key browser says
//! whether a key of a known report matches its contract, and where it breaks it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// The built-in contracts: (name, schema text).
const BUILTIN: &[(&str, &str)] = &[
    (
        "AttentionNeeded",
        include_str!("../../reports/contracts/AttentionNeeded.json"),
    ),
    (
        "CloseCases",
        include_str!("../../reports/contracts/CloseCases.json"),
    ),
    (
        "ConversationList",
        include_str!("../../reports/contracts/ConversationList.json"),
    ),
    (
        "Dashboard",
        include_str!("../../reports/contracts/Dashboard.json"),
    ),
    (
        "MonthToDateUploads",
        include_str!("../../reports/contracts/MonthToDateUploads.json"),
    ),
    (
        "OpportunityList",
        include_str!("../../reports/contracts/OpportunityList.json"),
    ),
    (
        "RepReport",
        include_str!("../../reports/contracts/RepReport.json"),
    ),
    (
        "SystemHealth",
        include_str!("../../reports/contracts/SystemHealth.json"),
    ),
    (
        "TeamPerformance",
        include_str!("../../reports/contracts/TeamPerformance.json"),
    ),
    (
        "TodoStats",
        include_str!("../../reports/contracts/TodoStats.json"),
    ),
    (
        "UploadRanking",
        include_str!("../../reports/contracts/UploadRanking.json"),
    ),
];

/// Schema files larger than this are refused (a contract is a few KiB).
const MAX_SCHEMA_BYTES: u64 = 1024 * 1024;

/// One compiled contract.
pub struct Contract {
    name: String,
    validator: jsonschema::Validator,
}

impl fmt::Debug for Contract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Contract")
            .field("name", &self.name)
            .finish()
    }
}

/// Where a value breaks its contract: the first error, at a JSON pointer into the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ContractBreach {
    /// JSON pointer to the part of the value at fault (`/` for the whole value).
    pub path: String,
    /// What the schema expected there (the value itself is not quoted).
    pub message: String,
}

impl Contract {
    /// Compiles `schema` as the contract `name`; an invalid schema is refused naming `origin`.
    pub fn compile(name: &str, schema: &Value, origin: &str) -> Result<Self> {
        let validator = jsonschema::validator_for(schema).map_err(|e| {
            Error::invalid(
                format!("contract {name:?} ({origin})"),
                format!("is not a valid JSON Schema: {}", e.masked()),
            )
        })?;
        Ok(Self {
            name: name.to_owned(),
            validator,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `Ok` when `value` matches; else where it first breaks the contract.
    pub fn check(&self, value: &Value) -> std::result::Result<(), ContractBreach> {
        match self.validator.iter_errors(value).next() {
            None => Ok(()),
            Some(error) => {
                let path = error.instance_path().as_str();
                Err(ContractBreach {
                    path: if path.is_empty() {
                        "/".to_owned()
                    } else {
                        path.to_owned()
                    },
                    message: error.masked().to_string(),
                })
            }
        }
    }
}

/// The contracts known to a catalog, by name.
#[derive(Debug, Clone, Default)]
pub struct Contracts {
    by_name: BTreeMap<String, Arc<Contract>>,
}

impl Contracts {
    /// The built-in contracts, compiled once per process.
    pub fn builtin() -> Result<Self> {
        static COMPILED: OnceLock<std::result::Result<Contracts, String>> = OnceLock::new();
        COMPILED
            .get_or_init(|| {
                let mut contracts = Contracts::default();
                for (name, text) in BUILTIN {
                    let schema: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
                    let contract =
                        Contract::compile(name, &schema, "built-in").map_err(|e| e.to_string())?;
                    contracts
                        .by_name
                        .insert((*name).to_owned(), Arc::new(contract));
                }
                Ok(contracts)
            })
            .clone()
            .map_err(|reason| Error::invalid("built-in contracts", reason))
    }

    /// These contracts with the `*.json` files of `dir` added (a file `Name.json` defines, or
    /// replaces, the contract `Name`); a missing directory adds nothing.
    pub fn with_directory(mut self, dir: &Path) -> Result<Self> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(self),
            Err(e) => {
                return Err(Error::Io {
                    path: dir.to_owned(),
                    source: e,
                })
            }
        };
        let mut files: Vec<_> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for path in files {
            let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            let origin = path.display().to_string();
            let io = |source| Error::Io {
                path: path.clone(),
                source,
            };
            if std::fs::metadata(&path).map_err(io)?.len() > MAX_SCHEMA_BYTES {
                return Err(Error::invalid(
                    format!("contract {name:?} ({origin})"),
                    format!("is over {MAX_SCHEMA_BYTES} bytes"),
                ));
            }
            let text = std::fs::read_to_string(&path).map_err(io)?;
            let schema: Value = serde_json::from_str(&text).map_err(|e| {
                Error::invalid(
                    format!("contract {name:?} ({origin})"),
                    format!("is not JSON: {e}"),
                )
            })?;
            let contract = Contract::compile(name, &schema, &origin)?;
            self.by_name.insert(name.to_owned(), Arc::new(contract));
        }
        Ok(self)
    }

    /// The contract named `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<Contract>> {
        self.by_name.get(name)
    }

    /// Every contract's name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_builtins_compile_and_name_where_a_value_breaks_them() {
        let contracts = Contracts::builtin().unwrap();
        assert_eq!(contracts.names().count(), BUILTIN.len());
        let list = contracts.get("ConversationList").unwrap();
        let item = json!({"id": "c1", "caseNumber": "CASE-1", "title": null, "status": "completed",
            "opportunityCompanyName": "Acme", "meddicScore": 80, "createdAt": "2026-11-02T10:00:00Z"});
        assert_eq!(list.check(&json!([item.clone()])), Ok(()));
        assert_eq!(list.check(&json!([])), Ok(()));
        let mut wrong = item.clone();
        wrong["meddicScore"] = json!("eighty");
        let breach = list.check(&json!([item, wrong])).unwrap_err();
        assert_eq!(breach.path, "/1/meddicScore");
        assert!(breach.message.contains("number"), "{}", breach.message);
        assert!(
            !breach.message.contains("eighty"),
            "the value is not quoted"
        );
        let whole = list.check(&json!({"items": []})).unwrap_err();
        assert_eq!(whole.path, "/");
    }

    #[test]
    fn a_team_directory_adds_and_replaces_contracts_and_bad_schemas_are_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Tiny.json"),
            r#"{"type": "object", "required": ["a"]}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("Dashboard.json"), r#"{"type": "array"}"#).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a contract").unwrap();
        let contracts = Contracts::builtin()
            .unwrap()
            .with_directory(dir.path())
            .unwrap();
        assert_eq!(
            contracts.get("Tiny").unwrap().check(&json!({"a": 1})),
            Ok(())
        );
        assert_eq!(
            contracts.get("Dashboard").unwrap().check(&json!([])),
            Ok(())
        );
        assert_eq!(contracts.names().count(), BUILTIN.len() + 1);

        std::fs::write(
            dir.path().join("Broken.json"),
            r#"{"type": "no-such-type"}"#,
        )
        .unwrap();
        let err = Contracts::builtin()
            .unwrap()
            .with_directory(dir.path())
            .unwrap_err();
        assert!(err.to_string().contains("contract \"Broken\""), "{err}");
        assert!(err.to_string().contains("not a valid JSON Schema"), "{err}");
    }
}
