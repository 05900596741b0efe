//! [`Provenance`]: how a report was made, for its footer: the command
//! line and the date of the run. The crate version, the seed and the
//! replications come from the document's [`Setup`](super::Setup).

/// The command line and the date of a run, filled in by the caller so that
/// a report written in a test is the same every time.
///
/// # Examples
/// ```
/// use cbec_sim::report::Provenance;
/// let p = Provenance::new(
///     ["/usr/bin/cbec-sim", "run", "my scenario.toml", "-n", "20"],
///     "2026-11-11 08:00 UTC",
/// );
/// assert_eq!(p.command_line, "cbec-sim run 'my scenario.toml' -n 20");
/// assert_eq!(p.date, "2026-11-11 08:00 UTC");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    /// The command line, arguments quoted as a shell would need them, the
    /// program by its file name.
    pub command_line: String,
    /// When the report was written, as the reader should see it.
    pub date: String,
}

impl Provenance {
    /// The provenance of a run started by `args` (the program first) on
    /// `date`.
    #[must_use]
    pub fn new<I, S>(args: I, date: impl Into<String>) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let words: Vec<String> = args
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                let a = a.as_ref();
                if i == 0 {
                    let name = std::path::Path::new(a)
                        .file_name()
                        .map_or(a.into(), |n| n.to_string_lossy().into_owned());
                    quoted(&name)
                } else {
                    quoted(a)
                }
            })
            .collect();
        Provenance {
            command_line: words.join(" "),
            date: date.into(),
        }
    }

    /// The provenance of a run started by `args` now, dated to the minute
    /// in UTC (`2026-11-11 08:00 UTC`).
    #[must_use]
    pub fn now<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let date = jiff::Timestamp::now()
            .strftime("%Y-%m-%d %H:%M UTC")
            .to_string();
        Self::new(args, date)
    }
}

/// One word of a command line as a POSIX shell reads it back.
fn quoted(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_words_are_quoted_for_a_shell() {
        assert_eq!(quoted(""), "''");
        assert_eq!(quoted("it's"), "'it'\\''s'");
        assert_eq!(quoted("lead_time_p95_h<=24"), "'lead_time_p95_h<=24'");
        assert_eq!(quoted("a=1,2"), "a=1,2");
        let p = Provenance::now(["cbec-sim"]);
        assert!(p.date.ends_with(" UTC") && p.date.len() == 20, "{}", p.date);
    }
}
