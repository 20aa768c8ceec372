//! `report check`: each definition against the live database, writing nothing. Its fan-out and
//! payload statements are prepared (Postgres reports the parameter and result types, or the
//! error and where in the SQL it is), the fan-out is run and its first row taken as a sample, the
//! payload SQL is run for that row read-only under the report time limit, and the value is checked
//! against the definition's contract.

use serde::Serialize;
use sqlx::postgres::{PgDatabaseError, PgErrorPosition, PgPool, PgTypeInfo};
use sqlx::{Column, Executor, TypeInfo};

use super::compute::{compute, fan_out, AsOf};
use super::definitions::ReportDefinition;
use crate::context::CoreContext;
use crate::db_limits::{Work, WorkLimit};
use crate::error::{Error, Result};

/// Which part of a definition failed its check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum CheckStage {
    /// The fan-out query does not prepare, fails, or returns no row.
    FanOut,
    /// The payload SQL does not prepare.
    Sql,
    /// The payload SQL returns something other than one json/jsonb column.
    Result,
    /// Running it for the sample row failed (an error, the time limit, the value's shape).
    Run,
    /// The value breaks the definition's contract.
    Contract,
}

/// One definition's check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DefinitionCheck {
    pub report: String,
    pub ok: bool,
    pub stage: Option<CheckStage>,
    pub error: Option<String>,
    /// Where in the failing statement Postgres points (1-based), when it does.
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// The payload SQL's parameter types as Postgres infers them (`$1`, `$2`, ...).
    pub parameters: Vec<String>,
    /// The type of the payload SQL's one result column.
    pub result_type: Option<String>,
    /// Rows the fan-out query returned (`None` without fan-out).
    #[ts(type = "number | null")]
    pub fan_out_rows: Option<u64>,
    /// The key computed for the sample row.
    pub sample_key: Option<String>,
    #[ts(type = "number | null")]
    pub sample_bytes: Option<u64>,
    pub contract: Option<String>,
}

impl DefinitionCheck {
    fn new(def: &ReportDefinition) -> Self {
        Self {
            report: def.name.clone(),
            ok: false,
            stage: None,
            error: None,
            line: None,
            column: None,
            parameters: Vec::new(),
            result_type: None,
            fan_out_rows: None,
            sample_key: None,
            sample_bytes: None,
            contract: def.contract.as_ref().map(|c| c.name.clone()),
        }
    }

    fn failed(mut self, stage: CheckStage, error: impl Into<String>) -> Self {
        self.stage = Some(stage);
        self.error = Some(error.into());
        self
    }
}

/// Checks the reports named (all when `names` is empty) against the profile's database.
pub async fn check_definitions(
    ctx: &CoreContext,
    profile: Option<&str>,
    names: &[String],
) -> Result<Vec<DefinitionCheck>> {
    let profile = ctx.profile(profile)?;
    // The team's own data only: a check never creates the console's tables.
    let pool = profile.source_database(super::REPORTS_DATABASE_USE).await?;
    let catalog = super::catalog(ctx)?;
    let as_of = AsOf::now(&catalog);
    let mut checks = Vec::new();
    for def in catalog.select(names)? {
        checks.push(check_one(&pool, def, &as_of).await?);
    }
    Ok(checks)
}

/// Checks one definition. Problems of the definition are in the result; only a failure to
/// reach the database is an error.
pub async fn check_one(
    pool: &PgPool,
    def: &ReportDefinition,
    as_of: &AsOf,
) -> Result<DefinitionCheck> {
    let mut check = DefinitionCheck::new(def);
    let limit = WorkLimit::of(pool, Work::ReportQuery).await?;

    if let Some(query) = &def.fan_out {
        if let Err((error, place)) = prepare(pool, &limit, query).await? {
            return Ok(check.failed(CheckStage::FanOut, error).at(place));
        }
    }
    match prepare(pool, &limit, &def.sql).await? {
        Err((error, place)) => return Ok(check.failed(CheckStage::Sql, error).at(place)),
        Ok((parameters, columns)) => {
            check.parameters = parameters;
            if let [only] = columns.as_slice() {
                check.result_type = Some(only.clone());
            }
            if columns.len() != 1 || !matches!(columns[0].as_str(), "JSON" | "JSONB") {
                let error = format!(
                    "returns {} column(s) ({}); it must return one json or jsonb column",
                    columns.len(),
                    columns.join(", ")
                );
                return Ok(check.failed(CheckStage::Result, error));
            }
        }
    }

    let sample = match fan_out(pool, def, as_of).await {
        Ok(rows) => {
            if def.fan_out.is_some() {
                check.fan_out_rows = Some(rows.len() as u64);
            }
            match rows.into_iter().next() {
                Some(row) => row,
                None => {
                    return Ok(check.failed(
                        CheckStage::FanOut,
                        "the fan-out query returned no row, so no key would be written",
                    ))
                }
            }
        }
        Err(e) => return Ok(check.failed(CheckStage::FanOut, reason(e))),
    };
    // Run without the contract first, so a breach is told apart from a failing run.
    let mut bare = def.clone();
    bare.contract = None;
    let value = match compute(pool, &bare, as_of, Some(vec![sample])).await {
        Ok(instances) => match instances.into_iter().next() {
            Some(instance) => instance,
            None => return Ok(check.failed(CheckStage::Run, "computed no value")),
        },
        Err(e) => return Ok(check.failed(CheckStage::Run, reason(e))),
    };
    check.sample_key = Some(value.key.clone());
    check.sample_bytes = Some(value.bytes.len() as u64);
    if let Some(contract) = &def.contract {
        if let Err(breach) = contract.check(&value.payload) {
            let error = format!(
                "the value of key {:?} breaks its contract {:?} at {}: {}",
                value.key, contract.name, breach.path, breach.message
            );
            return Ok(check.failed(CheckStage::Contract, error));
        }
    }
    check.ok = true;
    Ok(check)
}

