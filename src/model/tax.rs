//! The composite CBEC tax: rates by product category, the concession on
//! retail imports, the full general-trade rate for a single-item order
//! over the single limit, freight and insurance in the dutiable value, and
//! the milestone at which each order's tax is due (summed per run).
//! Configuration ([`CbecTax`], [`CategoryRates`], [`FreightInsurance`]),
//! the compiled form and its compile step; the tax is added up when the
//! milestone is first stamped (`sim/flow.rs`, through
//! `CompiledTax::assess`).

use super::build::Registry;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The tax rates of one product category under general trade.
///
/// CBEC retail imports within the limits pay no tariff and 70% of VAT and
/// consumption tax (see [`CbecTax`]); a single-item order over the single
/// limit pays all three in full ([`CategoryRates::general`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CategoryRates {
    /// Import VAT rate, as a fraction (0.13 for 13%).
    pub vat: f64,
    /// Consumption-tax rate, as a fraction; 0 for most goods.
    #[serde(default)]
    pub consumption: f64,
    /// General-goods import tariff (most-favoured-nation duty), as a
    /// fraction; needed only when [`CbecTax::items_attribute`] is set, for
    /// single-item orders over the single limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tariff: Option<f64>,
}

impl CategoryRates {
    /// VAT `vat` and consumption tax `consumption`, both fractions.
    #[must_use]
    pub fn new(vat: f64, consumption: f64) -> Self {
        CategoryRates {
            vat,
            consumption,
            tariff: None,
        }
    }

    /// The same rates with the general-goods tariff `tariff` (a fraction).
    #[must_use]
    pub fn with_tariff(mut self, tariff: f64) -> Self {
        self.tariff = Some(tariff);
        self
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

    /// The full general-trade rate on the dutiable value, with no
    /// concession, or `None` without a tariff.
    ///
    /// # Formula
    /// With dutiable value `V`, tariff `t`, consumption tax `c` and VAT `v`:
    /// - tariff = `V × t`;
    /// - consumption tax = `(V + tariff) / (1 − c) × c` (assessed on the
    ///   composite taxable price);
    /// - VAT = `(V + tariff + consumption tax) × v = (V + tariff) / (1 − c) × v`;
    ///
    /// so the total is `V × (t + (1 + t) × (c + v) / (1 − c))`.
    ///
    /// # Examples
    /// ```
    /// use cbec_sim::CategoryRates;
    /// // High-end cosmetics: tariff 5%, VAT 13%, consumption tax 15%:
    /// // 0.05 + 1.05 × 0.28 / 0.85 = 0.395882...
    /// let r = CategoryRates::new(0.13, 0.15).with_tariff(0.05);
    /// assert!((r.general().unwrap() - 0.395_882_352_9).abs() < 1e-9);
    /// assert_eq!(CategoryRates::new(0.13, 0.0).general(), None);
    /// ```
    #[must_use]
    pub fn general(self) -> Option<f64> {
        let t = self.tariff?;
        Some(t + (1.0 + t) * (self.consumption + self.vat) / (1.0 - self.consumption))
    }
}

fn default_concession() -> f64 {
    0.7
}

fn default_single_limit() -> f64 {
    5000.0
}

/// Freight and insurance added to the dutiable value: `fixed_cny + share ×
/// value`.
///
/// In files: `freight_insurance = { fixed_cny = 20, share = 0.01 }`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct FreightInsurance {
    /// Fixed freight and insurance per order, CNY.
    #[serde(default)]
    pub fixed_cny: f64,
    /// Freight and insurance as a share of the order's value.
    #[serde(default)]
    pub share: f64,
}

impl FreightInsurance {
    /// `fixed_cny` per order plus `share` of the order's value.
    #[must_use]
    pub fn new(fixed_cny: f64, share: f64) -> Self {
        FreightInsurance { fixed_cny, share }
    }
}

