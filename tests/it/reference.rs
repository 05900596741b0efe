//! `docs/scenario-reference.md` against the code: every field each scenario
//! type accepts is documented, and every documented field exists.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::collections::BTreeSet;

/// A deserializer that only records the field names a struct asks for.
struct FieldNames<'a>(&'a mut Vec<&'static str>);

#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stop")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Stop
    }
}

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Stop> {
        self.0.extend_from_slice(fields);
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// The field names `T` accepts, read from its derived deserializer.
fn fields<'de, T: Deserialize<'de>>() -> BTreeSet<String> {
    let mut names = Vec::new();
    let _ = T::deserialize(FieldNames(&mut names));
    names.into_iter().map(str::to_string).collect()
}

/// The fields documented under `<!-- type: NAME -->`.
fn documented(doc: &str, name: &str) -> BTreeSet<String> {
    let marker = format!("<!-- type: {name} -->");
    let start = doc
        .find(&marker)
        .unwrap_or_else(|| panic!("no section for {name}"));
    doc[start + marker.len()..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| {
            let cell = l.trim_start_matches('|').split('|').next()?.trim();
            cell.strip_prefix('`')?
                .strip_suffix('`')
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn every_scenario_field_is_documented_and_every_documented_field_exists() {
    use cbec_sim::*;
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/scenario-reference.md"
    ))
    .unwrap();
    let patch = {
        // Patch reads itself through a plain struct: ask that one.
        let mut names = Vec::new();
        let _ = Patch::deserialize(FieldNames(&mut names));
        names
            .into_iter()
            .map(str::to_string)
            .collect::<BTreeSet<_>>()
    };
    let types: Vec<(&str, BTreeSet<String>)> = vec![
        ("Scenario", fields::<Scenario>()),
        ("RunLength", fields::<RunLength>()),
        ("Source", fields::<Source>()),
        ("RateProfile", fields::<RateProfile>()),
        ("DatedFactor", fields::<DatedFactor>()),
        ("ScheduledBatch", fields::<ScheduledBatch>()),
        ("Station", fields::<Station>()),
        ("Shift", fields::<Shift>()),
        ("Breakdowns", fields::<Breakdowns>()),
        ("Delay", fields::<Delay>()),
        ("Router", fields::<Router>()),
        ("Route", fields::<Route>()),
        ("Rule", fields::<Rule>()),
        ("Dispatch", fields::<Dispatch>()),
        ("WeeklyTime", fields::<WeeklyTime>()),
        ("Pool", fields::<Pool>()),
        ("TopUp", fields::<TopUp>()),
        ("Stock", fields::<Stock>()),
        ("Lots", fields::<Lots>()),
        ("Reorder", fields::<Reorder>()),
        ("RaisedReorder", fields::<RaisedReorder>()),
        ("Sink", fields::<Sink>()),
        ("Interval", fields::<Interval>()),
        ("CbecTax", fields::<CbecTax>()),
        ("CategoryRates", fields::<CategoryRates>()),
        ("FreightInsurance", fields::<FreightInsurance>()),
        ("ReportSpec", fields::<ReportSpec>()),
        ("Measure", fields::<Measure>()),
        ("RawPatch", patch),
    ];
    for (name, code) in types {
        assert!(!code.is_empty(), "{name}: no fields read from the code");
        let docs = documented(&doc, name);
        let missing: Vec<_> = code.difference(&docs).collect();
        let unknown: Vec<_> = docs.difference(&code).collect();
        assert!(
            missing.is_empty(),
            "{name}: fields not in the reference: {missing:?}"
        );
        assert!(
            unknown.is_empty(),
            "{name}: the reference lists fields the code does not accept: {unknown:?}"
        );
    }
}

#[test]
fn every_documented_distribution_family_is_accepted() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/scenario-reference.md"
    ))
    .unwrap();
    let section = &doc[doc.find("## Distributions").unwrap()..doc.find("## The file").unwrap()];
    let families: Vec<&str> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .filter(|f| *f != "dist")
        .collect();
    assert_eq!(families.len(), 10, "{families:?}");
    for f in families {
        // An unknown family is rejected as such; a known one only for its
        // missing parameters.
        let err = toml::from_str::<cbec_sim::DistSpec>(&format!("dist = \"{f}\""))
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field"), "{f}: {err}");
    }
    let err = toml::from_str::<cbec_sim::DistSpec>("dist = \"pareto\"")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown variant"), "{err}");
}
