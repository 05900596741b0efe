//! Order logs: the rows of a CSV log (a local date-time per order, an
//! optional class, numeric attribute columns), parsed from any reader.
//!
//! The model never opens files: the scenario layer reads a scenario's
//! `replay_csv` (`OrderLog::from_path`, in `scenario/order_log.rs`), and a
//! Rust caller may parse a log from any reader. Date-times become seconds
//! when the model is built, against the model's calendar.
//!
//! Invariants of a parsed log: at least one row; rows in time order; every
//! attribute value finite.

use crate::error::{Error, Result};
use crate::excerpt::{MAX_QUOTED, excerpt};
use jiff::civil::DateTime;
use std::io::Read;

/// Most rows an order log may have: five million, four weeks at the
/// Hongqiao centre's peak rate (each row takes about 200 bytes in memory).
pub(crate) const MAX_LOG_ROWS: u64 = 5_000_000;

/// Most bytes of CSV an order log may have: 1 GiB.
pub(crate) const MAX_LOG_BYTES: u64 = 1 << 30;

/// Why the CSV reader failed, naming the column where it can.
fn csv_reason(e: &csv::Error, headers: Option<&csv::StringRecord>) -> String {
    let column = |i: usize| {
        headers
            .and_then(|h| h.get(i))
            .map_or_else(|| format!("column {}", i + 1), |n| excerpt(n, MAX_QUOTED))
    };
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            let named = headers.map_or_else(String::new, |h| {
                let names: Vec<String> = h.iter().map(|n| excerpt(n, MAX_QUOTED)).collect();
                format!(" ({})", excerpt(&names.join(", "), 2 * MAX_QUOTED))
            });
            format!("the row has {len} fields, but the header has {expected_len}{named}")
        }
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("{}: is not UTF-8 text", column(err.field()))
        }
        csv::ErrorKind::Io(io) => format!("cannot be read: {io}"),
        _ => format!(
            "cannot be read as CSV: {}",
            excerpt(&e.to_string(), 2 * MAX_QUOTED)
        ),
    }
}

/// One order of a log.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OrderLogRow {
    /// Line of the file, for messages.
    pub(crate) line: u64,
    pub(crate) at: DateTime,
    pub(crate) class: Option<String>,
    /// Values of the attribute columns, in column order.
    pub(crate) values: Vec<f64>,
}

/// A parsed order log, ready to replay through a [`Source`](crate::Source).
///
/// # Format
/// CSV with a header: a `time` column (local date-time such as
/// `2024-11-11T00:00:05`), an optional `class` column, and any number of
/// numeric attribute columns, each named for the attribute it sets. Rows
/// must be in time order.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::OrderLog;
/// let text = "time,class,items\n2024-11-11T00:00:05,express,2\n2024-11-11T00:01:00,standard,1\n";
/// let log = OrderLog::from_reader(text.as_bytes(), "orders.csv")?;
/// assert_eq!(log.len(), 2);
/// assert_eq!(log.columns(), ["items"]);
///
/// let late = "time\n2024-11-11T00:01:00\n2024-11-11T00:00:05\n";
/// let err = OrderLog::from_reader(late.as_bytes(), "orders.csv").unwrap_err();
/// assert!(err.to_string().contains("orders.csv:3: time: rows must be in time order"), "{err}");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OrderLog {
    origin: String,
    columns: Vec<String>,
    pub(crate) rows: Vec<OrderLogRow>,
}

