//! "Did you mean": the names closest to a misspelt one, for every message
//! about a name the input does not have (a node, a KPI, a measure, a key
//! of a parameter path, a class, an attribute), so that they all read the
//! same: at most five suggestions, closest first; else, if there are only
//! a few names, all of them; else how many there are and how to list
//! them, never a dump of every name.

/// Most names a message suggests (or lists, when none is close).
pub(crate) const MAX_SUGGESTIONS: usize = 5;

/// Up to `max` of `names` close to `wanted`, closest first (ties in the
/// order given, repeats dropped).
///
/// Close means a Damerau–Levenshtein distance, ignoring case, of at most
/// a third of the longer name (at least 2), and at most 2 more than the
/// closest name's. A name that is `wanted` (of 3 characters or more)
/// with a part before or after it, split at `.`, `_` or `-`
/// (`review.wait_mean_min` for `wait_mean_min` or `review`,
/// `basket_value_cny` for `basket_value`), counts as 1 away.
pub(crate) fn closest<'a>(
    wanted: &str,
    names: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Vec<&'a str> {
    let lower = wanted.to_lowercase();
    let wanted_chars = lower.chars().count();
    let mut scored: Vec<(usize, &'a str)> = Vec::new();
    for name in names {
        if scored.iter().any(|(_, n)| *n == name) {
            continue;
        }
        let n = name.to_lowercase();
        let chars = n.chars().count();
        let part = wanted_chars >= 3
            && chars > wanted_chars
            && ['.', '_', '-'].iter().any(|sep| {
                n.ends_with(&format!("{sep}{lower}")) || n.starts_with(&format!("{lower}{sep}"))
            });
        let limit = (chars.max(wanted_chars) / 3).max(2);
        // The distance is at least the difference in length: a name (or a
        // wanted text of megabytes) that far apart is not compared.
        let d = if part {
            1
        } else if chars.abs_diff(wanted_chars) > limit {
            continue;
        } else {
            strsim::damerau_levenshtein(&lower, &n)
        };
        if d <= limit {
            scored.push((d, name));
        }
    }
    // A stable sort keeps ties in the order given.
    scored.sort_by_key(|(d, _)| *d);
    let best = scored.first().map_or(0, |(d, _)| *d);
    scored
        .into_iter()
        .take_while(|(d, _)| *d <= best + 2)
        .take(max)
        .map(|(_, n)| n)
        .collect()
}

/// `"a"`, `"a" or "b"`, `"a", "b" or "c"` (`or` may be `and`).
fn quoted_list(names: &[&str], last: &str) -> String {
    let q: Vec<String> = names
        .iter()
        .map(|n| {
            format!(
                "\"{}\"",
                crate::excerpt::excerpt(n, 2 * crate::excerpt::MAX_QUOTED)
            )
        })
        .collect();
    match q.split_last() {
        None => String::new(),
        Some((only, [])) => only.clone(),
        Some((tail, head)) => format!("{} {last} {tail}", head.join(", ")),
    }
}

/// `did you mean "a", "b" or "c"?`, or `None` for no names.
pub(crate) fn did_you_mean(close: &[&str]) -> Option<String> {
    (!close.is_empty()).then(|| format!("did you mean {}?", quoted_list(close, "or")))
}

/// What follows `unknown <thing> "<wanted>"; ` in a message, given the
/// close names already found and every valid name: the suggestion; else,
/// for at most five names, all of them (`the nodes are "a" and "b"`); else
/// their number and `list_with`, which says where to find them
/// (`none of the 212 KPIs is close; <list_with>`; with no names at all,
/// `there are no KPIs; <list_with>`).
pub(crate) fn hint_from(close: &[&str], all: &[&str], plural: &str, list_with: &str) -> String {
    if let Some(d) = did_you_mean(close) {
        return d;
    }
    match all.len() {
        0 => format!("there are no {plural}; {list_with}"),
        n if n <= MAX_SUGGESTIONS => format!("the {plural} are {}", quoted_list(all, "and")),
        n => format!("none of the {n} {plural} is close; {list_with}"),
    }
}

