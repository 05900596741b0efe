//! Credit pools: a balance that orders draw on as they pass a node,
//! restored by a settlement schedule or a top-up rule; an order that would
//! overdraw it waits, first come first served.
//!
//! The configuration ([`Pool`], [`TopUp`]), its compiled form, the compile
//! step, the per-run state and the runtime: orders arrive and draw, or wait
//! in line; settlements and top-ups restore the balance and release the
//! line from its head.
//!
//! The CBEC use is the tax guarantee of a withholding agent: lists are
//! released under the guarantee, the tax drawn on it is settled
//! periodically (half-monthly summaries), and when it is exhausted all the
//! agent's lists wait for the settlement or a top-up.

use super::NodeId;
use super::NodeKind;
use super::arrivals::next_slot;
use super::build::Registry;
use super::dispatch::WeeklyTime;
use super::sim::{Event, Simulation};
use super::station::priority_levels;
use super::stock::{StockCounters, StockRule};
use super::trace::OrderEvent;
use crate::calendar::ClockTime;
use crate::engine::{EntityId, EventClass};
use crate::error::{Error, Result};
use crate::stats::{OnlineMoments, TimeWeighted};
use crate::time::SimTime;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// A balance drawn by an order attribute as orders pass; orders that
/// would overdraw it wait, first come first served, until a settlement or
/// a top-up restores it.
///
/// # Semantics
/// - An order arriving at the pool draws `draw_attribute × draw_factor`
///   (negative or undefined amounts draw 0). If no order is waiting and
///   the amount fits in what is left of `balance` (within a relative
///   1e-9), it draws and goes on to `to` at once (zero time).
/// - Otherwise it waits in the pool's line, in arrival order. An order
///   never overtakes one that waits ahead of it, even if its own amount
///   would fit (strict FIFO: a tax guarantee releases lists in order).
/// - With `priorities` (class → level, 0 first; unlisted classes last),
///   the line is FIFO within a level: an arriving order draws at once if
///   it fits and no order of its level or a higher one waits, and a
///   release serves the levels in order, stopping at the first head that
///   does not fit (a lower level never overtakes a higher one).
/// - An order whose amount exceeds the whole `balance` could never be
///   covered: it passes without drawing and is counted as `oversize`
///   (the agent pays it outside the guarantee). It does not wait.
/// - At each settlement time (weekly times in `settlement`, and/or days of
///   the month in `settlement_days_of_month` at `settlement_at`), the
///   drawn amount is restored: all of it, or at most `settlement_amount`.
///   Then waiting orders draw and leave from the head of the line while
///   their amounts fit.
/// - With a [`TopUp`], whenever the balance left falls below
///   `top_up.below` or an order has to wait, and no top-up is pending,
///   one is requested; `top_up.delay_h` later, up to
///   `top_up.amount` of the drawn amount is restored and the line is
///   released as at a settlement.
/// - A settlement or top-up happens at its time after every completion
///   and capacity change at that time, like a vehicle departure.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::{Pool, WeeklyTime, Day};
/// // A 50,000 CNY guarantee drawn by each list's tax, settled on the 1st
/// // and 16th of each month at 09:00.
/// let guarantee = Pool::new(50_000.0, "tax_cny", "release")
///     .with_settlement_days_of_month(&[1, 16], "09:00")?;
/// assert_eq!(guarantee.settlement_days_of_month, [1, 16]);
/// // A weekly settlement instead: every Monday at 10:00.
/// let weekly = Pool::new(50_000.0, "tax_cny", "release")
///     .with_settlement(WeeklyTime::new(&[Day::Mon], "10:00")?);
/// assert_eq!(weekly.settlement.len(), 1);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Pool {
    /// The full balance, in the unit of the drawn amount (CNY for a tax
    /// guarantee). The pool starts full.
    pub balance: f64,
    /// The numeric order attribute each order draws (e.g. its tax).
    pub draw_attribute: String,
    /// Multiplies the attribute to give the amount drawn (e.g. the
    /// composite tax rate when the attribute is the declared value).
    /// Default 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub draw_factor: f64,
    /// Weekly settlement times.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settlement: Vec<WeeklyTime>,
    /// Days of the month (1 to 31) on which the pool is settled, at
    /// `settlement_at`; a month without the day has no settlement then.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settlement_days_of_month: Vec<u8>,
    /// Clock time of the monthly settlements. Default 00:00.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_at: Option<ClockTime>,
    /// Most restored by one settlement. Default: everything drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_amount: Option<f64>,
    /// A top-up rule, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_up: Option<TopUp>,
    /// Class name → priority level in the line (0 first). Default: one
    /// FIFO line.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub priorities: BTreeMap<String, u8>,
    /// Where orders go once they have drawn.
    pub to: String,
    /// Milestone stamped on arrival (before any wait).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
}

