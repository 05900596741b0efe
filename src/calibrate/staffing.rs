//! Staffing from a shift file: the servers and shifts of stations, set in
//! a template before a fit's values.

use crate::error::{Error, Result};

/// Sets the staffing of a shift file in `template` (a scenario document):
/// the file has one `[stations.<name>]` table per station with `servers`
/// and/or `shifts` (as in a scenario), and nothing else. Returns what it
/// set, as `stations.<name>.<key>` paths.
///
/// # Errors
/// [`Error::Parse`] if the file does not parse; [`Error::Scenario`] at
/// the file's field for a key other than `stations`, a station the
/// template lacks (with the closest names), or a key other than
/// `servers` and `shifts`.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// let mut doc: toml::Table = toml::from_str(r#"
///     [stations.review]
///     servers = 2
/// "#).unwrap();
/// let set = cbec_sim::calibrate::apply_shifts(&mut doc, r#"
///     [stations.review]
///     servers = 0
///     shifts = [{ days = ["mon", "tue"], from = "08:30", to = "17:30", servers = 6 }]
/// "#)?;
/// assert_eq!(set, ["stations.review.servers", "stations.review.shifts"]);
/// assert_eq!(doc["stations"]["review"]["servers"].as_integer(), Some(0));
/// # Ok(()) }
/// ```
pub fn apply_shifts(template: &mut toml::Table, shift_file: &str) -> Result<Vec<String>> {
    let file: toml::Table = toml::from_str(shift_file).map_err(|e| Error::parse(e, None, None))?;
    let mut set = Vec::new();
    for (key, value) in &file {
        if key != "stations" {
            return Err(Error::scenario(
                key.clone(),
                "a shift file has only [stations.<name>] tables with `servers` and `shifts`",
            ));
        }
        let Some(stations) = value.as_table() else {
            return Err(Error::scenario("stations", "must be a table of stations"));
        };
        let Some(toml::Value::Table(have)) = template.get_mut("stations") else {
            return Err(Error::scenario(
                "stations",
                "the template has no [stations] to staff",
            ));
        };
        for (name, staffing) in stations {
            let names: Vec<String> = have.keys().cloned().collect();
            let Some(toml::Value::Table(station)) = have.get_mut(name) else {
                return Err(Error::scenario(
                    format!("stations.{name}"),
                    format!(
                        "the template has no station \"{name}\"; {}",
                        crate::suggest::hint(
                            name,
                            names.iter().map(String::as_str),
                            "stations",
                            "the template's [stations] list them"
                        )
                    ),
                ));
            };
            let Some(staffing) = staffing.as_table() else {
                return Err(Error::scenario(
                    format!("stations.{name}"),
                    "must be a table with `servers` and/or `shifts`",
                ));
            };
            for (k, v) in staffing {
                if k != "servers" && k != "shifts" {
                    return Err(Error::scenario(
                        format!("stations.{name}.{k}"),
                        "a shift file sets only `servers` and `shifts`",
                    ));
                }
                station.insert(k.clone(), v.clone());
                set.push(format!("stations.{name}.{k}"));
            }
        }
    }
    Ok(set)
}
