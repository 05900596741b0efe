//! Stocks: units on hand that orders draw as they pass a node, restocked
//! by lots that arrive through the network; an order that finds too few
//! units waits (first come first served) or cancels after a while.
//!
//! The configuration ([`Stock`], [`Lots`], [`Reorder`], [`RaisedReorder`]),
//! its compiled form and compile step, the per-run counters and the
//! runtime of what is particular to a stock: a lot arriving, a lot ordered
//! under the reorder rule, a waiting order cancelling. The line itself
//! (draw, wait, release from the head) is the credit pool's
//! ([`Pool`](crate::Pool)): a stock is compiled into a pool whose
//! "drawn" amount may fall below zero (more on hand than at the start).
//!
//! The CBEC use is S1 of `domain.md`: bonded stock by SKU group,
//! replenished by inbound lots (air via PVG or SHA, sea) that pass
//! transit, first-line entry review, sampling and tally; a 1210 order for a
//! group that is out of stock waits (a pre-sale) or is cancelled.

use super::NodeId;
use super::NodeKind;
use super::arrivals::CalendarDate;
use super::build::Registry;
use super::pool::{PoolNode, finite_non_negative};
use super::sim::{Event, Simulation};
use super::station::priority_levels;
use super::trace::OrderEvent;
use crate::calendar::ClockTime;
use crate::engine::{EntityId, EventClass};
use crate::error::{Error, Result};
use crate::rng::{StreamId, key_base, order_key};
use crate::time::SimTime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Units on hand that orders draw; lots of a given class restock it.
///
/// # Semantics
/// - An order (of any class but the lot class) draws `draw_attribute`
///   units. If nobody waits and enough units are on hand it goes on to
///   `to` at once; otherwise it waits in line, first come first served
///   (by level with `priorities`), exactly as at a [`Pool`](crate::Pool).
///   An order larger than all units on hand waits for lots (it is never
///   passed without drawing, unlike at a pool).
/// - A lot (an order of class `lots.class`) adds its `lots.units_attribute`
///   to the units on hand, goes on to `lots.to`, and the line is served
///   from its head while the units suffice.
/// - With `cancel_after_h`, an order that has waited that long leaves the
///   line for `cancel_to`, counted as cancelled.
/// - With a [`Reorder`] rule, whenever the inventory position (on hand,
///   plus units on order, less the units the line waits for) is at or
///   below `reorder.point`, lots of `reorder.quantity` are created at
///   `reorder.to` until it is above; they travel the network like any
///   order and restock the stock when they come back to it. On the dates
///   of a [`RaisedReorder`] both numbers are multiplied by its factor
///   (pre-peak stocking).
///
/// # Examples
/// ```
/// use cbec_sim::{Lots, Reorder, Stock};
/// // 50,000 units on hand, drawn by each order's items; lots of class
/// // "lot" restock it; below 30,000 units in position, a lot of 20,000
/// // is ordered and starts at "air_leg".
/// let stock = Stock::new(50_000.0, "items", "three_documents", Lots::new("lot", "units", "stocked"))
///     .with_reorder(Reorder::new(30_000.0, 20_000.0, "air_leg"))
///     .with_cancel_after(72.0, "cancelled_out_of_stock");
/// assert_eq!(stock.cancel_after_h, Some(72.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Stock {
    /// Units on hand at time zero (>= 0).
    pub on_hand: f64,
    /// The numeric order attribute giving the units an order draws.
    pub draw_attribute: String,
    /// Where orders go once they have drawn.
    pub to: String,
    /// The lots that restock it.
    pub lots: Lots,
    /// The reorder rule, if any (without one, lots come from sources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reorder: Option<Reorder>,
    /// Hours an order waits before it cancels (> 0); with `cancel_to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_after_h: Option<f64>,
    /// Where cancelled orders go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_to: Option<String>,
    /// Class name → priority level in the line (0 first).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub priorities: BTreeMap<String, u8>,
    /// Milestone stamped on arrival (orders and lots; before any wait).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
}

