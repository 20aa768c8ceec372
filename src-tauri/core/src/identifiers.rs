//! SQL identifiers from options: a table, column or schema name reaches SQL only as a value of
//! [`Table`], [`Column`] or [`Schema`], which can only be built by checking the name's form and
//! finding it in the live catalog (with the column's type where it matters), and whose SQL text
//! comes from [`quote_ident`], the one quoting function.

use sqlx::postgres::PgPool;

use crate::error::{Error, Result};

/// Quotes one identifier for SQL: wrapped in `"` with every `"` inside doubled, so no name can
/// end the quoted identifier early.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Postgres's longest identifier, in bytes.
const MAX_IDENTIFIER_BYTES: usize = 63;

/// Checks that `name` is a plain lower-case SQL name (letters, digits and `_`, not starting with
/// a digit, at most 63 bytes); `what` names the option in the error.
pub fn check_plain_name(what: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_IDENTIFIER_BYTES
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            what,
            format!(
                "{name:?} is not a plain lower-case SQL name (letters, digits and _, at most 63 \
                 bytes)"
            ),
        ))
    }
}

/// Splits and checks a `schema.table` name; `what` names the option in the error.
pub fn check_qualified_name<'a>(what: &str, name: &'a str) -> Result<(&'a str, &'a str)> {
    match name.split_once('.') {
        Some((schema, table)) if !table.contains('.') => {
            check_plain_name(what, schema)?;
            check_plain_name(what, table)?;
            Ok((schema, table))
        }
        _ => Err(Error::invalid(
            what,
            format!("{name:?} is not a schema-qualified table name (schema.table)"),
        )),
    }
}

/// A schema that exists in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    name: String,
}

impl Schema {
    /// Checks `name` and finds it in `pg_namespace`.
    pub async fn resolve(pool: &PgPool, what: &str, name: &str) -> Result<Self> {
        check_plain_name(what, name)?;
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1::int8 FROM pg_catalog.pg_namespace WHERE nspname = $1")
                .bind(name)
                .fetch_optional(pool)
                .await
                .map_err(Error::Db)?;
        match found {
            Some(_) => Ok(Self {
                name: name.to_owned(),
            }),
            None => Err(Error::invalid(
                what,
                format!("schema {name:?} does not exist in the database"),
            )),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The quoted name, for SQL text.
    pub fn sql(&self) -> String {
        quote_ident(&self.name)
    }
}

/// A table (ordinary or partitioned) that exists in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    schema: String,
    name: String,
    oid: u32,
}

impl Table {
    /// Checks `schema.table` and finds it in `pg_class`.
    pub async fn resolve(pool: &PgPool, what: &str, qualified: &str) -> Result<Self> {
        let (schema, name) = check_qualified_name(what, qualified)?;
        let oid: Option<sqlx::postgres::types::Oid> = sqlx::query_scalar(
            "SELECT c.oid FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')",
        )
        .bind(schema)
        .bind(name)
        .fetch_optional(pool)
        .await
        .map_err(Error::Db)?;
        match oid {
            Some(oid) => Ok(Self {
                schema: schema.to_owned(),
                name: name.to_owned(),
                oid: oid.0,
            }),
            None => Err(Error::invalid(
                what,
                format!("table {qualified:?} does not exist in the database"),
            )),
        }
    }

    /// `schema.table`, unquoted, as the user wrote it (for messages and records).
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    /// The quoted name, for SQL text.
    pub fn sql(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }

    /// Finds a column of this table whose type is of `kind`.
    pub async fn column(
        &self,
        pool: &PgPool,
        what: &str,
        name: &str,
        kind: ColumnType,
    ) -> Result<Column> {
        check_plain_name(what, name)?;
        let type_name: Option<String> = sqlx::query_scalar(
            "SELECT t.typname::text FROM pg_catalog.pg_attribute a \
             JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
             WHERE a.attrelid = $1 AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped",
        )
        .bind(sqlx::postgres::types::Oid(self.oid))
        .bind(name)
        .fetch_optional(pool)
        .await
        .map_err(Error::Db)?;
        let Some(type_name) = type_name else {
            return Err(Error::invalid(
                what,
                format!(
                    "column {name:?} does not exist in table {}",
                    self.qualified_name()
                ),
            ));
        };
        if !kind.accepts(&type_name) {
            return Err(Error::invalid(
                what,
                format!(
                    "column {name:?} of table {} is of type {type_name}, not {}",
                    self.qualified_name(),
                    kind.describe()
                ),
            ));
        }
        Ok(Column {
            name: name.to_owned(),
        })
    }
}

/// The kind of type a column option must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// `timestamptz` or `timestamp`.
    Timestamp,
    /// `smallint`, `integer` or `bigint`.
    Integer,
}

impl ColumnType {
    fn accepts(self, type_name: &str) -> bool {
        match self {
            Self::Timestamp => matches!(type_name, "timestamptz" | "timestamp"),
            Self::Integer => matches!(type_name, "int2" | "int4" | "int8"),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Timestamp => "a timestamp type",
            Self::Integer => "an integer type",
        }
    }
}

/// A column that exists in its table, with the type its option asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    name: String,
}

impl Column {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The quoted name, for SQL text.
    pub fn sql(&self) -> String {
        quote_ident(&self.name)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quoting_doubles_quotes() {
        assert_eq!(quote_ident("occurred_at"), "\"occurred_at\"");
        assert_eq!(
            quote_ident("occurred_at\" IS NOT NULL OR true OR \"occurred_at"),
            "\"occurred_at\"\" IS NOT NULL OR true OR \"\"occurred_at\""
        );
    }

    #[test]
    fn qualified_names_need_exactly_one_dot() {
        assert_eq!(
            check_qualified_name("t", "sales.traffic_events").unwrap(),
            ("sales", "traffic_events")
        );
        for bad in ["traffic_events", "a.b.c", ".x", "x.", "Sales.x", "a.b;drop"] {
            let err = check_qualified_name("option table", bad)
                .unwrap_err()
                .to_string();
            assert!(err.contains("option table"), "{bad}: {err}");
        }
    }

    proptest! {
        /// Whatever the text, a quoted identifier is one token: it starts and ends with `"` and
        /// every `"` inside comes in pairs.
        #[test]
        fn quoted_identifiers_cannot_be_escaped(name in ".*") {
            let quoted = quote_ident(&name);
            let inner = &quoted[1..quoted.len() - 1];
            prop_assert!(quoted.starts_with('"') && quoted.ends_with('"'));
            prop_assert!(!inner.replace("\"\"", "").contains('"'));
        }

        /// A name that is not plain is refused, naming the option.
        #[test]
        fn names_with_other_characters_are_refused(
            name in "[a-z_]{0,5}[^a-z0-9_][ -~]{0,10}"
        ) {
            let err = check_plain_name("option timeColumn", &name).unwrap_err().to_string();
            prop_assert!(err.contains("option timeColumn"), "{}", err);
        }
    }
}