/// The composite CBEC retail-import tax, assessed once per order.
///
/// # Semantics
/// When an order first reaches the milestone `at` (release, normally), its
/// tax is `dutiable × rate(category)`, where:
/// - the dutiable value is `value_attribute`, plus
///   [`freight_insurance`](Self::freight_insurance) when given
///   (`value × (1 + share) + fixed_cny`);
/// - the rate of its category is [`CategoryRates::composite`] with
///   `concession`: tariff 0%, VAT and consumption tax at 70%, for purchases
///   within the single (5,000 CNY) and annual (26,000 CNY) limits;
/// - when [`items_attribute`](Self::items_attribute) is set, an order whose
///   `value_attribute` (before freight) is over `single_limit_cny` and
///   which holds at most one item pays the full general-trade rate
///   [`CategoryRates::general`] (tariff, VAT and consumption tax, no
///   concession): a single indivisible item over the limit may clear
///   through CBEC this way and counts toward the annual total.
///
/// Multi-item baskets over the single limit and orders over the annual
/// limit should be routed away before `at` by router rules; this part does
/// not check them (a multi-item basket over the limit that reaches `at`
/// pays the CBEC rate). The total over the observed span is reported as
/// [`TaxSummary`](crate::TaxSummary); only orders that reach `at` are
/// taxed.
///
/// In files:
/// ```toml
/// [tax]
/// at = "released"
/// value_attribute = "basket_value_cny"
/// category_attribute = "category"
/// items_attribute = "items"             # optional: the single-item rule
/// single_limit_cny = 5000
/// freight_insurance = { share = 0.02 }  # optional
/// rates = { cosmetics = { vat = 0.13, consumption = 0.15, tariff = 0.05 }, food = { vat = 0.13, tariff = 0.15 } }
/// ```
///
/// # Examples
/// ```
/// use cbec_sim::{CategoryRates, CbecTax, FreightInsurance};
/// let rates = [("food".to_string(), CategoryRates::new(0.13, 0.0).with_tariff(0.1))];
/// let tax = CbecTax::new("released", "basket_value_cny", "category", rates.into())
///     .with_single_item_rule("items", 5000.0)
///     .with_freight_insurance(FreightInsurance::new(10.0, 0.0));
/// assert_eq!(tax.items_attribute.as_deref(), Some("items"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CbecTax {
    /// Milestone at which the tax is assessed.
    pub at: String,
    /// Numeric attribute holding the order's value (the goods), CNY.
    pub value_attribute: String,
    /// Categorical attribute holding the product category.
    pub category_attribute: String,
    /// Rates for every category of `category_attribute`.
    pub rates: BTreeMap<String, CategoryRates>,
    /// Share of VAT and consumption tax payable; 0.7 by law (domain brief §2.9).
    #[serde(default = "default_concession")]
    pub concession: f64,
    /// Numeric attribute holding the order's item count; when set, a
    /// single-item order over `single_limit_cny` pays the full general-trade
    /// rate, and every category needs a `tariff`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_attribute: Option<String>,
    /// The single-transaction limit, CNY, compared with `value_attribute`;
    /// 5,000 by law when not given. Only with `items_attribute` (given
    /// alone it is an error: it would change nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_limit_cny: Option<f64>,
    /// Freight and insurance added to the dutiable value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freight_insurance: Option<FreightInsurance>,
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
            items_attribute: None,
            single_limit_cny: None,
            freight_insurance: None,
        }
    }

    /// Single-item orders (by `items_attribute`) over `single_limit_cny`
    /// pay the full general-trade rate.
    #[must_use]
    pub fn with_single_item_rule(
        mut self,
        items_attribute: impl Into<String>,
        single_limit_cny: f64,
    ) -> Self {
        self.items_attribute = Some(items_attribute.into());
        self.single_limit_cny = Some(single_limit_cny);
        self
    }

    /// Adds freight and insurance to the dutiable value.
    #[must_use]
    pub fn with_freight_insurance(mut self, f: FreightInsurance) -> Self {
        self.freight_insurance = Some(f);
        self
    }
}

/// A [`CbecTax`] resolved against a model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledTax {
    pub(crate) milestone: u16,
    pub(crate) value: u16,
    pub(crate) category: u16,
    /// Composite CBEC rate by category index.
    pub(crate) rates: Vec<f64>,
    /// The single-item rule: the items attribute, the limit and the full
    /// general-trade rate by category index.
    pub(crate) single_item: Option<(u16, f64, Vec<f64>)>,
    /// Freight and insurance: (fixed CNY, share of value).
    pub(crate) freight: (f64, f64),
}

/// `Ok` if `x` is finite and `lo <= x` (and `x < hi` when `hi` is given).
fn check_range(field: String, x: f64, lo: f64, hi: Option<f64>, what: &str) -> Result<()> {
    if x.is_finite() && x >= lo && hi.is_none_or(|h| x < h) {
        Ok(())
    } else {
        Err(Error::scenario(field, format!("{what}, got {x}")))
    }
}