/// The lots that restock a [`Stock`]: orders of class `class` carrying
/// `units_attribute` units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Lots {
    /// The class of lot orders.
    pub class: String,
    /// The numeric attribute holding a lot's units.
    pub units_attribute: String,
    /// Where a lot goes once its units are on hand (a sink, usually).
    pub to: String,
}

impl Lots {
    /// Lots of class `class` with `units_attribute` units, going on to `to`.
    #[must_use]
    pub fn new(
        class: impl Into<String>,
        units_attribute: impl Into<String>,
        to: impl Into<String>,
    ) -> Self {
        Lots {
            class: class.into(),
            units_attribute: units_attribute.into(),
            to: to.into(),
        }
    }
}

/// A reorder-point rule of a [`Stock`]: a lot of `quantity` is ordered
/// whenever the inventory position is at or below `point`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Reorder {
    /// The reorder point, in units of inventory position (>= 0).
    pub point: f64,
    /// Units per lot (> 0).
    pub quantity: f64,
    /// The node where a new lot starts (the first leg of its journey).
    pub to: String,
    /// Date ranges on which `point` and `quantity` are multiplied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub raised: Vec<RaisedReorder>,
}

impl Reorder {
    /// A lot of `quantity` starting at `to` whenever the position is at or
    /// below `point`.
    #[must_use]
    pub fn new(point: f64, quantity: f64, to: impl Into<String>) -> Self {
        Reorder {
            point,
            quantity,
            to: to.into(),
            raised: Vec::new(),
        }
    }

    /// Multiplies point and quantity by `factor` from `from` until `until`.
    #[must_use]
    pub fn with_raised(mut self, raised: RaisedReorder) -> Self {
        self.raised.push(raised);
        self
    }
}

/// Pre-peak stocking: the reorder point and quantity times `factor` from
/// 00:00 on `from` to 00:00 on `until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RaisedReorder {
    /// First date raised.
    pub from: CalendarDate,
    /// First date no longer raised.
    pub until: CalendarDate,
    /// Multiplier (> 0).
    pub factor: f64,
}

impl RaisedReorder {
    /// `factor` from `from` (inclusive) to `until` (exclusive).
    #[must_use]
    pub fn new(from: jiff::civil::Date, until: jiff::civil::Date, factor: f64) -> Self {
        RaisedReorder {
            from: CalendarDate(from),
            until: CalendarDate(until),
            factor,
        }
    }
}

impl Stock {
    /// `on_hand` units drawn by attribute `draw_attribute`, orders going on
    /// to `to`, restocked by `lots`.
    #[must_use]
    pub fn new(
        on_hand: f64,
        draw_attribute: impl Into<String>,
        to: impl Into<String>,
        lots: Lots,
    ) -> Self {
        Stock {
            on_hand,
            draw_attribute: draw_attribute.into(),
            to: to.into(),
            lots,
            reorder: None,
            cancel_after_h: None,
            cancel_to: None,
            priorities: BTreeMap::new(),
            milestone: None,
        }
    }

    /// Adds a reorder rule.
    #[must_use]
    pub fn with_reorder(mut self, rule: Reorder) -> Self {
        self.reorder = Some(rule);
        self
    }

    /// Waiting orders cancel to `to` after `hours`.
    #[must_use]
    pub fn with_cancel_after(mut self, hours: f64, to: impl Into<String>) -> Self {
        self.cancel_after_h = Some(hours);
        self.cancel_to = Some(to.into());
        self
    }

    /// Stamps the milestone `name` on arrival.
    #[must_use]
    pub fn with_milestone(mut self, name: impl Into<String>) -> Self {
        self.milestone = Some(name.into());
        self
    }
}

/// What a stock adds to the pool it is compiled into.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StockRule {
    pub(crate) lot_class: u16,
    pub(crate) lot_units: u16,
    pub(crate) lot_to: NodeId,
    pub(crate) reorder: Option<ReorderRule>,
    pub(crate) cancel: Option<(SimTime, NodeId)>,
    /// The creator of its lots' keys (see [`crate::rng`]).
    pub(crate) lots_stream: StreamId,
}

