//! Where a field of a scenario file is: the line and column of a field
//! path (`stations.desk.servers`, `sources.orders.timetable[0].batch`) in
//! the file's TOML text. A rule of the model is checked after the file is
//! parsed, so its error names a field path; this puts the file's line and
//! column beside it, as the TOML reader does for its own errors.

use crate::error::Error;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The 1-based line and column, in `text`, of the deepest part of `field`
/// that the text holds; `None` if not even its first part is there.
pub(crate) fn locate(text: &str, field: &str) -> Option<(usize, usize)> {
    let doc = DeTable::parse(text).ok()?;
    // A field may carry words after the path ("sources.x.profile at its peak").
    let path = field.split(' ').next().unwrap_or(field);
    let mut table: &DeTable<'_> = doc.get_ref();
    let mut found: Option<&Spanned<DeValue<'_>>> = None;
    for part in path.split('.') {
        let (name, indexes) = part.split_once('[').unwrap_or((part, ""));
        let Some(value) = table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == name)
            .map(|(_, v)| v)
        else {
            break;
        };
        found = Some(value);
        let mut value = value;
        for index in indexes.split('[').filter(|i| !i.is_empty()) {
            let i: usize = index.trim_end_matches(']').parse().ok()?;
            match value.get_ref() {
                DeValue::Array(a) if i < a.len() => value = &a[i],
                _ => break,
            }
            found = Some(value);
        }
        match value.get_ref() {
            DeValue::Table(t) => table = t,
            _ => break,
        }
    }
    let start = found?.span().start.min(text.len());
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, column))
}

/// `e` with the line and column of its field in `text` put before its
/// reason (`stations.desk.servers: line 12, column 11: must be ...`), for
/// a scenario error whose field the text holds.
pub(crate) fn with_location(e: Error, text: &str) -> Error {
    match e {
        Error::Scenario { field, reason } => match locate(text, &field) {
            Some((line, column)) => Error::Scenario {
                reason: format!("line {line}, column {column}: {reason}"),
                field,
            },
            None => Error::Scenario { field, reason },
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[simulation]\nhorizon_h = 48\n\n[sources.orders]\nto = \"desk\"\ntimetable = [{ at = \"06:00\", batch = { dist = \"deterministic\", value = 5 } },\n  { at = \"07:00\", batch = { dist = \"deterministic\", value = 1e12 } }]\n\n[stations.desk]\nservers = 0\n";

    #[test]
    fn a_field_path_is_found_at_its_line_and_column() {
        assert_eq!(locate(TEXT, "simulation.horizon_h"), Some((2, 13)));
        assert_eq!(locate(TEXT, "stations.desk.servers"), Some((10, 11)));
        assert_eq!(
            locate(TEXT, "sources.orders.timetable[1].batch"),
            Some((7, 27))
        );
        assert_eq!(locate(TEXT, "sources.orders.timetable[1]"), Some((7, 3)));
        // The deepest part that is there: a field the file leaves out.
        assert_eq!(
            locate(TEXT, "stations.desk.overflow"),
            locate(TEXT, "stations.desk")
        );
        assert!(locate(TEXT, "stations.desk").is_some_and(|(line, _)| line >= 9));
        assert_eq!(locate(TEXT, "sinks"), None);
        assert_eq!(locate("not toml [", "a"), None);
    }

    #[test]
    fn a_scenario_error_gets_the_location_before_its_reason() {
        let e = with_location(
            Error::scenario("stations.desk.servers", "must be at least 1, got 0"),
            TEXT,
        );
        assert_eq!(
            e.to_string(),
            "stations.desk.servers: line 10, column 11: must be at least 1, got 0"
        );
        let e = with_location(
            Error::scenario("sinks", "at least one sink is required"),
            TEXT,
        );
        assert_eq!(e.to_string(), "sinks: at least one sink is required");
    }
}