fn one() -> f64 {
    1.0
}

#[expect(clippy::trivially_copy_pass_by_ref, reason = "serde's signature")]
fn is_one(x: &f64) -> bool {
    *x == 1.0
}

/// A top-up rule of a [`Pool`]: when the balance left falls below `below`,
/// `amount` of the drawn amount is restored `delay_h` hours later.
///
/// # Examples
/// ```
/// use cbec_sim::TopUp;
/// let rule = TopUp::new(5_000.0, 4.0, 20_000.0);
/// assert_eq!(rule.delay_h, 4.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TopUp {
    /// Requests a top-up when the balance left falls below this.
    pub below: f64,
    /// Hours from the request to the top-up.
    pub delay_h: f64,
    /// Most restored by one top-up.
    pub amount: f64,
}

impl TopUp {
    /// Restores up to `amount`, `delay_h` hours after the balance left
    /// falls below `below`.
    #[must_use]
    pub fn new(below: f64, delay_h: f64, amount: f64) -> Self {
        TopUp {
            below,
            delay_h,
            amount,
        }
    }
}

impl Pool {
    /// A full `balance`, drawn by attribute `draw_attribute`, leading to
    /// `to`; add a settlement or a top-up before building.
    #[must_use]
    pub fn new(balance: f64, draw_attribute: impl Into<String>, to: impl Into<String>) -> Self {
        Pool {
            balance,
            draw_attribute: draw_attribute.into(),
            draw_factor: 1.0,
            settlement: Vec::new(),
            settlement_days_of_month: Vec::new(),
            settlement_at: None,
            settlement_amount: None,
            top_up: None,
            priorities: BTreeMap::new(),
            to: to.into(),
            milestone: None,
        }
    }

    /// Draws `factor` × the attribute.
    #[must_use]
    pub fn with_draw_factor(mut self, factor: f64) -> Self {
        self.draw_factor = factor;
        self
    }

    /// Adds a weekly settlement time.
    #[must_use]
    pub fn with_settlement(mut self, at: WeeklyTime) -> Self {
        self.settlement.push(at);
        self
    }

    /// Settles on `days` of each month at `at` (`"HH:MM"`).
    ///
    /// # Errors
    /// [`Error::Scenario`] if `at` is not a clock time.
    pub fn with_settlement_days_of_month(mut self, days: &[u8], at: &str) -> Result<Self> {
        self.settlement_days_of_month = days.to_vec();
        self.settlement_at =
            Some(ClockTime::parse(at).map_err(|e| Error::scenario("settlement_at", e))?);
        Ok(self)
    }

    /// Restores at most `amount` per settlement.
    #[must_use]
    pub fn with_settlement_amount(mut self, amount: f64) -> Self {
        self.settlement_amount = Some(amount);
        self
    }

    /// Adds a top-up rule.
    #[must_use]
    pub fn with_top_up(mut self, rule: TopUp) -> Self {
        self.top_up = Some(rule);
        self
    }

    /// Lets class `class` wait at priority `level` (0 first).
    #[must_use]
    pub fn with_priority(mut self, class: impl Into<String>, level: u8) -> Self {
        self.priorities.insert(class.into(), level);
        self
    }

    /// Stamps the milestone `name` on arrival.
    #[must_use]
    pub fn with_milestone(mut self, name: impl Into<String>) -> Self {
        self.milestone = Some(name.into());
        self
    }
}