impl StockRule {
    /// The nodes a stock sends lots and orders to, besides its `to`.
    pub(crate) fn targets(&self) -> impl Iterator<Item = NodeId> + '_ {
        std::iter::once(self.lot_to)
            .chain(self.reorder.as_ref().map(|r| r.start))
            .chain(self.cancel.map(|c| c.1))
    }
}

/// Most lots one reorder check creates.
const MAX_LOTS_AT_ONCE: usize = 1_000;

/// A compiled [`Reorder`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReorderRule {
    pub(crate) point: f64,
    pub(crate) quantity: f64,
    /// Where a new lot starts.
    pub(crate) start: NodeId,
    /// Raised spans: (from, until, factor), run-clock seconds.
    pub(crate) raised: Vec<(f64, f64, f64)>,
}

/// The counters only a stock keeps, within its pool's state.
#[derive(Debug, Default, Clone)]
pub(crate) struct StockCounters {
    /// Units the line waits for.
    pub(crate) backlog: f64,
    /// Units on order (lots created and not yet back).
    pub(crate) on_order: f64,
    /// The lots this stock ordered and has not yet received, with their
    /// units: a lot from a source, or one another stock ordered, never
    /// lowers this stock's units on order.
    pub(crate) outstanding: Vec<(EntityId, f64)>,
    pub(crate) cancelled: u64,
    pub(crate) lots_ordered: u64,
    /// Lots ordered since time zero (not restarted): the index of the
    /// next lot's key (see [`crate::rng`]).
    pub(crate) lots_keyed: u64,
    pub(crate) lots_received: u64,
    pub(crate) units_received: f64,
}

impl StockCounters {
    /// Forgets the counts; the backlog and units on order stay.
    pub(crate) fn restart(&mut self) {
        self.cancelled = 0;
        self.lots_ordered = 0;
        self.lots_received = 0;
        self.units_received = 0.0;
    }
}

impl StockRule {
    /// Checks stock `name`'s own fields and resolves its names.
    pub(crate) fn compile(reg: &Registry, name: &str, s: &Stock) -> Result<Self> {
        let f = |x: &str| format!("stocks.{name}.{x}");
        finite_non_negative(f("on_hand"), s.on_hand, false)?;
        let lot_class = reg
            .class(&s.lots.class)
            .ok_or_else(|| reg.unknown_class(&f("lots.class"), &s.lots.class))?;
        let lot_units =
            reg.numeric_attribute(&f("lots.units_attribute"), &s.lots.units_attribute)?;
        let reorder = match &s.reorder {
            None => None,
            Some(r) => {
                finite_non_negative(f("reorder.point"), r.point, false)?;
                finite_non_negative(f("reorder.quantity"), r.quantity, true)?;
                let cal = reg.calendar();
                let mut spans = Vec::new();
                for (i, span) in r.raised.iter().enumerate() {
                    let g = |x: &str| f(&format!("reorder.raised[{i}].{x}"));
                    finite_non_negative(g("factor"), span.factor, true)?;
                    if span.until.0 <= span.from.0 {
                        return Err(Error::scenario(
                            g("until"),
                            format!("must be after from ({}), got {}", span.from.0, span.until.0),
                        ));
                    }
                    let at = |d: &CalendarDate| {
                        cal.time_of(d.0.to_datetime(jiff::civil::Time::midnight()))
                    };
                    spans.push((at(&span.from), at(&span.until), span.factor));
                }
                Some(ReorderRule {
                    point: r.point,
                    quantity: r.quantity,
                    start: reg.target(&f("reorder.to"), &r.to)?,
                    raised: spans,
                })
            }
        };
        let cancel = match (s.cancel_after_h, &s.cancel_to) {
            (None, None) => None,
            (Some(h), Some(to)) => {
                finite_non_negative(f("cancel_after_h"), h, true)?;
                if h < 1.0 / 3600.0 {
                    return Err(Error::scenario(
                        f("cancel_after_h"),
                        format!("must be at least one second (1/3600 h), got {h}"),
                    ));
                }
                Some((SimTime::from_hours(h), reg.target(&f("cancel_to"), to)?))
            }
            (Some(_), None) => {
                return Err(Error::scenario(
                    f("cancel_to"),
                    "is required with cancel_after_h",
                ));
            }
            (None, Some(_)) => {
                return Err(Error::scenario(
                    f("cancel_after_h"),
                    "is required with cancel_to",
                ));
            }
        };
        Ok(StockRule {
            lot_class,
            lot_units,
            lot_to: reg.target(&f("lots.to"), &s.lots.to)?,
            reorder,
            cancel,
            lots_stream: StreamId::named("stock", name, "lots"),
        })
    }
}

