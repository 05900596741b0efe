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

/// The path of the value at byte `at` of `text`, at or below `field` (a
/// path the text holds): `routers.split.routes[0].prob` for an error
/// inside the inline list at `routers.split.routes`. When the value there
/// is an inline table or list that does not itself hold `at` in one of its
/// values (the reader put an error about one of them on the whole table),
/// the first value in it written as `raw` is taken. `None` if the text
/// does not hold `field`.
pub(crate) fn path_at(text: &str, field: &str, at: usize, raw: Option<&str>) -> Option<String> {
    let doc = DeTable::parse(text).ok()?;
    let mut table: &DeTable<'_> = doc.get_ref();
    let mut value: Option<&Spanned<DeValue<'_>>> = None;
    for part in field.split('.') {
        let (_, v) = table.iter().find(|(k, _)| k.get_ref().as_ref() == part)?;
        value = Some(v);
        if let DeValue::Table(t) = v.get_ref() {
            table = t;
        }
    }
    let mut value = value?;
    let mut path = field.to_string();
    loop {
        let next = match value.get_ref() {
            DeValue::Array(a) => a
                .iter()
                .enumerate()
                .find(|(_, v)| v.span().contains(&at))
                .map(|(i, v)| (format!("[{i}]"), v)),
            DeValue::Table(t) => t
                .iter()
                .find(|(_, v)| v.span().contains(&at))
                .map(|(k, v)| (format!(".{}", k.get_ref()), v)),
            _ => None,
        };
        match next {
            Some((step, v)) => {
                path.push_str(&step);
                value = v;
            }
            None => break,
        }
    }
    if let Some(raw) = raw
        && let Some(below) = written_as(text, value, raw)
    {
        path.push_str(&below);
    }
    Some(path)
}

/// The path, below `value`, of the first value written as `raw`.
fn written_as(text: &str, value: &Spanned<DeValue<'_>>, raw: &str) -> Option<String> {
    match value.get_ref() {
        DeValue::Array(a) => a.iter().enumerate().find_map(|(i, v)| {
            let below = written_as(text, v, raw)?;
            Some(format!("[{i}]{below}"))
        }),
        DeValue::Table(t) => t.iter().find_map(|(k, v)| {
            let below = written_as(text, v, raw)?;
            Some(format!(".{}{below}", k.get_ref()))
        }),
        _ => {
            let span = value.span();
            (text.get(span).map(str::trim) == Some(raw)).then(String::new)
        }
    }
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
    fn the_path_of_a_value_inside_an_inline_table_or_list() {
        let text = "[routers.split]\nroutes = [{ to = \"a\", prob = 0.5 }, { to = \"b\", prob = \"5%\" }]\n[stations.desk]\nservice_time_min = { dist = \"exponential\", mean = \"1.5 min\" }\n";
        let at = text.find("\"5%\"").unwrap();
        assert_eq!(
            path_at(text, "routers.split.routes", at, Some("\"5%\"")).as_deref(),
            Some("routers.split.routes[1].prob")
        );
        // An error on the whole inline table: the value written so.
        let at = text.find("{ dist").unwrap();
        assert_eq!(
            path_at(
                text,
                "stations.desk.service_time_min",
                at,
                Some("\"1.5 min\"")
            )
            .as_deref(),
            Some("stations.desk.service_time_min.mean")
        );
        assert_eq!(
            path_at(text, "stations.desk.service_time_min", at, None).as_deref(),
            Some("stations.desk.service_time_min")
        );
        assert_eq!(path_at(text, "sinks", 0, None), None);
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
