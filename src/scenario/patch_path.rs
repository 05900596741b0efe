//! Patch paths: parsing a dotted path with list selectors, finding the
//! value it names in a scenario document, and applying a patch's change
//! (`set`, `scale`, `add`) to that value.

use super::measure::PatchOp;

/// One step of a patch path.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
    Select(&'a str, &'a str),
}

fn parse_path(path: &str) -> std::result::Result<Vec<Step<'_>>, String> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() {
            return Err(format!("empty key in \"{path}\""));
        }
        steps.push(Step::Key(key));
        while !rest.is_empty() {
            let Some(end) = rest.find(']') else {
                return Err(format!("unclosed `[` in \"{path}\""));
            };
            let inner = &rest[1..end];
            if let Some((k, v)) = inner.split_once('=') {
                steps.push(Step::Select(k.trim(), v.trim().trim_matches('"')));
            } else {
                let i = inner
                    .trim()
                    .parse()
                    .map_err(|_| format!("`[{inner}]` is neither a position nor `key=value`"))?;
                steps.push(Step::Index(i));
            }
            rest = &rest[end + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("unexpected \"{rest}\" after `]` in \"{path}\""));
            }
        }
    }
    Ok(steps)
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The message for a key `k` that table `t` (at `at`) does not have: the
/// closest keys, or a few keys, or how many there are.
fn no_key(k: &str, at: &str, t: &toml::Table) -> String {
    let hint = crate::suggest::hint(
        k,
        t.keys().map(String::as_str),
        "keys there",
        "a path follows the tables and keys of the scenario file (`stations.<name>.servers`)",
    );
    let k = crate::excerpt::excerpt(k, 2 * crate::excerpt::MAX_QUOTED);
    format!("no key \"{k}\" in {at}; {hint}")
}

/// The value at `path`, with the path in canonical form (list elements by
/// position).
pub(super) fn locate<'a>(
    doc: &'a mut toml::Table,
    path: &str,
) -> std::result::Result<(&'a mut toml::Value, String), String> {
    let steps = parse_path(path)?;
    let mut here = String::new();
    let mut table: Option<&'a mut toml::Table> = Some(doc);
    let mut value: Option<&'a mut toml::Value> = None;
    for step in steps {
        let current: &'a mut toml::Value = match (table.take(), value.take(), step) {
            (Some(t), _, Step::Key(k)) => {
                if !t.contains_key(k) {
                    let at = if here.is_empty() {
                        "the top level".to_string()
                    } else {
                        format!("\"{here}\"")
                    };
                    return Err(no_key(k, &at, t));
                }
                if !here.is_empty() {
                    here.push('.');
                }
                here.push_str(k);
                t.get_mut(k).expect("checked")
            }
            (None, Some(toml::Value::Table(t)), Step::Key(k)) => {
                if !t.contains_key(k) {
                    return Err(no_key(k, &format!("\"{here}\""), t));
                }
                here.push('.');
                here.push_str(k);
                t.get_mut(k).expect("checked")
            }
            (None, Some(toml::Value::Array(a)), Step::Index(i)) => {
                let n = a.len();
                here.push_str(&format!("[{i}]"));
                a.get_mut(i)
                    .ok_or_else(|| format!("\"{here}\" is past the end of a list of {n}"))?
            }
            (None, Some(toml::Value::Array(a)), Step::Select(k, v)) => {
                let n = a
                    .iter()
                    .position(|x| x.get(k).is_some_and(|x| value_text(x) == v))
                    .ok_or_else(|| format!("no element of \"{here}\" has {k} = \"{v}\""))?;
                here.push_str(&format!("[{n}]"));
                &mut a[n]
            }
            (None, Some(other), Step::Key(k)) => {
                return Err(format!(
                    "\"{here}\" is a {}, not a table, so it has no key \"{k}\"",
                    other.type_str()
                ));
            }
            (None, Some(other), _) => {
                return Err(format!("\"{here}\" is a {}, not a list", other.type_str()));
            }
            (Some(_), _, _) => return Err(format!("\"{path}\" must start with a key")),
            (None, None, _) => unreachable!("one of table and value is set"),
        };
        value = Some(current);
    }
    value
        .map(|v| (v, here))
        .ok_or_else(|| "the path is empty".to_string())
}

pub(super) fn apply_op(target: &mut toml::Value, op: &PatchOp) -> std::result::Result<(), String> {
    match op {
        PatchOp::Set(v) => {
            *target = v.clone();
            Ok(())
        }
        PatchOp::Scale(x) => arithmetic(target, &|v| v * x),
        PatchOp::Add(x) => arithmetic(target, &|v| v + x),
    }
}

fn arithmetic(target: &mut toml::Value, f: &dyn Fn(f64) -> f64) -> std::result::Result<(), String> {
    match target {
        toml::Value::Float(v) => {
            let r = f(*v);
            if !r.is_finite() {
                return Err(format!("{v} becomes {r}, which is not finite"));
            }
            *v = r;
            Ok(())
        }
        toml::Value::Integer(v) => {
            let r = f(*v as f64);
            if !r.is_finite() {
                return Err(format!("{v} becomes {r}, which is not finite"));
            }
            // A whole result stays a whole number; otherwise the scenario
            // check says whether the parameter accepts a fraction.
            *target = if r.fract() == 0.0 && r.abs() < 9.0e15 {
                toml::Value::Integer(r as i64)
            } else {
                toml::Value::Float(r)
            };
            Ok(())
        }
        toml::Value::Array(a) => a.iter_mut().try_for_each(|x| arithmetic(x, f)),
        other => Err(format!(
            "the value is a {}; only numbers and lists of numbers can be scaled or added to",
            other.type_str()
        )),
    }
}
