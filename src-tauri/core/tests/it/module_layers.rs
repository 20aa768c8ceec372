//! The core's layers, checked on its source: every top-level module belongs to one layer, and a
//! module uses only modules of its own layer or of a lower one (foundations → connections →
//! context → features; see `docs/architecture.md`). Features reach a profile only through the
//! profile handle: they never migrate, read the OS user or build the read-only refusal themselves.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use regex::Regex;

/// The layers, lowest first, and the top-level modules in each.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundations",
        &[
            "actor",
            "error",
            "events",
            "identifiers",
            "paths",
            "private_files",
            "progress",
            "spreadsheet_csv",
            "sqlite_file",
        ],
    ),
    (
        "connections",
        &[
            "audit",
            "cache_events",
            "db",
            "db_limits",
            "kv",
            "operations",
            "profiles",
            "secrets",
        ],
    ),
    ("context", &["context"]),
    (
        "features",
        &[
            "jobs",
            "key_deletion",
            "key_expiry",
            "key_transfer",
            "key_writing",
            "reports",
            "stats",
            "value_view",
        ],
    ),
];

/// Names the crate root re-exports, and the module each comes from.
const ROOT_REEXPORTS: &[(&str, &str)] = &[
    ("CoreContext", "context"),
    ("ProfileHandle", "context"),
    ("Error", "error"),
    ("ErrorCode", "error"),
    ("Result", "error"),
];

/// What only the profile handle (or the layers under it) may do, and why.
const HANDLE_ONLY: &[(&str, &str)] = &[
    (
        "db::migrate(",
        "migrating: use ProfileHandle::database, which migrates once per pool",
    ),
    ("whoami::", "reading the OS user: use ProfileHandle::actor"),
    (
        "Error::ReadOnlyProfile {",
        "refusing a write: use ProfileHandle::refuse_if_read_only",
    ),
    (
        ".postgres(",
        "opening a pool: use ProfileHandle::database or source_database",
    ),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`None` for `lib.rs`).
fn module_of(file: &Path) -> Option<String> {
    let relative = file.strip_prefix(source_dir()).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then(|| name.to_owned())
}

/// The code of a file without its comment lines (doc links name modules without using them).
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .map(|(i, line)| (i + 1, line))
}

/// The top-level modules a line uses through `crate::`.
fn used_modules(line: &str) -> Vec<String> {
    let single = Regex::new(r"crate::([A-Za-z_][A-Za-z0-9_]*)").unwrap();
    let grouped = Regex::new(r"crate::\{([^}]*)").unwrap();
    let mut names: Vec<String> = single
        .captures_iter(line)
        .map(|c| c[1].to_owned())
        .collect();
    for group in grouped.captures_iter(line) {
        for item in group[1].split(',') {
            let head = item.trim().split("::").next().unwrap_or("").trim();
            if !head.is_empty() {
                names.push(head.to_owned());
            }
        }
    }
    names
        .into_iter()
        .map(|name| {
            ROOT_REEXPORTS
                .iter()
                .find(|(export, _)| *export == name)
                .map_or(name, |(_, module)| (*module).to_owned())
        })
        .collect()
}

#[test]
fn every_module_uses_only_its_own_layer_or_lower_ones() {
    let mut files = Vec::new();
    rust_files(&source_dir(), &mut files);
    files.sort();
    let mut seen = BTreeSet::new();
    let mut wrong = Vec::new();
    for file in &files {
        let Some(module) = module_of(file) else {
            continue;
        };
        let Some(layer) = layer_of(&module) else {
            wrong.push(format!(
                "module {module} is in no layer: add it to LAYERS here and to docs/architecture.md"
            ));
            continue;
        };
        seen.insert(module.clone());
        let text = std::fs::read_to_string(file).unwrap();
        for (number, line) in code_lines(&text) {
            for used in used_modules(line) {
                match layer_of(&used) {
                    Some(used_layer) if used_layer <= layer => {}
                    Some(used_layer) => wrong.push(format!(
                        "{}:{number}: {module} ({}) uses {used} ({})",
                        file.display(),
                        LAYERS[layer].0,
                        LAYERS[used_layer].0
                    )),
                    None => wrong.push(format!(
                        "{}:{number}: uses crate::{used}, which is in no layer",
                        file.display()
                    )),
                }
            }
        }
    }
    for (_, modules) in LAYERS {
        for module in *modules {
            if !seen.contains(*module) {
                wrong.push(format!("LAYERS names {module}, which has no source file"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn features_reach_a_profile_only_through_its_handle() {
    let features = layer_of("jobs").unwrap();
    let mut files = Vec::new();
    rust_files(&source_dir(), &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        if module_of(file).and_then(|m| layer_of(&m)) != Some(features) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for (number, line) in code_lines(&text) {
            for (pattern, instead) in HANDLE_ONLY {
                if line.contains(pattern) {
                    wrong.push(format!("{}:{number}: {instead}", file.display()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_layer_check_sees_an_upward_use() {
    // The check itself: a foundation line that used the context would be reported.
    assert_eq!(
        used_modules("use crate::{context::CoreContext, error::Result};"),
        ["context", "error"]
    );
    assert_eq!(used_modules("crate::CoreContext::open"), ["context"]);
    assert!(layer_of("context") > layer_of("kv"));
}
