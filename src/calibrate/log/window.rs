//! A window of a log: the part a fit or a holdout check reads.

use jiff::civil::DateTime;

/// The part of a log to read: the orders that **arrive** from `from`
/// on, observed **until** `until`.
///
/// - `until`: rows at or after it are not read, and stages still open
///   there are censored at it (not at the last row read), as if the log
///   had been cut then; a log that ends before `until` is censored at its
///   last row, as without a window. A fit on the weeks before a holdout reads
///   `Window::until(cut)`.
/// - `from`: orders whose first event is before it are still checked
///   against the map (so that their later rows are not refused as
///   out-of-order), but add nothing to the results: no arrival, no
///   duration, no censored age, no route count. A holdout check of the
///   weeks after a cut reads `Window::from(cut)`: the orders placed in
///   the held-out weeks, whatever was in the system when they began.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::calibrate::{EventLog, EventMap, Window};
/// let map = EventMap::from_toml_str(r#"
///     arrival = "placed"
///     [events]
///     placed = { once = true }
///     left = { once = true, end = true }
///     [stages.stay]
///     from = "placed"
///     to = "left"
/// "#)?;
/// let log = "order,event,time
/// A,placed,2024-11-11T08:00:00
/// B,placed,2024-11-11T09:00:00
/// A,left,2024-11-11T10:00:00
/// B,left,2024-11-11T10:30:00
/// ";
/// let cut: jiff::civil::DateTime = "2024-11-11T08:30".parse().unwrap();
/// let before = EventLog::from_reader_in(log.as_bytes(), &map, "log.csv", Window::until(cut))?;
/// assert_eq!(before.stage("stay").unwrap().censored()[0].secs(), 1800.0, "A, censored at the cut");
/// let after = EventLog::from_reader_in(log.as_bytes(), &map, "log.csv", Window::from(cut))?;
/// assert_eq!(after.stage("stay").unwrap().durations()[0].secs(), 5400.0, "B only");
/// assert_eq!(after.arrivals().len(), 1);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    /// Orders arriving before this add nothing (`None`: from the start).
    pub from: Option<DateTime>,
    /// Rows at or after this are not read (`None`: to the end).
    pub until: Option<DateTime>,
}

impl Window {
    /// The whole log.
    #[must_use]
    pub fn all() -> Self {
        Window::default()
    }

    /// The orders arriving from `from` on.
    #[must_use]
    pub fn from(from: DateTime) -> Self {
        Window {
            from: Some(from),
            until: None,
        }
    }

    /// The log cut at `until`.
    #[must_use]
    pub fn until(until: DateTime) -> Self {
        Window {
            from: None,
            until: Some(until),
        }
    }
}