impl CompiledTax {
    /// The tax on one order, given a reader of its attributes by index.
    #[inline]
    pub(crate) fn assess(&self, attribute: impl Fn(u16) -> f64) -> f64 {
        let value = attribute(self.value);
        let category = attribute(self.category) as usize;
        let dutiable = value * (1.0 + self.freight.1) + self.freight.0;
        let rate = match &self.single_item {
            Some((items, limit, full)) if value > *limit && attribute(*items) <= 1.0 => {
                full[category]
            }
            _ => self.rates[category],
        };
        dutiable * rate
    }

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
        let freight = match t.freight_insurance {
            Some(f) => {
                check_range(
                    "tax.freight_insurance.fixed_cny".into(),
                    f.fixed_cny,
                    0.0,
                    Some(1e6),
                    "must be at least 0 and below 1,000,000 CNY (freight and insurance added to the dutiable value)",
                )?;
                check_range(
                    "tax.freight_insurance.share".into(),
                    f.share,
                    0.0,
                    Some(1.0),
                    "must be a share at least 0 and below 1 (freight and insurance as a share of the value)",
                )?;
                (f.fixed_cny, f.share)
            }
            None => (0.0, 0.0),
        };
        for (name, r) in &t.rates {
            if !categories.contains(name) {
                let hint = crate::suggest::hint(
                    name,
                    categories.iter().map(String::as_str),
                    "categories",
                    "the sources' `categories` tables declare them",
                );
                return Err(Error::scenario(
                    format!("tax.rates.{name}"),
                    format!("unknown category of \"{}\"; {hint}", t.category_attribute),
                ));
            }
            if !(r.vat.is_finite() && (0.0..=1.0).contains(&r.vat)) {
                return Err(Error::scenario(
                    format!("tax.rates.{name}.vat"),
                    format!("must be a fraction between 0 and 1, got {}", r.vat),
                ));
            }
            check_range(
                format!("tax.rates.{name}.consumption"),
                r.consumption,
                0.0,
                Some(0.9),
                "must be a fraction at least 0 and below 0.9 (China's highest consumption-tax rate is 56%; near 1 the composite rate explodes)",
            )?;
            if let Some(tariff) = r.tariff {
                check_range(
                    format!("tax.rates.{name}.tariff"),
                    tariff,
                    0.0,
                    Some(10.0),
                    "must be a fraction at least 0 and below 10 (the general-goods tariff; 1 is 100%)",
                )?;
            }
        }
        let rates_of = |c: &String| {
            t.rates.get(c).ok_or_else(|| {
                Error::scenario(
                    "tax.rates",
                    format!(
                        "category \"{c}\" of \"{}\" has no rates",
                        t.category_attribute
                    ),
                )
            })
        };
        let rates = categories
            .iter()
            .map(|c| Ok(rates_of(c)?.composite(t.concession)))
            .collect::<Result<Vec<f64>>>()?;
        let single_item = match &t.items_attribute {
            None if t.single_limit_cny.is_some() => {
                return Err(Error::scenario(
                    "tax.single_limit_cny",
                    "is used only by the single-item rule: give tax.items_attribute too (the numeric attribute with the order's item count), or remove it",
                ));
            }
            None => None,
            Some(name) => {
                let items = reg
                    .attribute(name)
                    .ok_or_else(|| reg.unknown_attribute("tax.items_attribute", name))?;
                if reg.categories(items).is_some() {
                    return Err(Error::scenario(
                        "tax.items_attribute",
                        format!("\"{name}\" is categorical; the item count must be numeric"),
                    ));
                }
                let limit = t.single_limit_cny.unwrap_or_else(default_single_limit);
                if !(limit.is_finite() && limit > 0.0) {
                    return Err(Error::scenario(
                        "tax.single_limit_cny",
                        format!("must be above 0 CNY (the single-transaction limit), got {limit}"),
                    ));
                }
                let full = categories
                    .iter()
                    .map(|c| {
                        rates_of(c)?.general().ok_or_else(|| {
                            Error::scenario(
                                format!("tax.rates.{c}.tariff"),
                                format!(
                                    "missing: tax.items_attribute = \"{name}\" taxes single-item \
                                     orders over the single limit at the general-goods tariff, \
                                     so every category needs one"
                                ),
                            )
                        })
                    })
                    .collect::<Result<Vec<f64>>>()?;
                Some((items, limit, full))
            }
        };
        Ok(CompiledTax {
            milestone,
            value,
            category,
            rates,
            single_item,
            freight,
        })
    }
}