impl Simulation<'_> {
    /// If `id` is a lot of stock `p`, puts its units on hand, sends it on
    /// and serves the line; returns whether it was a lot.
    pub(crate) fn stock_lot(&mut self, p: usize, id: EntityId, now: SimTime) -> bool {
        let model = self.model;
        let Some(here) = &model.pools[p].stock else {
            return false;
        };
        // A lot of any stock's class is received where it arrives: its
        // units come from its own stock's units attribute.
        let class = usize::from(self.orders[id].class);
        let Some(rule) =
            model.lot_stock[class].and_then(|q| model.pools[usize::from(q)].stock.as_deref())
        else {
            return false;
        };
        let units = self.orders.attribute(id, rule.lot_units).max(0.0);
        // The stock that ordered it (if any) no longer has it on order.
        for st in self.pools.iter_mut() {
            let c = &mut st.stock;
            if let Some(k) = c.outstanding.iter().position(|x| x.0 == id) {
                let (_, ordered) = c.outstanding.swap_remove(k);
                c.on_order = (c.on_order - ordered).max(0.0);
                break;
            }
        }
        let c = &mut self.pools[p].stock;
        c.lots_received += 1;
        c.units_received += units;
        self.trace(OrderEvent::Release, NodeKind::Pool(p), id, now);
        let target = self.resolve(here.lot_to, id, now);
        self.moving.push_back((target, id));
        self.restore(p, units, now);
        true
    }

    /// Order `id` starts to wait at stock `p` for `units`.
    pub(crate) fn stock_wait(&mut self, p: usize, id: EntityId, units: f64, now: SimTime) {
        let Some(rule) = &self.model.pools[p].stock else {
            return;
        };
        self.pools[p].stock.backlog += units;
        if let Some((after, _)) = rule.cancel {
            let deadline = now + after;
            self.orders[id].set_renege_at(Some(deadline));
            self.calendar.schedule(
                deadline,
                EventClass::Release,
                Event::StockCancel {
                    pool: p as u16,
                    order: id,
                },
            );
        }
    }

    /// The wait of order `id` at stock `p` runs out: it leaves the line
    /// if it is still in it (a stale timeout is ignored, as at a station).
    #[inline(never)]
    pub(crate) fn stock_cancel(&mut self, p: usize, id: EntityId, now: SimTime) {
        if self.orders[id].renege_at() != Some(now) {
            return;
        }
        let node = &self.model.pools[p];
        let Some((_, to)) = node.stock.as_ref().and_then(|r| r.cancel) else {
            return;
        };
        let level = node.class_level[self.orders[id].class as usize] as usize;
        let st = &mut self.pools[p];
        let Some(pos) = st.held[level].iter().position(|x| x.0 == id) else {
            return;
        };
        let (_, units, _) = st.held[level].remove(pos).expect("position found");
        st.waiting -= 1;
        st.stock.backlog = (st.stock.backlog - units).max(0.0);
        st.stock.cancelled += 1;
        self.orders[id].set_renege_at(None);
        self.trace(OrderEvent::Renege, NodeKind::Pool(p), id, now);
        let target = self.resolve(to, id, now);
        self.moving.push_back((target, id));
        // The new head may fit now.
        self.restore(p, 0.0, now);
    }

    /// Schedules the reorder reviews of stock `p` that no order prompts:
    /// at the start of the run (a stock may start at or below its point)
    /// and where each raised span begins (the point steps up).
    pub(crate) fn schedule_stock_reviews(&mut self, p: usize) {
        let Some(r) = self.model.pools[p]
            .stock
            .as_ref()
            .and_then(|s| s.reorder.as_ref())
        else {
            return;
        };
        let starts = r.raised.iter().map(|s| s.0).filter(|&t| t > 0.0);
        for t in std::iter::once(0.0).chain(starts) {
            self.calendar.schedule(
                SimTime::from_secs(t),
                EventClass::Capacity,
                Event::StockReview { pool: p as u16 },
            );
        }
    }

    /// Orders lots for stock `p` while its inventory position is at or
    /// below the reorder point.
    pub(crate) fn stock_reorder(&mut self, p: usize, now: SimTime) {
        let node = &self.model.pools[p];
        let Some(rule) = &node.stock else {
            return;
        };
        let Some(r) = &rule.reorder else {
            return;
        };
        let t = now.secs();
        let factor = r
            .raised
            .iter()
            .find(|(from, until, _)| (*from..*until).contains(&t))
            .map_or(1.0, |s| s.2);
        let (point, quantity) = (r.point * factor, r.quantity * factor);
        // At most MAX_LOTS_AT_ONCE lots per check: a position far below
        // the point (a backlog of millions against small lots) orders the
        // rest at the next check, and a lot too small to move the position
        // in floating point cannot loop forever.
        for _ in 0..MAX_LOTS_AT_ONCE {
            let st = &self.pools[p];
            let position = node.balance - st.drawn + st.stock.on_order - st.stock.backlog;
            if position > point {
                break;
            }
            let c = &mut self.pools[p].stock;
            let key = if self.model.by_order {
                let base = key_base(self.seed, self.replication, rule.lots_stream);
                order_key(base, c.lots_keyed)
            } else {
                0
            };
            c.lots_keyed += 1;
            let id = self.orders.create(rule.lot_class, now, key);
            *self.orders.attribute_mut(id, rule.lot_units) = quantity;
            let c = &mut self.pools[p].stock;
            c.on_order += quantity;
            c.outstanding.push((id, quantity));
            c.lots_ordered += 1;
            self.network.entered += 1;
            self.note_in_system(now);
            self.trace_created(NodeKind::Pool(p), id, now);
            let target = self.resolve(r.start, id, now);
            self.moving.push_back((target, id));
        }
    }
}