impl OrderLog {
    /// Parses a CSV log; `origin` names it in messages (a file name).
    ///
    /// # Errors
    /// [`Error::Scenario`] at field `replay_csv`, naming `origin`, the line
    /// and the rule: no `time` column, a time that is not a local
    /// date-time, rows out of order, a value that is not a finite number,
    /// no rows, more than five million rows or 1 GiB of text,
    /// or CSV that cannot be read (a row with more or fewer fields than the
    /// header, naming the header's columns; a field that is not UTF-8,
    /// naming its column).
    pub fn from_reader(reader: impl Read, origin: &str) -> Result<OrderLog> {
        let at = |line: u64, msg: String| {
            Error::scenario("replay_csv", format!("{origin}:{line}: {msg}"))
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(reader.take(MAX_LOG_BYTES + 1));
        let headers = reader
            .headers()
            .map_err(|e| at(1, csv_reason(&e, None)))?
            .clone();
        let time_col = headers
            .iter()
            .position(|h| h == "time")
            .ok_or_else(|| at(1, "needs a `time` column".into()))?;
        let class_col = headers.iter().position(|h| h == "class");
        let columns: Vec<(usize, String)> = headers
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != time_col && Some(*i) != class_col)
            .map(|(i, h)| (i, h.to_string()))
            .collect();
        let mut rows: Vec<OrderLogRow> = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                at(line, csv_reason(&e, Some(&headers)))
            })?;
            let line = record.position().map_or(0, |p| p.line());
            if record.position().is_some_and(|p| p.byte() > MAX_LOG_BYTES) {
                return Err(at(
                    line,
                    format!(
                        "the log is longer than {} MiB, the most a log may be",
                        MAX_LOG_BYTES >> 20
                    ),
                ));
            }
            if rows.len() as u64 >= MAX_LOG_ROWS {
                return Err(at(
                    line,
                    format!("the log has more than {MAX_LOG_ROWS} rows, the most a log may have"),
                ));
            }
            let text = &record[time_col];
            if let Some(offset) = crate::calendar::utc_offset(text) {
                return Err(at(
                    line,
                    format!(
                        "time: must be local port time without a UTC offset (\"{}\" is refused rather than ignored), got \"{}\"",
                        excerpt(offset, MAX_QUOTED),
                        excerpt(text, MAX_QUOTED)
                    ),
                ));
            }
            let dt: DateTime = text.parse().map_err(|_| {
                at(
                    line,
                    format!(
                        "time: must be a local date-time such as 2024-11-11T00:00:05, got \"{}\"",
                        excerpt(text, MAX_QUOTED)
                    ),
                )
            })?;
            if rows.last().is_some_and(|r| dt < r.at) {
                return Err(at(
                    line,
                    format!("time: rows must be in time order, {text} comes after a later row"),
                ));
            }
            let mut values = Vec::with_capacity(columns.len());
            for (i, name) in &columns {
                let v = &record[*i];
                let x: f64 = v
                    .parse()
                    .ok()
                    .filter(|x: &f64| x.is_finite())
                    .ok_or_else(|| {
                        at(
                            line,
                            format!(
                                "{name}: must be a number, got \"{}\"",
                                excerpt(v, MAX_QUOTED)
                            ),
                        )
                    })?;
                values.push(x);
            }
            rows.push(OrderLogRow {
                line,
                at: dt,
                class: class_col.map(|c| record[c].to_string()),
                values,
            });
        }
        if rows.is_empty() {
            return Err(at(1, "has no rows".into()));
        }
        Ok(OrderLog {
            origin: origin.to_string(),
            columns: columns.into_iter().map(|c| c.1).collect(),
            rows,
        })
    }

    /// Where the log came from (a file name), as given.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The attribute columns, in file order.
    #[must_use]
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The number of orders.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the log has no orders (never true of a parsed log).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &[u8]) -> String {
        OrderLog::from_reader(text, "orders.csv")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn csv_errors_name_the_file_line_and_columns() {
        assert_eq!(
            err(b"time,items\n2024-11-04T01:00:00,1,9\n"),
            "replay_csv: orders.csv:2: the row has 3 fields, but the header has 2 (time, items)"
        );
        assert_eq!(
            err(b"time,items\n2024-11-04T01:00:00,\xff\n"),
            "replay_csv: orders.csv:2: items: is not UTF-8 text"
        );
    }

    #[test]
    fn times_with_an_offset_are_refused() {
        for (time, offset) in [
            ("2024-11-04T01:00:00+08:00", "+08:00"),
            ("2024-11-04T01:00:00Z", "Z"),
        ] {
            let e = err(format!("time\n{time}\n").as_bytes());
            assert!(
                e.starts_with(
                    "replay_csv: orders.csv:2: time: must be local port time without a UTC offset"
                ),
                "{e}"
            );
            assert!(e.contains(&format!("\"{offset}\"")), "{e}");
        }
    }

    #[test]
    fn a_long_value_is_quoted_as_an_excerpt() {
        let long = "x".repeat(100_000);
        let e = err(format!("time,items\n2024-11-04T01:00:00,{long}\n").as_bytes());
        assert!(e.len() < 200, "{e}");
        assert!(
            e.ends_with(
                "items: must be a number, got \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\""
            ),
            "{e}"
        );
    }
}
