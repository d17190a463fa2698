//! CSV as Callback Desk writes it, for the history export and the results files of bulk work: UTF-8 with a
//! byte-order mark, RFC 4180 quoting, CRLF line ends, cells from outside defused against formula injection,
//! and timestamps as RFC 3339 with milliseconds.

use std::io::Write;

/// The byte-order mark a CSV file starts with, so spreadsheet programs read CJK text as UTF-8.
pub const CSV_BOM: &[u8] = b"\xEF\xBB\xBF";

pub enum Cell<'a> {
    /// Text from outside (labels, bodies): quoted as needed and defused against formula injection.
    Text(&'a str),
    /// Text we produce ourselves (numbers, codes, timestamps): quoted as needed only.
    Num(&'a str),
}

/// One CSV record (RFC 4180 quoting, CRLF), text cells defused against formula injection.
pub fn write_csv_record<'a>(w: &mut impl Write, cells: impl Iterator<Item = Cell<'a>>) -> std::io::Result<()> {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        let (value, defuse) = match cell {
            Cell::Text(v) => (v, v.starts_with(['=', '+', '-', '@', '\t', '\r'])),
            Cell::Num(v) => (v, false),
        };
        let needs_quotes = defuse || value.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
        if needs_quotes {
            w.write_all(b"\"")?;
            if defuse {
                w.write_all(b"'")?;
            }
            for (i, part) in value.split('"').enumerate() {
                if i > 0 {
                    w.write_all(b"\"\"")?;
                }
                w.write_all(part.as_bytes())?;
            }
            w.write_all(b"\"")?;
        } else {
            w.write_all(value.as_bytes())?;
        }
    }
    w.write_all(b"\r\n")
}

/// RFC 3339 with milliseconds, UTC (`2025-01-01T00:00:00.000Z`); outside the years 0–9999 what chrono
/// writes, and the number itself where chrono has no date.
pub fn iso_ms(ms: i64) -> String {
    use chrono::{Datelike, Timelike};
    match chrono::DateTime::from_timestamp_millis(ms) {
        // What `to_rfc3339_opts(Millis, true)` writes, without its formatting machinery (an export
        // writes two per row).
        Some(t) if (0..=9999).contains(&t.year()) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            ms.rem_euclid(1000)
        ),
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        None => ms.to_string(),
    }
}

/// RFC 3339 timestamps with milliseconds (what `to_rfc3339_opts(Millis, true)` writes), the date part
/// computed once per day: an export writes two per row, mostly of the same few days.
#[derive(Default)]
pub struct Timestamps {
    day: Option<i64>,
    date: String,
}

impl Timestamps {
    pub fn iso(&mut self, ms: i64) -> String {
        use chrono::Datelike;
        let (day, in_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
        if self.day != Some(day) {
            match chrono::DateTime::from_timestamp_millis(ms) {
                Some(t) if (0..=9999).contains(&t.year()) => {
                    self.date = format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day());
                    self.day = Some(day);
                }
                _ => return iso_ms(ms),
            }
        }
        let (h, m, sec, milli) = (in_day / 3_600_000, in_day / 60_000 % 60, in_day / 1000 % 60, in_day % 1000);
        let mut out = String::with_capacity(24);
        out.push_str(&self.date);
        for (sep, v, width) in [('T', h, 2), (':', m, 2), (':', sec, 2), ('.', milli, 3)] {
            out.push(sep);
            if width == 3 && v < 100 {
                out.push('0');
            }
            if v < 10 {
                out.push('0');
            }
            out.push_str(itoa_small(v).as_str());
        }
        out.push('Z');
        out
    }
}

/// A number below 1000 as text, without the formatting machinery.
fn itoa_small(v: i64) -> ArrayText {
    let mut t = ArrayText { buf: [0; 3], len: 0 };
    let digits = [v / 100, v / 10 % 10, v % 10];
    let skip = if v >= 100 {
        0
    } else if v >= 10 {
        1
    } else {
        2
    };
    for d in &digits[skip..] {
        t.buf[t.len] = b'0' + *d as u8;
        t.len += 1;
    }
    t
}

struct ArrayText {
    buf: [u8; 3],
    len: usize,
}

impl ArrayText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_computed_per_day_are_those_chrono_writes() {
        let mut t = Timestamps::default();
        let mut ms: i64 = -3 * 86_400_000 - 1;
        while ms < 3 * 86_400_000 {
            assert_eq!(t.iso(ms), iso_ms(ms), "{ms}");
            ms += 7_777_777;
        }
        let edges = [0, -1, 86_399_999, 86_400_000, 1_750_000_000_123, 253_402_300_799_999, 253_402_300_800_000];
        for ms in edges.into_iter().chain([i64::MIN, i64::MAX]) {
            assert_eq!(t.iso(ms), iso_ms(ms), "{ms}");
            assert_eq!(Timestamps::default().iso(ms), iso_ms(ms), "{ms}");
        }
    }

    #[test]
    fn timestamps_are_written_as_rfc_3339_with_milliseconds() {
        let chrono = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                .unwrap_or_else(|| ms.to_string())
        };
        let mut samples = vec![0, 1, -1, 999, -999, 1_000, -1_001, 253_402_300_799_999, 253_402_300_800_000];
        samples.extend([-62_167_219_200_000, -62_167_219_200_001, i64::MAX, i64::MIN, 1_750_000_000_123]);
        samples.extend((0..2_000).map(|i| 1_735_689_600_000 + i * 7_919_777_013));
        for ms in samples {
            assert_eq!(iso_ms(ms), chrono(ms), "{ms}");
        }
    }
}