impl PoolNode {
    /// Checks stock `name` and compiles it into a pool with a stock rule.
    pub(crate) fn compile_stock(reg: &Registry, name: &str, s: &Stock) -> Result<Self> {
        let f = |x: &str| format!("stocks.{name}.{x}");
        let attribute = reg.numeric_attribute(&f("draw_attribute"), &s.draw_attribute)?;
        reg.replayed_non_negative(
            &s.draw_attribute,
            &format!("it is the units drawn from the stock at stocks.{name}"),
        )?;
        let rule = StockRule::compile(reg, name, s)?;
        let (class_level, levels) = priority_levels(reg, &f("priorities"), &s.priorities)?;
        Ok(PoolNode {
            name: name.to_string(),
            balance: s.on_hand,
            attribute,
            factor: 1.0,
            slots: Vec::new(),
            month_days: [false; 32],
            any_month_day: false,
            settle_at: ClockTime(jiff::civil::Time::midnight()),
            settle_amount: None,
            top_up: None,
            class_level,
            levels,
            to: reg.target(&f("to"), &s.to)?,
            stock: Some(Box::new(rule)),
        })
    }

    /// Every node the pool or stock sends orders to.
    pub(crate) fn targets(&self) -> impl Iterator<Item = NodeId> + '_ {
        std::iter::once(self.to).chain(self.stock.iter().flat_map(|r| r.targets()))
    }

    /// The scenario field that names it: `pools.<name>` or `stocks.<name>`.
    pub(crate) fn field(&self) -> String {
        let table = if self.stock.is_some() {
            "stocks"
        } else {
            "pools"
        };
        format!("{table}.{}", self.name)
    }
}
