//! CSV meant to be opened in a spreadsheet, written with the `csv` crate: a cell a spreadsheet
//! would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) is
//! written with a leading `'`, so report data and key names from a server cannot become formulas
//! (CSV injection). Plain numbers such as `-12.5` are written as they are: no spreadsheet runs them.

use std::borrow::Cow;

/// The cell as it is safe to write: `'` before a cell a spreadsheet would take for a formula.
pub fn safe_cell(cell: &str) -> Cow<'_, str> {
    let risky = cell
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `-12`, `-0.5`, `-1e-3`, `+4`: a sign, digits, an optional fraction and exponent, nothing else.
fn is_plain_number(cell: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let body = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
        None => (body, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(digits)
}

/// Writes one record, each cell made safe by [`safe_cell`].
pub fn write_record<W: std::io::Write, I, S>(
    writer: &mut csv::Writer<W>,
    record: I,
) -> csv::Result<()>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    writer.write_record(
        record
            .into_iter()
            .map(|cell| safe_cell(cell.as_ref()).into_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_quoted_and_numbers_are_not() {
        for (cell, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+2", "'+1+2"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-e5", "'-e5"),
            ("-12.5", "-12.5"),
            ("+4", "+4"),
            ("-1e-3", "-1e-3"),
            ("Acme =1", "Acme =1"),
            ("", ""),
        ] {
            assert_eq!(safe_cell(cell), written, "{cell:?}");
        }
    }

    #[test]
    fn records_are_written_safe_and_still_quoted_by_csv() {
        let mut writer = csv::Writer::from_writer(Vec::new());
        write_record(&mut writer, ["=1+1", "a,b", "-3"]).unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(text, "'=1+1,\"a,b\",-3\n");
    }
}
