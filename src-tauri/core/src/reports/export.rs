//! Exporting a report value: the JSON as stored, one of its tables as CSV (cells that a
//! spreadsheet would run as formulas quoted), or a printable HTML page (title, key, age and
//! source, the summary figures, every table), escaped by minijinja. Export files are private
//! (0600, in folders created 0700) and written whole or not at all.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::definitions::TableSpec;
use super::reading::{ReportValue, ValueSource};
use crate::error::{Error, Result};
use crate::{private_files, spreadsheet_csv};

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Json,
    Csv,
    Html,
}

impl std::str::FromStr for ExportFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "json" => Ok(Self::Json),
            "csv" => Ok(Self::Csv),
            "html" => Ok(Self::Html),
            other => Err(Error::invalid(
                "format",
                format!("{other:?}; expected json, csv or html"),
            )),
        }
    }
}

/// A table of a payload: column names and rows of display text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Renders `value` in `format`; `table` picks the CSV table (default: the report's first).
pub fn export(value: &ReportValue, format: ExportFormat, table: Option<&str>) -> Result<String> {
    let doc: Value = serde_json::from_str(&value.json).map_err(|e| {
        Error::invalid(
            format!("value of {:?}", value.key),
            format!("is not JSON: {e}"),
        )
    })?;
    match format {
        ExportFormat::Json => Ok(format!("{}\n", value.json)),
        ExportFormat::Csv => {
            let spec = match table {
                Some(name) => value
                    .tables
                    .iter()
                    .find(|t| t.name == name)
                    .ok_or_else(|| {
                        Error::invalid(
                            format!("table {name:?}"),
                            format!(
                                "report {:?} has tables: {}",
                                value.name,
                                names(&value.tables)
                            ),
                        )
                    })?,
                None => value.tables.first().ok_or_else(|| {
                    Error::invalid(
                        format!("report {:?}", value.name),
                        "declares no tables to export as CSV; use --format json or html",
                    )
                })?,
            };
            csv_text(&extract(&doc, spec))
        }
        ExportFormat::Html => html(value, &doc),
    }
}

impl ExportFormat {
    /// The file name extension of the format.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
            Self::Html => "html",
        }
    }
}

/// Writes an export to `path`: created 0600 (missing folders 0700), whole or not at all.
pub fn write_file(path: &Path, text: &str) -> Result<()> {
    private_files::write_atomic(path, text.as_bytes())
}

/// Writes an export of the report at `key` into `dir` as `{key}-{stamp}.{extension}` (the key's
/// characters other than letters, digits and `-` become `_`); returns the file's path.
pub fn write_into(dir: &Path, key: &str, format: ExportFormat, text: &str) -> Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let safe_key: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = dir.join(format!("{safe_key}-{stamp}.{}", format.extension()));
    write_file(&path, text)?;
    Ok(path)
}

