//! The one text-table renderer: the tables the `cbec-sim` command prints,
//! those of the examples and the rows of the HTML report come from here.
//!
//! A column is left- or right-aligned and either has a fixed width (every
//! cell is padded to at least that many characters, as `format!("{:>12}")`
//! does) or fits its widest cell. Cells are joined by a separator (one
//! space unless set) and every line ends with a newline.
//!
//! # Examples
//! ```
//! use cbec_sim::report::table::{Column, Table};
//! let mut t = Table::new(vec![Column::left("KPI"), Column::right("mean")]).separator("  ");
//! t.push(["wait_mean_min", "3.2500"]);
//! t.push(["backlog_at_end", "12.0000"]);
//! assert_eq!(
//!     t.to_string(),
//!     "KPI                mean\nwait_mean_min    3.2500\nbacklog_at_end  12.0000\n"
//! );
//! ```

use std::fmt;

/// A number for a table cell: four decimals, `-` when undefined.
///
/// ```
/// use cbec_sim::report::table::number;
/// assert_eq!(number(Some(2.0 / 3.0)), "0.6667");
/// assert_eq!(number(None), "-");
/// ```
#[must_use]
pub fn number(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.4}"))
}

/// A number as a reader takes it in: at most 6 significant digits, with
/// thousands separators, `-` when undefined or not finite. Below 1,000,
/// 3 significant digits (`57.9`, `0.0123`, trailing zeros dropped); from
/// 1,000 to 999,999, the whole number (`20,153`); from a million, 4
/// significant digits (`5,863,000`). Every table of the HTML report writes
/// its numbers with it.
///
/// ```
/// use cbec_sim::report::table::readable;
/// assert_eq!(readable(Some(20152.5)), "20,153");
/// assert_eq!(readable(Some(5_863_225.2939)), "5,863,000");
/// assert_eq!(readable(Some(57.9411)), "57.9");
/// assert_eq!(readable(Some(0.012345)), "0.0123");
/// assert_eq!(readable(Some(-3.0)), "-3");
/// assert_eq!(readable(Some(1.0)), "1");
/// assert_eq!(readable(None), "-");
/// ```
#[must_use]
pub fn readable(v: Option<f64>) -> String {
    let Some(x) = v.filter(|x| x.is_finite()) else {
        return "-".to_string();
    };
    let a = x.abs();
    let text = if a >= 1e6 {
        let scale = 10f64.powi(a.log10().floor() as i32 - 3);
        grouped((x / scale).round() * scale)
    } else if a >= 999.5 {
        grouped(x.round())
    } else {
        // 3 significant digits; the rounding may carry into a 4th digit
        // place (999.7 -> 1,000), which is caught above on the next line.
        let digits = (2 - a.log10().floor() as i32).clamp(0, 12) as usize;
        let s = format!("{x:.digits$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        "0".to_string()
    } else {
        text
    }
}

/// A whole number with a comma between groups of three digits.
fn grouped(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 { format!("-{out}") } else { out }
}

/// Where a cell's text sits within its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text first, padding after.
    Left,
    /// Padding first, text after (numbers).
    Right,
}

/// One column: its header, alignment and width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    header: String,
    align: Align,
    /// `Some(w)`: pad each cell to at least `w` characters; `None`: fit
    /// the widest cell.
    width: Option<usize>,
}

impl Column {
    /// A left-aligned column that fits its widest cell.
    #[must_use]
    pub fn left(header: impl Into<String>) -> Self {
        Column {
            header: header.into(),
            align: Align::Left,
            width: None,
        }
    }

    /// A right-aligned column that fits its widest cell.
    #[must_use]
    pub fn right(header: impl Into<String>) -> Self {
        Column {
            header: header.into(),
            align: Align::Right,
            width: None,
        }
    }

    /// The column with a fixed width: each cell is padded to at least
    /// `width` characters (a longer cell is kept whole, not cut).
    #[must_use]
    pub fn width(mut self, width: usize) -> Self {
        self.width = Some(width);
        self
    }

    /// The column's header.
    #[must_use]
    pub fn header(&self) -> &str {
        &self.header
    }
}

/// A text table: columns and rows of cells, rendered by [`fmt::Display`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
    separator: String,
}

