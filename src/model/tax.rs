//! The composite CBEC tax: rates by product category, the concession on
//! retail imports, and the milestone at which each order's tax is due
//! (summed per run). Configuration ([`CbecTax`], [`CategoryRates`]), the
//! compiled form and its compile step; the tax is added up when the
//! milestone is first stamped (`sim/flow.rs`).

use super::build::Registry;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The tax rates of one product category under general trade.
///
/// CBEC retail imports within the limits pay no tariff and 70% of these
/// (see [`CbecTax`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CategoryRates {
    /// Import VAT rate, as a fraction (0.13 for 13%).
    pub vat: f64,
    /// Consumption-tax rate, as a fraction; 0 for most goods.
    #[serde(default)]
    pub consumption: f64,
}

impl CategoryRates {
    /// VAT `vat` and consumption tax `consumption`, both fractions.
    #[must_use]
    pub fn new(vat: f64, consumption: f64) -> Self {
        CategoryRates { vat, consumption }
    }

    /// The composite CBEC rate with the given concession:
    /// `(consumption + vat) / (1 − consumption) × concession`.
    ///
    /// # Examples
    /// ```
    /// use cbec_sim::CategoryRates;
    /// // 13% VAT, no consumption tax: 9.1%.
    /// assert!((CategoryRates::new(0.13, 0.0).composite(0.7) - 0.091).abs() < 1e-12);
    /// // 13% VAT and 15% consumption tax (high-end cosmetics): 23.1%.
    /// assert!((CategoryRates::new(0.13, 0.15).composite(0.7) - 0.2306).abs() < 1e-4);
    /// ```
    #[must_use]
    pub fn composite(self, concession: f64) -> f64 {
        (self.consumption + self.vat) / (1.0 - self.consumption) * concession
    }
}

fn default_concession() -> f64 {
    0.7
}

/// The composite CBEC retail-import tax, assessed once per order.
///
/// # Semantics
/// When an order first reaches the milestone `at` (release, normally), its
/// tax is `value_attribute × rate(category)`, where the rate of its
/// category is [`CategoryRates::composite`] with `concession`: tariff 0%,
/// VAT and consumption tax at 70% for purchases within the single
/// (5,000 CNY) and annual (26,000 CNY) limits. Orders over a limit should
/// be routed away before `at` by router rules; this part does not check
/// them. The total over the observed span is reported as
/// [`TaxSummary`](crate::TaxSummary).
///
/// In files:
/// ```toml
/// [tax]
/// at = "released"
/// value_attribute = "basket_value_cny"
/// category_attribute = "category"
/// rates = { cosmetics = { vat = 0.13, consumption = 0.15 }, food = { vat = 0.13 } }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CbecTax {
    /// Milestone at which the tax is assessed.
    pub at: String,
    /// Numeric attribute holding the dutiable value, CNY.
    pub value_attribute: String,
    /// Categorical attribute holding the product category.
    pub category_attribute: String,
    /// Rates for every category of `category_attribute`.
    pub rates: BTreeMap<String, CategoryRates>,
    /// Share of VAT and consumption tax payable; 0.7 by law (domain brief §2.9).
    #[serde(default = "default_concession")]
    pub concession: f64,
}

impl CbecTax {
    /// Tax assessed at milestone `at` on `value_attribute` by `category_attribute`,
    /// with the legal 70% concession.
    #[must_use]
    pub fn new(
        at: impl Into<String>,
        value_attribute: impl Into<String>,
        category_attribute: impl Into<String>,
        rates: BTreeMap<String, CategoryRates>,
    ) -> Self {
        CbecTax {
            at: at.into(),
            value_attribute: value_attribute.into(),
            category_attribute: category_attribute.into(),
            rates,
            concession: default_concession(),
        }
    }
}

/// A [`CbecTax`] resolved against a model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledTax {
    pub(crate) milestone: u16,
    pub(crate) value: u16,
    pub(crate) category: u16,
    /// Composite rate by category index.
    pub(crate) rates: Vec<f64>,
}

impl CompiledTax {
    /// Checks the tax table against the model's milestones and attributes.
    pub(crate) fn compile(reg: &Registry, t: &CbecTax) -> Result<Self> {
        let milestone = reg.milestone_named("tax.at", &t.at)?;
        let value = reg
            .attribute(&t.value_attribute)
            .ok_or_else(|| reg.unknown_attribute("tax.value_attribute", &t.value_attribute))?;
        if reg.categories(value).is_some() {
            return Err(Error::scenario(
                "tax.value_attribute",
                format!(
                    "\"{}\" is categorical; the value must be numeric",
                    t.value_attribute
                ),
            ));
        }
        reg.replayed_non_negative(
            &t.value_attribute,
            "it is the value the tax at tax.value_attribute is assessed on",
        )?;
        let category = reg.attribute(&t.category_attribute).ok_or_else(|| {
            reg.unknown_attribute("tax.category_attribute", &t.category_attribute)
        })?;
        let Some(categories) = reg.categories(category) else {
            return Err(Error::scenario(
                "tax.category_attribute",
                format!(
                    "\"{}\" is numeric; give a categorical attribute",
                    t.category_attribute
                ),
            ));
        };
        if !(t.concession.is_finite() && (0.0..=1.0).contains(&t.concession)) {
            return Err(Error::scenario(
                "tax.concession",
                format!("must be between 0 and 1, got {}", t.concession),
            ));
        }
        for (name, r) in &t.rates {
            if !categories.contains(name) {
                return Err(Error::scenario(
                    format!("tax.rates.{name}"),
                    format!(
                        "unknown category of \"{}\"; categories: {}",
                        t.category_attribute,
                        categories.join(", ")
                    ),
                ));
            }
            if !(r.vat.is_finite() && (0.0..=1.0).contains(&r.vat)) {
                return Err(Error::scenario(
                    format!("tax.rates.{name}.vat"),
                    format!("must be a fraction between 0 and 1, got {}", r.vat),
                ));
            }
            if !(r.consumption.is_finite() && (0.0..1.0).contains(&r.consumption)) {
                return Err(Error::scenario(
                    format!("tax.rates.{name}.consumption"),
                    format!(
                        "must be a fraction at least 0 and below 1, got {}",
                        r.consumption
                    ),
                ));
            }
        }
        let rates = categories
            .iter()
            .map(|c| {
                t.rates
                    .get(c)
                    .map(|r| r.composite(t.concession))
                    .ok_or_else(|| {
                        Error::scenario(
                            "tax.rates",
                            format!(
                                "category \"{c}\" of \"{}\" has no rates",
                                t.category_attribute
                            ),
                        )
                    })
            })
            .collect::<Result<Vec<f64>>>()?;
        Ok(CompiledTax {
            milestone,
            value,
            category,
            rates,
        })
    }
}