/// A pool compiled for the event loop.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PoolNode {
    pub(crate) name: String,
    pub(crate) balance: f64,
    pub(crate) attribute: u16,
    pub(crate) factor: f64,
    /// Weekly settlement times as week offsets in seconds, sorted.
    pub(crate) slots: Vec<f64>,
    /// Days of the month with a settlement (index 1 to 31).
    pub(crate) month_days: [bool; 32],
    pub(crate) any_month_day: bool,
    pub(crate) settle_at: ClockTime,
    pub(crate) settle_amount: Option<f64>,
    /// (below, delay, amount).
    pub(crate) top_up: Option<(f64, SimTime, f64)>,
    /// Priority level of each class, and the number of levels.
    pub(crate) class_level: Vec<u8>,
    pub(crate) levels: usize,
    pub(crate) to: NodeId,
    /// Set when the pool is a [`Stock`](crate::Stock).
    pub(crate) stock: Option<Box<StockRule>>,
}

/// Checks that `x` is finite and at least 0 (above 0 if `positive`).
pub(crate) fn finite_non_negative(field: String, x: f64, positive: bool) -> Result<()> {
    if !x.is_finite() || x < 0.0 || (positive && x == 0.0) {
        let rule = if positive {
            "a finite number above 0"
        } else {
            "a finite number at least 0"
        };
        return Err(Error::scenario(field, format!("must be {rule}, got {x}")));
    }
    Ok(())
}

impl PoolNode {
    /// Checks pool `name` and resolves its names.
    pub(crate) fn compile(reg: &Registry, name: &str, p: &Pool) -> Result<Self> {
        let f = |x: &str| format!("pools.{name}.{x}");
        finite_non_negative(f("balance"), p.balance, true)?;
        finite_non_negative(f("draw_factor"), p.draw_factor, false)?;
        let attribute = reg.numeric_attribute(&f("draw_attribute"), &p.draw_attribute)?;
        reg.replayed_non_negative(
            &p.draw_attribute,
            &format!("it is the amount drawn on the pool at pools.{name}"),
        )?;
        if p.settlement.is_empty() && p.settlement_days_of_month.is_empty() && p.top_up.is_none() {
            return Err(Error::scenario(
                format!("pools.{name}"),
                "needs a settlement (settlement or settlement_days_of_month) or a top_up; otherwise a drawn balance would never be restored and orders would wait forever",
            ));
        }
        let mut slots = Vec::new();
        for (i, w) in p.settlement.iter().enumerate() {
            if w.days.is_empty() {
                return Err(Error::scenario(
                    f(&format!("settlement[{i}].days")),
                    "must list at least one day",
                ));
            }
            for day in &w.days {
                slots.push(day.index() as f64 * 86_400.0 + w.at.secs());
            }
        }
        slots.sort_by(f64::total_cmp);
        slots.dedup();
        let mut month_days = [false; 32];
        for (i, &d) in p.settlement_days_of_month.iter().enumerate() {
            if !(1..=31).contains(&d) {
                return Err(Error::scenario(
                    f(&format!("settlement_days_of_month[{i}]")),
                    format!("must be a day of the month from 1 to 31, got {d}"),
                ));
            }
            month_days[d as usize] = true;
        }
        if p.settlement_at.is_some() && p.settlement_days_of_month.is_empty() {
            return Err(Error::scenario(
                f("settlement_at"),
                "is the clock time of the monthly settlements; give settlement_days_of_month too (weekly times carry their own)",
            ));
        }
        if let Some(a) = p.settlement_amount {
            finite_non_negative(f("settlement_amount"), a, true)?;
        }
        let top_up = match &p.top_up {
            Some(t) => {
                finite_non_negative(f("top_up.below"), t.below, false)?;
                finite_non_negative(f("top_up.amount"), t.amount, true)?;
                finite_non_negative(f("top_up.delay_h"), t.delay_h, false)?;
                if t.delay_h < 1.0 / 3600.0 {
                    return Err(Error::scenario(
                        f("top_up.delay_h"),
                        format!(
                            "must be at least one second (1/3600 h), got {}: a top-up that takes no time would be asked for again at the same instant",
                            t.delay_h
                        ),
                    ));
                }
                if t.amount < p.balance * 1e-6 {
                    return Err(Error::scenario(
                        f("top_up.amount"),
                        format!(
                            "must be at least a millionth of the balance ({}), got {}: smaller top-ups would take millions of events to restore it",
                            p.balance * 1e-6,
                            t.amount
                        ),
                    ));
                }
                if t.below > p.balance {
                    return Err(Error::scenario(
                        f("top_up.below"),
                        format!(
                            "must be at most the balance ({}), got {}: the balance left can never exceed it",
                            p.balance, t.below
                        ),
                    ));
                }
                Some((t.below, SimTime::from_hours(t.delay_h), t.amount))
            }
            None => None,
        };
        let (class_level, levels) = priority_levels(reg, &f("priorities"), &p.priorities)?;
        Ok(PoolNode {
            name: name.to_string(),
            class_level,
            levels,
            balance: p.balance,
            attribute,
            factor: p.draw_factor,
            slots,
            any_month_day: !p.settlement_days_of_month.is_empty(),
            month_days,
            settle_at: p
                .settlement_at
                .unwrap_or(ClockTime(jiff::civil::Time::midnight())),
            settle_amount: p.settlement_amount,
            top_up,
            to: reg.target(&f("to"), &p.to)?,
            stock: None,
        })
    }
}

