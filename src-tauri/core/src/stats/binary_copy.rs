//! Postgres' binary COPY format, both ways: the stream's framing (header, field lengths, trailer)
//! for rows sent with `COPY ... FROM STDIN (FORMAT binary)`, and a reader that splits a
//! `COPY ... TO STDOUT (FORMAT binary)` stream, arriving in chunks of any size, into rows.
//!
//! Binary rather than text: timestamps and floats cross as 8 bytes instead of being printed and
//! parsed, and no field is escaped.

use crate::error::{Error, Result};

/// Start of a binary COPY stream: signature, flags, header extension length.
pub(crate) const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// The signature alone (the first 11 bytes of [`HEADER`]).
const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";
/// Microseconds from the Unix epoch to Postgres' (2000-01-01 00:00:00 UTC).
pub(crate) const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// A field's length word (fields here are far below 2 GiB).
pub(crate) fn field_len(len: usize) -> [u8; 4] {
    i32::try_from(len).unwrap_or(i32::MAX).to_be_bytes()
}

/// Reads rows of `N` fields from a binary COPY stream fed in chunks. A row split across chunks
/// is kept until its end arrives; a chunk holding whole rows is read in place.
#[derive(Debug, Default)]
pub(crate) struct RowReader<const N: usize> {
    /// Bytes of a row (or of the header) not complete yet.
    pending: Vec<u8>,
    header_read: bool,
    trailer_read: bool,
}

impl<const N: usize> RowReader<N> {
    /// Feeds the next chunk, calling `row` with the fields (`None` for NULL) of each row it
    /// completes.
    pub(crate) fn feed(
        &mut self,
        chunk: &[u8],
        mut row: impl FnMut([Option<&[u8]>; N]) -> Result<()>,
    ) -> Result<()> {
        if self.pending.is_empty() {
            let used = self.rows(chunk, &mut row)?;
            self.pending.extend_from_slice(&chunk[used..]);
        } else {
            let mut pending = std::mem::take(&mut self.pending);
            pending.extend_from_slice(chunk);
            let used = self.rows(&pending, &mut row)?;
            pending.drain(..used);
            self.pending = pending;
        }
        Ok(())
    }

    /// Checks that the stream ended with its trailer and nothing after it.
    pub(crate) fn finish(self) -> Result<()> {
        if self.trailer_read && self.pending.is_empty() {
            Ok(())
        } else {
            Err(bad("the stream ended inside a row or before its trailer"))
        }
    }

    /// Reads the whole rows at the start of `data`; returns the bytes used.
    fn rows(
        &mut self,
        data: &[u8],
        row: &mut impl FnMut([Option<&[u8]>; N]) -> Result<()>,
    ) -> Result<usize> {
        let mut at = 0;
        if !self.header_read {
            let Some(used) = header_len(data)? else {
                return Ok(0);
            };
            self.header_read = true;
            at = used;
        }
        loop {
            if self.trailer_read {
                return match data.len() - at {
                    0 => Ok(at),
                    _ => Err(bad("bytes after the trailer")),
                };
            }
            let Some(count) = data.get(at..at + 2) else {
                return Ok(at);
            };
            let count = i16::from_be_bytes([count[0], count[1]]);
            if count == -1 {
                self.trailer_read = true;
                at += 2;
                continue;
            }
            if usize::try_from(count).ok() != Some(N) {
                return Err(bad(&format!("a row of {count} fields, expected {N}")));
            }
            let mut fields = [None; N];
            let mut end = at + 2;
            for field in &mut fields {
                let Some(len) = data.get(end..end + 4) else {
                    return Ok(at);
                };
                let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
                end += 4;
                if len < 0 {
                    continue;
                }
                let len = len as usize;
                let Some(bytes) = data.get(end..end + len) else {
                    return Ok(at);
                };
                *field = Some(bytes);
                end += len;
            }
            row(fields)?;
            at = end;
        }
    }
}

/// The length of the header at the start of `data`, `None` if it is not all there yet.
fn header_len(data: &[u8]) -> Result<Option<usize>> {
    let fixed = SIGNATURE.len() + 8;
    if data.len() < fixed {
        return match SIGNATURE.starts_with(&data[..data.len().min(SIGNATURE.len())]) {
            true => Ok(None),
            false => Err(bad("no binary COPY signature")),
        };
    }
    if !data.starts_with(SIGNATURE) {
        return Err(bad("no binary COPY signature"));
    }
    let word = |at: usize| u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
    let extension = word(SIGNATURE.len() + 4) as usize;
    Ok((data.len() >= fixed + extension).then_some(fixed + extension))
}

fn bad(what: &str) -> Error {
    Error::invalid("binary COPY stream from Postgres", what)
}

/// A fixed-size field as an array (a field of another size is a broken stream).
pub(crate) fn fixed<const L: usize>(field: &[u8]) -> Result<[u8; L]> {
    field
        .try_into()
        .map_err(|_| bad(&format!("a field of {} bytes, expected {L}", field.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream of two rows `(int8, text)`, the second with a NULL text.
    fn stream() -> Vec<u8> {
        let mut s = HEADER.to_vec();
        for (n, text) in [(7i64, Some("user:1:x")), (-2, None)] {
            s.extend_from_slice(&2i16.to_be_bytes());
            s.extend_from_slice(&field_len(8));
            s.extend_from_slice(&n.to_be_bytes());
            match text {
                Some(t) => {
                    s.extend_from_slice(&field_len(t.len()));
                    s.extend_from_slice(t.as_bytes());
                }
                None => s.extend_from_slice(&(-1i32).to_be_bytes()),
            }
        }
        s.extend_from_slice(&(-1i16).to_be_bytes());
        s
    }

    fn read_in_chunks(stream: &[u8], size: usize) -> Result<Vec<(i64, Option<String>)>> {
        let mut reader = RowReader::<2>::default();
        let mut rows = Vec::new();
        for chunk in stream.chunks(size) {
            reader.feed(chunk, |[n, text]| {
                let n = i64::from_be_bytes(fixed(n.unwrap_or_default())?);
                rows.push((n, text.map(|t| String::from_utf8_lossy(t).into_owned())));
                Ok(())
            })?;
        }
        reader.finish()?;
        Ok(rows)
    }

    #[test]
    fn rows_split_anywhere_read_the_same() {
        let stream = stream();
        let whole = read_in_chunks(&stream, stream.len()).unwrap();
        assert_eq!(whole, vec![(7, Some("user:1:x".into())), (-2, None)]);
        for size in 1..stream.len() {
            assert_eq!(
                read_in_chunks(&stream, size).unwrap(),
                whole,
                "chunks of {size}"
            );
        }
    }

    #[test]
    fn broken_streams_are_errors() {
        let stream = stream();
        // Cut short: no trailer.
        assert!(read_in_chunks(&stream[..stream.len() - 2], 5).is_err());
        // Not a COPY stream.
        assert!(read_in_chunks(b"hit\tuser:1\n", 4).is_err());
        // Wrong number of fields.
        let mut three = HEADER.to_vec();
        three.extend_from_slice(&3i16.to_be_bytes());
        assert!(read_in_chunks(&three, 64).is_err());
        // Bytes after the trailer.
        let mut extra = stream.clone();
        extra.push(0);
        assert!(read_in_chunks(&extra, 64).is_err());
    }
}