fn names(tables: &[TableSpec]) -> String {
    tables
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rows a table spec points at: an array of objects (one row each) or an object of
/// objects/arrays (one row per entry, its name in the first column `key`).
pub fn extract(doc: &Value, spec: &TableSpec) -> Table {
    let mut columns: Vec<String> = Vec::new();
    let mut records: Vec<Map<String, Value>> = Vec::new();
    let add_columns = |columns: &mut Vec<String>, record: &Map<String, Value>| {
        for name in record.keys() {
            if !columns.contains(name) {
                columns.push(name.clone());
            }
        }
    };
    match doc.pointer(&spec.pointer) {
        Some(Value::Array(items)) => {
            for item in items {
                let record = match item {
                    Value::Object(map) => map.clone(),
                    other => Map::from_iter([("value".to_owned(), other.clone())]),
                };
                add_columns(&mut columns, &record);
                records.push(record);
            }
        }
        Some(Value::Object(entries)) => {
            columns.push("key".to_owned());
            for (name, item) in entries {
                let mut record = Map::from_iter([("key".to_owned(), Value::String(name.clone()))]);
                match item {
                    Value::Object(map) => record.extend(map.clone()),
                    Value::Array(list) => {
                        record.insert("count".to_owned(), Value::from(list.len()));
                        record.insert("items".to_owned(), item.clone());
                    }
                    other => {
                        record.insert("value".to_owned(), other.clone());
                    }
                }
                add_columns(&mut columns, &record);
                records.push(record);
            }
        }
        _ => {}
    }
    let rows = records
        .iter()
        .map(|r| columns.iter().map(|c| cell(r.get(c))).collect())
        .collect();
    Table {
        name: spec.name.clone(),
        columns,
        rows,
    }
}

fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn csv_text(table: &Table) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::invalid(format!("table {:?}", table.name), e.to_string());
    spreadsheet_csv::write_record(&mut writer, &table.columns).map_err(io)?;
    for row in &table.rows {
        spreadsheet_csv::write_record(&mut writer, row).map_err(io)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::invalid(format!("table {:?}", table.name), e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::invalid("CSV", e.to_string()))
}

/// The scalar figures of a payload outside its tables, as (path, value) pairs.
fn summary(doc: &Value, tables: &[TableSpec]) -> Vec<(String, String)> {
    fn walk(value: &Value, path: &str, tables: &[TableSpec], out: &mut Vec<(String, String)>) {
        if tables.iter().any(|t| t.pointer == path) {
            return;
        }
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    walk(v, &format!("{path}/{k}"), tables, out);
                }
            }
            Value::Array(items) => {
                out.push((label(path), format!("{} items", items.len())));
            }
            other => out.push((label(path), cell(Some(other)))),
        }
    }
    fn label(path: &str) -> String {
        path.trim_start_matches('/').replace('/', " › ")
    }
    let mut out = Vec::new();
    walk(doc, "", tables, &mut out);
    out
}

const PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }} — {{ key }}</title>
<style>
body { font: 13px/1.45 system-ui, sans-serif; margin: 2em; color: #111; }
h1 { font-size: 20px; margin: 0 0 .2em; } h2 { font-size: 15px; margin: 1.6em 0 .4em; }
.meta { color: #555; margin-bottom: 1em; } .warn { color: #a15c00; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1em; page-break-inside: auto; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr { page-break-inside: avoid; }
</style></head><body>
<h1>{{ title }}</h1>
<div class="meta">Key <code>{{ key }}</code> · generated {{ generated_at or "at an unknown time" }} · source: {{ source }}{% if synced_at %} · synced {{ synced_at }}{% endif %}</div>
{% if note %}<p class="warn">{{ note }}</p>{% endif %}
{% if summary %}<h2>Summary</h2><table>{% for row in summary %}<tr><th>{{ row[0] }}</th><td>{{ row[1] }}</td></tr>{% endfor %}</table>{% endif %}
{% for table in tables %}<h2>{{ table.name }} ({{ table.rows|length }})</h2>
{% if table.rows %}<table><tr>{% for c in table.columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in table.rows %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>{% else %}<p>None.</p>{% endif %}
{% endfor %}
</body></html>
"#;

fn html(value: &ReportValue, doc: &Value) -> Result<String> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    let template_error = |e: minijinja::Error| Error::invalid("HTML export", e.to_string());
    env.add_template("page.html", PAGE)
        .map_err(template_error)?;
    let tables: Vec<Table> = value.tables.iter().map(|t| extract(doc, t)).collect();
    let source = match value.source {
        ValueSource::Kv => "KV",
        ValueSource::LiveSql => "live SQL (KV miss)",
        ValueSource::Mirror => "offline mirror",
    };
    env.get_template("page.html")
        .and_then(|t| {
            t.render(minijinja::context! {
                title => &value.title,
                key => &value.key,
                generated_at => &value.generated_at,
                synced_at => &value.synced_at,
                source => source,
                note => &value.note,
                summary => minijinja::value::Serde(summary(doc, &value.tables)),
                tables => minijinja::value::Serde(&tables),
            })
        })
        .map_err(template_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(json: &str, tables: Vec<TableSpec>) -> ReportValue {
        ReportValue {
            name: "close-cases".into(),
            title: "Closed <deals>".into(),
            key: "report:close-cases".into(),
            params: Default::default(),
            view: None,
            tables,
            source: ValueSource::Kv,
            offline: false,
            note: None,
            json: json.into(),
            generated_at: Some("2026-11-20T12:00:00.000Z".into()),
            expiration: None,
            ttl_left: None,
            stale: false,
            synced_at: None,
        }
    }

    #[test]
    fn csv_of_an_array_table_and_of_a_map_table() {
        let won = TableSpec {
            name: "won".into(),
            pointer: "/thisWeek/won".into(),
        };
        let by_user = TableSpec {
            name: "byUser".into(),
            pointer: "/byUser".into(),
        };
        let v = value(
            r#"{"thisWeek":{"won":[{"companyName":"Acme, Inc.","amount":1200.5},{"companyName":"Zed","note":"x"}]},
               "byUser":{"u1":{"count":2,"userName":"Ann"},"u2":{"count":1,"userName":"Bo"}}}"#,
            vec![won, by_user],
        );
        assert_eq!(
            export(&v, ExportFormat::Csv, None).unwrap(),
            "companyName,amount,note\n\"Acme, Inc.\",1200.5,\nZed,,x\n"
        );
        assert_eq!(
            export(&v, ExportFormat::Csv, Some("byUser")).unwrap(),
            "key,count,userName\nu1,2,Ann\nu2,1,Bo\n"
        );
        let e = export(&v, ExportFormat::Csv, Some("nope"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("won, byUser"), "{e}");
    }

    #[test]
    fn csv_cells_and_column_names_cannot_become_formulas() {
        let rows = TableSpec {
            name: "rows".into(),
            pointer: "/rows".into(),
        };
        let v = value(
            r#"{"rows":[{"companyName":"=HYPERLINK(\"http://evil\",\"x\")","amount":-12.5,"note":"@SUM(A1)"},
                        {"companyName":"+cmd","amount":"-1+2","note":"\tx"},
                        {"companyName":"Zed -1","amount":3,"note":"-"}],
               "x":1}"#,
            vec![rows],
        );
        let text = export(&v, ExportFormat::Csv, None).unwrap();
        let cells: Vec<Vec<String>> = csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(
            cells,
            vec![
                vec!["'=HYPERLINK(\"http://evil\",\"x\")", "-12.5", "'@SUM(A1)"],
                vec!["'+cmd", "'-1+2", "'\tx"],
                vec!["Zed -1", "3", "'-"],
            ]
        );
        let by_name = TableSpec {
            name: "byName".into(),
            pointer: "/byName".into(),
        };
        let v = value(r#"{"byName":{"=cmd":{"@n":1}}}"#, vec![by_name]);
        assert_eq!(
            export(&v, ExportFormat::Csv, None).unwrap(),
            "key,'@n\n'=cmd,1\n"
        );
    }

    #[test]
    fn html_escapes_and_lists_summary_and_tables() {
        let won = TableSpec {
            name: "won".into(),
            pointer: "/won".into(),
        };
        let v = value(
            r#"{"won":[{"companyName":"<script>"}],"winRate":50.0}"#,
            vec![won],
        );
        let page = export(&v, ExportFormat::Html, None).unwrap();
        assert!(page.contains("Closed &lt;deals&gt;"));
        assert!(page.contains("&lt;script&gt;") && !page.contains("<script>"));
        assert!(page.contains("<th>winRate</th><td>50.0</td>"), "{page}");
        assert!(page.contains("won (1)"));
    }
}