/// A pool during one replication.
#[derive(Debug)]
pub(crate) struct PoolState {
    /// Waiting orders by priority level: (order, amount, time it arrived).
    pub(crate) held: Vec<VecDeque<(EntityId, f64, SimTime)>>,
    /// Orders waiting, all levels.
    pub(crate) waiting: usize,
    /// Drawn and not yet restored.
    pub(crate) drawn: f64,
    pub(crate) top_up_pending: bool,
    pub(crate) arrivals: u64,
    pub(crate) draws: u64,
    pub(crate) waited: u64,
    pub(crate) oversize: u64,
    pub(crate) settlements: u64,
    pub(crate) top_ups: u64,
    pub(crate) drawn_total: f64,
    pub(crate) restored_total: f64,
    /// Wait of every order that drew (0 for those that did not wait), s.
    pub(crate) wait: OnlineMoments,
    pub(crate) drawn_avg: TimeWeighted,
    pub(crate) waiting_avg: TimeWeighted,
    pub(crate) blocked_avg: TimeWeighted,
    /// What only a stock counts.
    pub(crate) stock: StockCounters,
}

impl PoolState {
    /// Orders the line has room for before it first grows.
    pub(crate) const LINE: usize = 256;

    /// A full pool with `levels` priority levels at `now`. Each line
    /// starts with room for [`PoolState::LINE`] orders, so that a warm run
    /// seldom grows it.
    pub(crate) fn new(levels: usize, now: SimTime) -> Self {
        PoolState {
            held: (0..levels)
                .map(|_| VecDeque::with_capacity(Self::LINE))
                .collect(),
            waiting: 0,
            drawn: 0.0,
            top_up_pending: false,
            arrivals: 0,
            draws: 0,
            waited: 0,
            oversize: 0,
            settlements: 0,
            top_ups: 0,
            drawn_total: 0.0,
            restored_total: 0.0,
            wait: OnlineMoments::new(),
            drawn_avg: TimeWeighted::new(now, 0.0),
            waiting_avg: TimeWeighted::new(now, 0.0),
            blocked_avg: TimeWeighted::new(now, 0.0),
            stock: StockCounters::default(),
        }
    }

    /// Forgets what was counted before `now` (the end of the warm-up);
    /// the balance and the line stay.
    pub(crate) fn restart(&mut self, now: SimTime) {
        self.arrivals = 0;
        self.draws = 0;
        self.waited = 0;
        self.oversize = 0;
        self.settlements = 0;
        self.top_ups = 0;
        self.drawn_total = 0.0;
        self.restored_total = 0.0;
        self.wait = OnlineMoments::new();
        self.drawn_avg.restart(now);
        self.waiting_avg.restart(now);
        self.blocked_avg.restart(now);
        self.stock.restart();
    }

    /// Records the drawn amount and the line after a change at `now`.
    fn note(&mut self, now: SimTime) {
        self.drawn_avg.update(now, self.drawn);
        let n = self.waiting as f64;
        self.waiting_avg.update(now, n);
        self.blocked_avg
            .update(now, if n > 0.0 { 1.0 } else { 0.0 });
    }
}

