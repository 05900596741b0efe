//! A value of the wrong type, said in the words of its field: serde's
//! `invalid type: string "8 days", expected f64` becomes
//! `"8 days" is not a number; expected a number of hours, e.g. 48`. The
//! expected form is read from the field's name: its unit suffix (`_h`
//! hours, `_min` minutes, `_s` seconds, `_d` days, `_cny` yuan,
//! `_per_hour` a rate), or what it is (`prob` and `share` a share, `vat` a
//! tax rate, `to` a node name); a distribution's parameters (`mean`,
//! `low`, ...) take the unit of the distribution's field.

/// A value of the wrong type, as serde reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Found<'a> {
    Text(&'a str),
    Whole(&'a str),
    Number(&'a str),
    Bool(&'a str),
    List,
    Table,
    Other(&'a str),
}

impl Found<'_> {
    /// The value as it would be written in a file, or what it is.
    fn shown(self) -> String {
        match self {
            Found::Text(s) => format!(
                "\"{}\"",
                crate::excerpt::excerpt(s, crate::excerpt::MAX_QUOTED)
            ),
            Found::Whole(s) | Found::Number(s) | Found::Bool(s) | Found::Other(s) => s.to_string(),
            Found::List => "a list".to_string(),
            Found::Table => "a table".to_string(),
        }
    }

    /// The value's text in the file, to find it there: `"x"`, `3`.
    fn raw(self) -> Option<String> {
        match self {
            Found::Text(s) => Some(format!("\"{s}\"")),
            Found::Whole(s) | Found::Number(s) | Found::Bool(s) => Some(s.to_string()),
            _ => None,
        }
    }
}

/// Parses serde's `string "x"`, ``integer `3` ``, ``floating point `1.5` ``,
/// ``boolean `true` ``, `sequence`, `map`.
fn found(unexpected: &str) -> Found<'_> {
    // The value between backticks (``integer `1e30` as i128``).
    let ticked = |s: &'static str| {
        let v = unexpected.strip_prefix(s)?;
        Some(v.split('`').nth(1).unwrap_or(v))
    };
    if let Some(s) = unexpected.strip_prefix("string ") {
        // serde writes the text with Rust's escapes, between quotes.
        return Found::Text(
            s.strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(s),
        );
    }
    if let Some(v) = ticked("integer ") {
        return Found::Whole(v);
    }
    if let Some(v) = ticked("floating point ") {
        return Found::Number(v);
    }
    if let Some(v) = ticked("boolean ") {
        return Found::Bool(v);
    }
    match unexpected {
        "sequence" => Found::List,
        "map" => Found::Table,
        other => Found::Other(other),
    }
}

/// What the field at `path` holds, and an example: from the last key
/// with a unit or a known meaning, looking through a distribution's
/// parameter to the field it describes.
fn meaning(path: &str) -> Option<(&'static str, &'static str)> {
    // Distribution parameters, and the batch of a timetable, carry the
    // unit of the field above them.
    const PARAMETERS: [&str; 9] = [
        "mean", "value", "low", "high", "mode", "sd", "scale", "samples", "values",
    ];
    let keys = path.rsplit('.').map(|k| k.split('[').next().unwrap_or(k));
    for key in keys {
        if let Some(m) = key_meaning(key) {
            return Some(m);
        }
        if !PARAMETERS.contains(&key) {
            return None;
        }
    }
    None
}

/// The meaning of one key, from its name.
fn key_meaning(key: &str) -> Option<(&'static str, &'static str)> {
    let ends = |s: &str| key == s.trim_start_matches('_') || key.ends_with(s);
    Some(if ends("_per_hour") || ends("_per_h") {
        ("a rate per hour", "100")
    } else if ends("_per_day") {
        ("a rate per day", "2000")
    } else if ends("_h") {
        ("a number of hours", "48")
    } else if ends("_min") {
        ("a number of minutes", "30")
    } else if ends("_s") {
        ("a number of seconds", "90")
    } else if ends("_d") || ends("_days") {
        ("a number of days", "7")
    } else if ends("_cny") {
        ("an amount in yuan", "250")
    } else if ends("_prob") || ends("_share") || ends("_probability") {
        ("a share between 0 and 1", "0.05")
    } else if ["vat", "consumption", "tariff"].contains(&key) {
        ("a tax rate between 0 and 1", "0.13")
    } else if ends("_factor") || ends("_factors") {
        ("a factor", "1.5")
    } else if key == "cv" {
        ("a coefficient of variation", "0.5")
    } else {
        return None;
    })
}

/// The message for a value of the wrong type at `path`, from serde's
/// `invalid type: <found>, expected <form>` (or `invalid value: ...`);
/// `None` for any other message. Also returns the value's text in the
/// file, when it has one, to find it there.
pub(super) fn explain(path: &str, message: &str) -> Option<(String, Option<String>)> {
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?;
    let (unexpected, expected) = rest.rsplit_once(", expected ")?;
    let found = found(unexpected);
    let shown = found.shown();
    let numeric_text = match found {
        Found::Text(s) => s.trim().parse::<f64>().ok().map(|_| s.trim()),
        _ => None,
    };
    let meaning = meaning(path);
    let is_whole = [
        "u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64",
    ]
    .contains(&expected);
    // A whole number too large for the reader is refused whatever the
    // field expects (`expected any value`).
    let too_large = expected == "any value" && matches!(found, Found::Whole(_));
    let text = if matches!(expected, "f64" | "f32") || is_whole || too_large {
        let (form, example) = match (is_whole, meaning) {
            (true, _) => ("a whole number of 0 or more", "10"),
            (false, Some(m)) => m,
            (false, None) => ("a number", "1.5"),
        };
        match (found, numeric_text) {
            (_, Some(n)) => {
                format!("{shown} is text, not a number; expected {form}, without quotes: {n}")
            }
            (Found::Number(v), _) if is_whole => {
                let whole = v
                    .parse::<f64>()
                    .map_or(example.to_string(), |x| format!("{}", x.trunc()));
                format!("{shown} is not a whole number; expected {form}, e.g. {whole}")
            }
            (Found::Whole(v), _) if is_whole && v.starts_with('-') => {
                format!("{shown} is below 0; expected {form}, e.g. {example}")
            }
            (Found::Whole(_) | Found::Number(_), _) => {
                format!("{shown} is out of range; expected {form}, e.g. {example}")
            }
            _ => format!("{shown} is not a number; expected {form}, e.g. {example}"),
        }
    } else if expected == "a string" || expected == "a borrowed string" {
        let what = match path
            .rsplit('.')
            .next()
            .map(|k| k.split('[').next().unwrap_or(k))
        {
            Some(
                "to" | "reject_to" | "renege_to" | "overflow" | "officers" | "from" | "released"
                | "lead_time" | "clearance",
            ) => "a name in quotes",
            _ => "text in quotes",
        };
        let bare = match found {
            Found::Whole(v) | Found::Number(v) | Found::Bool(v) => v.to_string(),
            _ => "...".to_string(),
        };
        format!("{shown} is not text; expected {what}, e.g. \"{bare}\"")
    } else if expected == "a sequence" {
        let inner = match found {
            Found::List | Found::Table | Found::Other(_) => "...".to_string(),
            _ => shown.clone(),
        };
        format!("{shown} is not a list; expected a list in brackets, e.g. [{inner}]")
    } else if expected == "a boolean" {
        format!("{shown} is not true or false; expected true or false, without quotes")
    } else if expected.contains("DistSpec") {
        let mean = match found {
            Found::Whole(v) | Found::Number(v) => v.to_string(),
            Found::Text(s) if numeric_text.is_some() => s.trim().to_string(),
            _ => "1.5".to_string(),
        };
        format!(
            "{shown} is not a distribution; expected a table such as {{ dist = \"exponential\", mean = {mean} }}"
        )
    } else if expected.starts_with("struct ")
        || expected.contains("map")
        || expected.contains("enum")
    {
        format!("{shown} is not a table; expected a table in braces, {{ key = value, ... }}")
    } else {
        format!("{shown} does not fit; expected {expected}")
    };
    Some((text, found.raw()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn says(path: &str, message: &str) -> String {
        explain(path, message).unwrap().0
    }

    #[test]
    fn a_number_field_says_its_unit() {
        assert_eq!(
            says(
                "simulation.horizon_h",
                "invalid type: string \"8 days\", expected f64"
            ),
            "\"8 days\" is not a number; expected a number of hours, e.g. 48"
        );
        assert_eq!(
            says(
                "stations.review.service_time_min.mean",
                "invalid type: string \"1.5 min\", expected f64"
            ),
            "\"1.5 min\" is not a number; expected a number of minutes, e.g. 30"
        );
        assert_eq!(
            says(
                "stations.review.service_time_min.cv",
                "invalid type: boolean `true`, expected f64"
            ),
            "true is not a number; expected a coefficient of variation, e.g. 0.5"
        );
        assert_eq!(
            says(
                "sources.orders.rate_per_hour",
                "invalid type: string \"100\", expected f64"
            ),
            "\"100\" is text, not a number; expected a rate per hour, without quotes: 100"
        );
        assert_eq!(
            says(
                "routers.split.routes[0].prob",
                "invalid type: string \"5%\", expected f64"
            ),
            "\"5%\" is not a number; expected a share between 0 and 1, e.g. 0.05"
        );
        assert_eq!(
            says("a.weird", "invalid type: sequence, expected f64"),
            "a list is not a number; expected a number, e.g. 1.5"
        );
    }

    #[test]
    fn a_count_says_whole_number() {
        assert_eq!(
            says(
                "dispatches.trucks.capacity",
                "invalid type: floating point `3000.5`, expected u32"
            ),
            "3000.5 is not a whole number; expected a whole number of 0 or more, e.g. 3000"
        );
        assert_eq!(
            says(
                "stations.x.queue_capacity",
                "invalid value: integer `-3`, expected u32"
            ),
            "-3 is below 0; expected a whole number of 0 or more, e.g. 10"
        );
    }

    #[test]
    fn names_lists_and_tables() {
        assert_eq!(
            says(
                "dispatches.trucks.to",
                "invalid type: integer `3`, expected a string"
            ),
            "3 is not text; expected a name in quotes, e.g. \"3\""
        );
        assert_eq!(
            says(
                "sources.flights.timetable[0].days",
                "invalid type: string \"mon\", expected a sequence"
            ),
            "\"mon\" is not a list; expected a list in brackets, e.g. [\"mon\"]"
        );
        assert_eq!(
            says(
                "stations.pick.service_time_min",
                "invalid type: integer `3`, expected internally tagged enum DistSpec"
            ),
            "3 is not a distribution; expected a table such as { dist = \"exponential\", mean = 3 }"
        );
        assert_eq!(explain("a", "missing field `cv`"), None);
        let long = "x".repeat(100_000);
        let (said, raw) = explain(
            "simulation.horizon_h",
            &format!("invalid type: string \"{long}\", expected f64"),
        )
        .unwrap();
        assert!(said.len() < 200, "a long value is cut: {said}");
        assert!(
            said.ends_with("expected a number of hours, e.g. 48"),
            "{said}"
        );
        assert_eq!(
            raw.unwrap().len(),
            long.len() + 2,
            "found whole in the file"
        );
        assert_eq!(
            says(
                "x.time_between_failures_h.low",
                "invalid type: integer `1000000000000000000000000000000` as i128, expected any value"
            ),
            "1000000000000000000000000000000 is out of range; expected a number of hours, e.g. 48"
        );
    }
}