impl Table {
    /// An empty table with these columns, cells separated by one space.
    #[must_use]
    pub fn new(columns: Vec<Column>) -> Self {
        Table {
            columns,
            rows: Vec::new(),
            separator: " ".to_string(),
        }
    }

    /// The table with cells separated by `separator`.
    #[must_use]
    pub fn separator(mut self, separator: impl Into<String>) -> Self {
        self.separator = separator.into();
        self
    }

    /// Adds a row. Missing cells are blank; cells beyond the last column
    /// are dropped.
    pub fn push<I>(&mut self, cells: I)
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let mut row: Vec<String> = cells
            .into_iter()
            .map(Into::into)
            .take(self.columns.len())
            .collect();
        row.resize(self.columns.len(), String::new());
        self.rows.push(row);
    }

    /// The table with these rows added.
    #[must_use]
    pub fn with_rows<R>(mut self, rows: impl IntoIterator<Item = R>) -> Self
    where
        R: IntoIterator,
        R::Item: Into<String>,
    {
        for r in rows {
            self.push(r);
        }
        self
    }

    /// The column headers.
    #[must_use]
    pub fn headers(&self) -> Vec<&str> {
        self.columns.iter().map(Column::header).collect()
    }

    /// The rows, each with one cell per column.
    #[must_use]
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The rows, taken out of the table.
    #[must_use]
    pub fn into_rows(self) -> Vec<Vec<String>> {
        self.rows
    }

    /// The width of each column, in characters.
    fn widths(&self) -> Vec<usize> {
        self.columns
            .iter()
            .enumerate()
            .map(|(c, col)| {
                col.width.unwrap_or_else(|| {
                    self.rows
                        .iter()
                        .map(|r| r[c].chars().count())
                        .chain([col.header.chars().count()])
                        .max()
                        .unwrap_or(0)
                })
            })
            .collect()
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let widths = self.widths();
        let line = |f: &mut fmt::Formatter<'_>, cells: &mut dyn Iterator<Item = &str>| {
            for (c, cell) in cells.enumerate() {
                if c > 0 {
                    f.write_str(&self.separator)?;
                }
                let w = widths[c];
                match self.columns[c].align {
                    Align::Left => write!(f, "{cell:<w$}")?,
                    Align::Right => write!(f, "{cell:>w$}")?,
                }
            }
            f.write_str("\n")
        };
        line(f, &mut self.columns.iter().map(Column::header))?;
        for r in &self.rows {
            line(f, &mut r.iter().map(String::as_str))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_numbers_keep_at_most_six_significant_digits() {
        for (x, want) in [
            (0.0, "0"),
            (-0.0001, "-0.0001"),
            (0.00001234, "0.0000123"),
            (999.4, "999"),
            (999.7, "1,000"),
            (123_456.7, "123,457"),
            (999_999.6, "1,000,000"),
            (-20_152.5, "-20,153"),
            (1.5e12, "1,500,000,000,000"),
            (0.7160, "0.716"),
        ] {
            assert_eq!(readable(Some(x)), want, "{x}");
        }
        assert_eq!(readable(Some(f64::NAN)), "-");
        assert_eq!(readable(Some(1e-300)), "0");
    }

    #[test]
    fn fixed_widths_pad_like_format() {
        let mut t = Table::new(vec![
            Column::left("KPI").width(6),
            Column::right("± CI").width(6),
        ]);
        t.push(["a", "1.5"]);
        t.push(["longer_name", "2"]);
        assert_eq!(
            t.to_string(),
            format!(
                "{:<6} {:>6}\n{:<6} {:>6}\n{:<6} {:>6}\n",
                "KPI", "± CI", "a", "1.5", "longer_name", "2"
            )
        );
    }

    #[test]
    fn fitted_columns_take_the_widest_cell_in_characters() {
        let t = Table::new(vec![Column::left("n"), Column::right("±")])
            .separator("  ")
            .with_rows([["éé", "1"], ["x", "123"]]);
        assert_eq!(t.to_string(), "n     ±\néé    1\nx   123\n");
    }

    #[test]
    fn short_rows_are_padded_and_long_rows_cut() {
        let mut t = Table::new(vec![Column::left("a"), Column::left("b")]);
        t.push(["1"]);
        t.push(["1", "2", "3"]);
        assert_eq!(t.rows(), &[vec!["1", ""], vec!["1", "2"]]);
        assert_eq!(t.headers(), ["a", "b"]);
    }
}