/// Whether `amount` fits beside `drawn` in `balance` (within a relative 1e-9).
#[inline(always)]
fn fits(drawn: f64, amount: f64, balance: f64) -> bool {
    drawn + amount <= balance * (1.0 + 1e-9)
}

impl Simulation<'_> {
    /// Schedules the first settlement of pool `p`, if it has a schedule.
    pub(crate) fn schedule_first_settlement(&mut self, p: usize) {
        if let Some(t) = self.next_settlement(p, SimTime::ZERO, true) {
            self.calendar
                .schedule(t, EventClass::Release, Event::Settlement { pool: p as u16 });
        }
    }

    /// The next settlement of pool `p` after `now` (or at it, if
    /// `inclusive`).
    fn next_settlement(&self, p: usize, now: SimTime, inclusive: bool) -> Option<SimTime> {
        let node = &self.model.pools[p];
        let cal = &self.model.calendar;
        let weekly = (!node.slots.is_empty()).then(|| {
            let w = cal.week_offset(now);
            let (dt, _) = next_slot(&node.slots, w, inclusive);
            now.secs() + dt
        });
        let monthly = node.any_month_day.then(|| {
            let mut date = cal.date(now);
            // Every day of the month from 1 to 31 recurs within 62 days.
            for _ in 0..64 {
                if node.month_days[date.day() as usize] {
                    let t = cal.time_of(date.to_datetime(node.settle_at.0));
                    if t > now.secs() || (inclusive && t == now.secs()) {
                        return Some(t);
                    }
                }
                date = date.tomorrow().ok()?;
            }
            None
        });
        let t = match (weekly, monthly.flatten()) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        Some(SimTime::from_secs(t.max(now.secs())))
    }

    /// Order `id` arrives at pool `p`: it draws and goes on, or waits.
    #[inline(never)]
    pub(crate) fn pool_arrival(&mut self, p: usize, id: EntityId, now: SimTime) {
        if self.stock_lot(p, id, now) {
            return;
        }
        let node = &self.model.pools[p];
        let amount = (self.orders.attribute(id, node.attribute) * node.factor).max(0.0);
        let level = node.class_level[self.orders[id].class as usize] as usize;
        let st = &mut self.pools[p];
        st.arrivals += 1;
        if node.stock.is_none() && amount > node.balance * (1.0 + 1e-9) {
            st.oversize += 1;
        } else if st.held[..=level].iter().all(VecDeque::is_empty)
            && fits(st.drawn, amount, node.balance)
        {
            st.drawn += amount;
            st.drawn_total += amount;
            st.draws += 1;
            st.wait.push(0.0);
            st.note(now);
            self.request_top_up(p, now);
        } else {
            st.held[level].push_back((id, amount, now));
            st.waiting += 1;
            st.waited += 1;
            st.note(now);
            self.request_top_up(p, now);
            self.stock_wait(p, id, amount, now);
            self.stock_reorder(p, now);
            return;
        }
        self.stock_reorder(p, now);
        self.trace(OrderEvent::Release, NodeKind::Pool(p), id, now);
        let target = self.resolve(node.to, id, now);
        self.arrive(target, id, now);
    }

    /// Asks for a top-up of pool `p` if its rule says so: when the
    /// balance left is below the rule's threshold, or an order waits (the
    /// head of the line does not fit; without this, a pool restored only
    /// by top-ups would block for good while its balance stayed above the
    /// threshold).
    fn request_top_up(&mut self, p: usize, now: SimTime) {
        let node = &self.model.pools[p];
        let st = &mut self.pools[p];
        if let Some((below, delay, _)) = node.top_up
            && !st.top_up_pending
            && (node.balance - st.drawn < below || st.waiting > 0)
        {
            st.top_up_pending = true;
            self.calendar.schedule(
                now + delay,
                EventClass::Release,
                Event::TopUp { pool: p as u16 },
            );
        }
    }

    /// A scheduled settlement of pool `p`.
    #[inline(never)]
    pub(crate) fn settlement(&mut self, p: usize, now: SimTime) {
        let node = &self.model.pools[p];
        self.pools[p].settlements += 1;
        self.restore(p, node.settle_amount.unwrap_or(f64::INFINITY), now);
        if let Some(t) = self.next_settlement(p, now, false) {
            self.calendar
                .schedule(t, EventClass::Release, Event::Settlement { pool: p as u16 });
        }
    }

    /// A top-up of pool `p` arrives.
    #[inline(never)]
    pub(crate) fn top_up(&mut self, p: usize, now: SimTime) {
        let amount = self.model.pools[p].top_up.map_or(0.0, |t| t.2);
        let st = &mut self.pools[p];
        st.top_up_pending = false;
        st.top_ups += 1;
        self.restore(p, amount, now);
    }

    /// Restores up to `amount` of pool `p`, then releases the line from
    /// its head while the amounts fit.
    /// A stock's units on hand may exceed its start (its drawn amount goes
    /// below zero).
    pub(crate) fn restore(&mut self, p: usize, amount: f64, now: SimTime) {
        let node = &self.model.pools[p];
        let stock = node.stock.is_some();
        let st = &mut self.pools[p];
        let back = if stock { amount } else { amount.min(st.drawn) };
        st.drawn -= back;
        st.restored_total += back;
        if !stock && st.drawn < node.balance * 1e-12 {
            st.drawn = 0.0;
        }
        'levels: for level in 0..node.levels {
            while let Some(&(id, a, since)) = self.pools[p].held[level].front() {
                let st = &mut self.pools[p];
                if !fits(st.drawn, a, node.balance) {
                    // A lower level never overtakes a higher one.
                    break 'levels;
                }
                st.held[level].pop_front();
                st.waiting -= 1;
                st.drawn += a;
                st.drawn_total += a;
                st.draws += 1;
                st.wait.push((now - since).secs());
                if stock {
                    st.stock.backlog = (st.stock.backlog - a).max(0.0);
                    self.orders[id].set_renege_at(None);
                }
                self.trace(OrderEvent::Release, NodeKind::Pool(p), id, now);
                let target = self.resolve(node.to, id, now);
                self.moving.push_back((target, id));
            }
        }
        let st = &mut self.pools[p];
        st.note(now);
        self.request_top_up(p, now);
        self.stock_reorder(p, now);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Dist, Model, Pool, SimTime, Sink, Source, TopUp};

    fn build(pool: Pool) -> Result<(), String> {
        Model::builder()
            .with_source(
                "lists",
                Source::poisson(10.0, "guarantee")
                    .with_attribute("tax", Dist::deterministic(5.0).unwrap()),
            )
            .with_pool("guarantee", pool)
            .with_sink("done", Sink::new())
            .with_horizon(SimTime::from_hours(1.0))
            .build()
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn pool() -> Pool {
        Pool::new(100.0, "tax", "done")
    }

    #[test]
    fn pool_ok() {
        assert_eq!(
            build(pool().with_top_up(TopUp::new(10.0, 1.0, 50.0))),
            Ok(())
        );
        let half_monthly = pool()
            .with_settlement_days_of_month(&[1, 16], "09:00")
            .unwrap();
        assert_eq!(build(half_monthly), Ok(()));
    }

    #[test]
    fn pool_err() {
        let monthly = || pool().with_settlement_days_of_month(&[1], "00:00").unwrap();
        assert_eq!(
            build(monthly().with_top_up(TopUp::new(150.0, 1.0, 50.0))),
            Err("pools.guarantee.top_up.below: must be at most the balance (100), got 150: the balance left can never exceed it".into())
        );
        assert_eq!(
            build(monthly().with_priority("vip", 0)),
            Err("pools.guarantee.priorities.vip: unknown class \"vip\"; the classes are \"default\"".into())
        );
        assert_eq!(
            build(monthly().with_draw_factor(f64::NAN)),
            Err("pools.guarantee.draw_factor: must be a finite number at least 0, got NaN".into())
        );
        let mut at_only = pool().with_top_up(TopUp::new(10.0, 1.0, 50.0));
        at_only.settlement_at = monthly().settlement_at;
        assert!(build(at_only).unwrap_err().starts_with(
            "pools.guarantee.settlement_at: is the clock time of the monthly settlements"
        ));
    }
}
