//! A capacity resource as written on a command line or in Python:
//! `PATH[=COST][:MIN..MAX]`.

use super::Resource;
use crate::error::{Error, Result};

impl Resource {
    /// Reads `PATH[=COST][:MIN..MAX]`: the parameter path of a number of
    /// servers, optionally its cost per unit (above 0) and its bounds
    /// (whole numbers, MIN <= MAX). A `=` inside a list selector
    /// (`shifts[name=day]`) is part of the path.
    ///
    /// # Errors
    /// [`Error::Experiment`] at `resource`, naming the rule and the text.
    ///
    /// # Examples
    /// ```
    /// use cbec_sim::experiment::Resource;
    /// let r = Resource::parse("stations.xray.servers=3:1..8")?;
    /// assert_eq!(r, Resource::new("stations.xray.servers").with_cost(3.0).with_bounds(1, 8));
    /// assert!(Resource::parse("stations.xray.servers:8..1").is_err());
    /// # Ok::<(), cbec_sim::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Resource> {
        let bad = |why: &str| {
            Error::experiment(
                "resource",
                format!(
                    "{why}; the form is PATH[=COST][:MIN..MAX], got \"{}\"",
                    crate::excerpt::excerpt(text, 2 * crate::excerpt::MAX_QUOTED)
                ),
            )
        };
        let (head, bounds) = match text.rsplit_once(':') {
            Some((h, b)) if b.contains("..") => (h, Some(b)),
            _ => (text, None),
        };
        // The cost follows the last `=`, unless that `=` is inside a list
        // selector (`shifts[name=day]`).
        let split = head.rsplit_once('=').filter(|(_, c)| !c.contains(']'));
        let (path, cost) = match split {
            Some((p, c)) => (
                p,
                Some(
                    c.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|c| c.is_finite() && *c > 0.0)
                        .ok_or_else(|| bad("COST must be a number above 0"))?,
                ),
            ),
            None => (head, None),
        };
        if path.trim().is_empty() {
            return Err(bad("PATH is empty"));
        }
        let mut r = Resource::new(path.trim());
        if let Some(c) = cost {
            r = r.with_cost(c);
        }
        if let Some(b) = bounds {
            let (lo, hi) = b.split_once("..").expect("checked");
            let num = |s: &str| s.trim().parse::<u64>().ok();
            match (num(lo), num(hi)) {
                (Some(lo), Some(hi)) if lo <= hi => r = r.with_bounds(lo, hi),
                _ => return Err(bad("MIN..MAX must be whole numbers with MIN <= MAX")),
            }
        }
        Ok(r)
    }
}