/// Where in a statement an error is: 1-based line and column.
type Place = Option<(u32, u32)>;

/// A prepared statement's parameter and result column type names.
type StatementTypes = (Vec<String>, Vec<String>);

impl DefinitionCheck {
    fn at(mut self, place: Place) -> Self {
        if let Some((line, column)) = place {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }
}

/// Prepares `sql` in a read-only transaction under the report limit. The outer error is the
/// database being unreachable; the inner one a statement Postgres refuses, with where.
async fn prepare(
    pool: &PgPool,
    limit: &WorkLimit,
    sql: &str,
) -> Result<std::result::Result<StatementTypes, (String, Place)>> {
    let mut tx = limit.begin_read_only(pool).await?;
    let prepared = prepare_on(&mut tx, sql).await;
    let _ = tx.rollback().await;
    match prepared {
        Ok(types) => Ok(Ok(types)),
        Err(sqlx::Error::Database(db)) => {
            let place = db
                .try_downcast_ref::<PgDatabaseError>()
                .and_then(PgDatabaseError::position)
                .and_then(|position| match position {
                    PgErrorPosition::Original(at) => Some(line_and_column(sql, at)),
                    PgErrorPosition::Internal { .. } => None,
                });
            Ok(Err((db.message().to_owned(), place)))
        }
        Err(e) => Err(Error::Db(e)),
    }
}

/// The parameter and result column types of `sql`, prepared on the transaction's connection.
fn prepare_on<'a>(
    tx: &'a mut sqlx::Transaction<'static, sqlx::Postgres>,
    sql: &'a str,
) -> futures::future::BoxFuture<'a, std::result::Result<StatementTypes, sqlx::Error>> {
    Box::pin(async move {
        // The types compute binds ($1 the fan-out row, $2 the as-of time, $3 the zone), so the
        // statement prepared here is the one a run uses (sqlx caches it per connection).
        let declared = [
            PgTypeInfo::with_name("jsonb"),
            PgTypeInfo::with_name("timestamptz"),
            PgTypeInfo::with_name("text"),
        ];
        let statement = (&mut **tx).prepare_with(sql, &declared).await?;
        let parameters = match sqlx::Statement::parameters(&statement) {
            Some(sqlx::Either::Left(types)) => types.iter().map(|t| t.name().to_owned()).collect(),
            _ => Vec::new(),
        };
        let columns = sqlx::Statement::columns(&statement)
            .iter()
            .map(|c| c.type_info().name().to_owned())
            .collect();
        Ok((parameters, columns))
    })
}

/// The 1-based line and column of the 1-based character position `at` in `text`.
fn line_and_column(text: &str, at: usize) -> (u32, u32) {
    let (mut line, mut column) = (1u32, 1u32);
    for c in text.chars().take(at.saturating_sub(1)) {
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

/// An error's reason without the "report X:" prefix the check already names.
fn reason(e: Error) -> String {
    match e {
        Error::Report { reason, .. } => reason,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::line_and_column;

    #[test]
    fn positions_become_lines_and_columns() {
        let sql = "SELECT 1\nFROM x\n  WHERE nope";
        assert_eq!(line_and_column(sql, 1), (1, 1));
        assert_eq!(line_and_column(sql, 10), (2, 1));
        assert_eq!(line_and_column(sql, 25), (3, 9));
    }
}