/// [`hint_from`] for `wanted` among `names`.
pub(crate) fn hint<'a>(
    wanted: &str,
    names: impl IntoIterator<Item = &'a str>,
    plural: &str,
    list_with: &str,
) -> String {
    let all: Vec<&str> = names.into_iter().collect();
    let close = closest(wanted, all.iter().copied(), MAX_SUGGESTIONS);
    hint_from(&close, &all, plural, list_with)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The number of quoted names in a message.
    fn quoted(message: &str) -> usize {
        message.matches('"').count() / 2
    }

    #[test]
    fn the_closest_come_first() {
        let words = ["capacity", "servers", "service_time_min", "shifts"];
        assert_eq!(closest("servrs", words, 5), ["servers"]);
        assert_eq!(closest("SERVERS", words, 5), ["servers"], "case is ignored");
        assert!(closest("overflow", words, 5).is_empty());
        let kpis = [
            "desk.wait_p50_min",
            "desk.wait_mean_min",
            "desk.wait_p90_min",
        ];
        assert_eq!(
            closest("desk.wiat_mean_min", kpis, 5),
            ["desk.wait_mean_min"]
        );
        assert_eq!(
            closest("desk.wait_p95_min", kpis, 5),
            ["desk.wait_p90_min", "desk.wait_p50_min"],
            "the mean is more than 2 further than the closest"
        );
    }

    #[test]
    fn a_name_without_its_dotted_part_is_close() {
        let kpis = [
            "network.left_per_day",
            "review.wait_mean_min",
            "pick.wait_mean_min",
        ];
        assert_eq!(
            closest("wait_mean_min", kpis, 5),
            ["review.wait_mean_min", "pick.wait_mean_min"]
        );
        assert_eq!(closest("review", kpis, 5), ["review.wait_mean_min"]);
        let attributes = ["basket_value_cny", "annual_spent_cny", "items"];
        assert_eq!(closest("basket", attributes, 5), ["basket_value_cny"]);
    }

    #[test]
    fn a_huge_wanted_text_is_not_compared() {
        let huge = "x".repeat(10_000_000);
        let started = std::time::Instant::now();
        let names: Vec<String> = (0..300).map(|i| format!("part{i}.wait_mean_min")).collect();
        assert!(closest(&huge, names.iter().map(String::as_str), 5).is_empty());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn never_more_than_max() {
        let names: Vec<String> = (0..40).map(|i| format!("desk{i}")).collect();
        let close = closest("desk", names.iter().map(String::as_str), MAX_SUGGESTIONS);
        assert_eq!(close, ["desk0", "desk1", "desk2", "desk3", "desk4"]);
        let h = hint("desk", names.iter().map(String::as_str), "nodes", "-");
        assert_eq!(
            h,
            "did you mean \"desk0\", \"desk1\", \"desk2\", \"desk3\" or \"desk4\"?"
        );
        assert_eq!(quoted(&h), MAX_SUGGESTIONS);
    }

    #[test]
    fn with_nothing_close_a_few_names_are_listed_and_many_are_counted() {
        assert_eq!(
            hint("zzz", ["a", "bb"], "nodes", "see the file"),
            "the nodes are \"a\" and \"bb\""
        );
        assert_eq!(
            hint("x", [], "attributes", "sources declare them"),
            "there are no attributes; sources declare them"
        );
        let many: Vec<String> = (0..212).map(|i| format!("part{i}.kpi")).collect();
        let h = hint(
            "lead_time_h",
            many.iter().map(String::as_str),
            "KPIs",
            "`cbec-sim explain <scenario> --kpis` lists them",
        );
        assert_eq!(
            h,
            "none of the 212 KPIs is close; `cbec-sim explain <scenario> --kpis` lists them"
        );
        assert_eq!(quoted(&h), 0);
    }

    #[test]
    fn one_two_and_three_names_read_as_a_sentence() {
        assert_eq!(did_you_mean(&[]), None);
        assert_eq!(did_you_mean(&["a"]).unwrap(), "did you mean \"a\"?");
        assert_eq!(
            did_you_mean(&["a", "b"]).unwrap(),
            "did you mean \"a\" or \"b\"?"
        );
        assert_eq!(
            did_you_mean(&["a", "b", "c"]).unwrap(),
            "did you mean \"a\", \"b\" or \"c\"?"
        );
    }
}
