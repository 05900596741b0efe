//! Offered load from the inputs alone: how busy each station would be if
//! every order were served, before anything is simulated.

use super::arrivals::ArrivalProcess;
use super::station::{OverflowTarget, ServiceTime};
use super::{Model, NodeKind};
use crate::calendar::WEEK_SECS;
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// What kind of node a [`NodeLoad`] describes, with its capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum Capacity {
    /// A station with `c` servers: their mean over the span (shifts
    /// included) and their most at any time.
    Servers {
        /// Servers on duty, averaged over the span.
        mean: f64,
        /// Most servers on duty at once.
        max: u32,
    },
    /// Infinitely many servers (a delay, or a station without a limit).
    Unlimited,
    /// A dispatch point: parcels its vehicles can take per day, on average
    /// (`None` without a vehicle capacity).
    Vehicles {
        /// Parcels per day the scheduled vehicles can take.
        per_day: Option<f64>,
    },
    /// A router or a sink: no capacity.
    None,
}

/// The offered load at one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NodeLoad {
    /// Node name.
    pub name: String,
    /// Its capacity.
    pub capacity: Capacity,
    /// Orders arriving per hour, averaged over the span (visits, so a
    /// rework loop counts each pass).
    pub arrivals_per_hour: f64,
    /// Orders arriving on the busiest day of the span.
    pub peak_day_arrivals: f64,
    /// Servers the offered work keeps busy on average (`λ·E[S]`); `None`
    /// where the mean service time is not known in closed form.
    pub busy_servers: Option<f64>,
    /// Offered work against the servers on duty (or parcels against vehicle
    /// capacity) over the whole span: at 1 or more, the queue grows without
    /// bound.
    pub utilization: Option<f64>,
    /// The same on the busiest day (work that day against the server-hours
    /// that day): above 1, a backlog builds that day and must drain later.
    pub peak_day_utilization: Option<f64>,
    /// Share of time a station with breakdowns is up, `MTBF / (MTBF +
    /// MTTR)` from the means of its up and repair times; `None` without
    /// breakdowns. The server-hours behind `utilization` are scaled by it.
    pub availability: Option<f64>,
    /// Places in a station's finite waiting room (`queue_capacity`), if
    /// it has one.
    pub queue_capacity: Option<u32>,
    /// Whether a full room blocks (`overflow = "block"`) rather than
    /// turning orders away.
    pub blocks: bool,
}

/// The offered load at every node, from the inputs alone.
///
/// # How it is computed
/// Each source's expected arrivals are binned by hour over the span (the
/// observed window, from its opening after the pre-roll and warm-up to the
/// horizon, or one week without a horizon): a Poisson rate, the rate table hour
/// by hour (weekday and dated factors included), the timetable's mean
/// batches, or the replayed log's rows. The visits per arriving order are
/// found for each (source, class) by following the routing probabilities
/// (the traffic equations, solved by iteration). **Router rules are not
/// followed** (an order is assumed to take the probabilistic routes), so
/// loads downstream of a limit or attempt rule are slight over-estimates.
/// A station's work per visit is its mean service time, times the mean of
/// the attribute that scales it. A station with breakdowns serves only
/// while it is up: its server-hours are scaled by its availability
/// `MTBF / (MTBF + MTTR)` (jobs in service at a failure finish, so this
/// slightly under-states the capacity).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OfferedLoad {
    /// Length of the span, hours: the observed window (from its opening,
    /// after the pre-roll and warm-up, to the horizon), or one week
    /// without a horizon.
    pub span_h: f64,
    /// Per node, in model order (sources left out).
    pub nodes: Vec<NodeLoad>,
    /// Nodes on a loop that no probability leaves (only a rule does): their
    /// load is not known from the inputs.
    pub unbounded: Vec<String>,
}

impl NodeLoad {
    /// For a node offered at least its capacity over the run: a warning
    /// that says by how much, what becomes of the excess and, for servers,
    /// how many on duty would bring it below 1. `None` otherwise.
    ///
    /// [`Model::warnings`] gives it for every such node.
    #[must_use]
    pub fn overload_warning(&self) -> Option<String> {
        self.utilization
            .is_some_and(|u| u >= 1.0)
            .then(|| self.overload_text(""))
    }

    /// The warning for a node offered more than its capacity (`when`:
    /// `" over the run"` or nothing): what becomes of the excess depends on
    /// its room, and breakdowns are named when they are what tips it over.
    pub(crate) fn overload_text(&self, when: &str) -> String {
        let u = self.utilization.unwrap_or(f64::NAN);
        let up = match self.availability {
            Some(a) if a < 1.0 => format!(
                ", counting breakdowns that leave it up {:.0}% of the time",
                100.0 * a
            ),
            _ => String::new(),
        };
        let fate = match self.queue_capacity {
            None => "its queue grows without bound".to_string(),
            Some(k) if self.blocks => format!(
                "its room of {k} stays full and the excess backs up outside it, holding the servers that feed it"
            ),
            Some(k) => format!(
                "its room of {k} stays full and about {:.0}% of the orders offered are turned away",
                100.0 * (1.0 - 1.0 / u)
            ),
        };
        // The servers on duty, on average over the span, it has and needs.
        let servers = match (self.busy_servers, &self.capacity) {
            (Some(busy), Capacity::Servers { mean, .. }) => format!(
                "; below 1 it needs more than {:.1} servers on duty on average, it has {mean:.1}",
                busy / self.availability.unwrap_or(1.0)
            ),
            _ => String::new(),
        };
        let peak = match (self.peak_day_servers(), self.peak_day_utilization) {
            (Some(s), Some(p)) if p > u => format!(
                "; on its busiest day ({:.0} orders) {s}",
                self.peak_day_arrivals
            ),
            _ => String::new(),
        };
        format!(
            "{} is offered {u:.2} times its capacity{when}{up} ({:.1} orders/h): {fate}{servers}{peak}",
            self.name, self.arrivals_per_hour
        )
    }

    /// On the busiest day, for a station with servers offered at least its
    /// capacity that day: the servers on duty it needs on average that day
    /// to stay below utilisation 1, and those it has, in words (`it needs
    /// more than X servers on duty on average that day, it has Y`).
    pub(crate) fn peak_day_servers(&self) -> Option<String> {
        let p = self.peak_day_utilization.filter(|p| *p >= 1.0)?;
        let busy = self.busy_servers?;
        if !matches!(self.capacity, Capacity::Servers { .. }) || self.arrivals_per_hour <= 0.0 {
            return None;
        }
        // The work of that day in server-hours, spread over its 24 hours,
        // at the availability breakdowns leave.
        let needed = self.peak_day_arrivals * busy
            / self.arrivals_per_hour
            / 24.0
            / self.availability.unwrap_or(1.0);
        Some(format!(
            "it needs more than {needed:.1} servers on duty on average that day, it has {:.1}",
            needed / p
        ))
    }
}

impl OfferedLoad {
    /// Stations and dispatch points whose offered load reaches their
    /// capacity over the span.
    pub fn overloaded(&self) -> impl Iterator<Item = &NodeLoad> {
        self.nodes
            .iter()
            .filter(|n| n.utilization.is_some_and(|u| u >= 1.0))
    }
}

impl Model {
    /// The offered load at every node, before any simulation (see
    /// [`OfferedLoad`]).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> cbec_sim::Result<()> {
    /// use cbec_sim::{Dist, Model, SimTime, Sink, Source, Station};
    /// let model = Model::builder()
    ///     .with_source("orders", Source::poisson(90.0, "desk"))
    ///     .with_station("desk", Station::new(2, Dist::exponential(1.0)?, "done"))
    ///     .with_sink("done", Sink::new())
    ///     .with_horizon(SimTime::from_hours(24.0))
    ///     .build()?;
    /// let load = model.offered_load();
    /// let desk = load.nodes.iter().find(|n| n.name == "desk").unwrap();
    /// assert!((desk.utilization.unwrap() - 0.75).abs() < 1e-9); // 90/h x 1 min / 2
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn offered_load(&self) -> OfferedLoad {
        let (t0, span) = self.load_span();
        let hours = (span / 3600.0).ceil().max(1.0) as usize;
        let n = self.nodes.len();
        // Arrivals and work per node are kept by day (all that is reported),
        // so memory grows with nodes x days, not nodes x hours.
        let days = hours.div_ceil(24);
        let mut arrivals = vec![vec![0.0; days]; n];
        let mut work = vec![vec![0.0; days]; n];
        let mut unbounded = vec![false; n];
        for (k, src) in self.sources.iter().enumerate() {
            let by_day: Vec<f64> = self
                .source_hourly(k)
                .chunks(24)
                .map(|c| c.iter().sum())
                .collect();
            // Class shares of this source.
            let mut shares: Vec<(u16, f64)> = Vec::new();
            let mut prev = 0.0;
            for &(cum, class) in &src.class_cum {
                let c = if cum.is_infinite() { 1.0 } else { cum };
                shares.push((class, c - prev));
                prev = c;
            }
            for (class, share) in shares {
                if share <= 0.0 {
                    continue;
                }
                let (visits, stuck) = self.visits(src.to.0 as usize, class);
                for (node, v) in visits.iter().enumerate() {
                    unbounded[node] |= stuck[node];
                    if *v == 0.0 {
                        continue;
                    }
                    let per_visit = self.work_per_visit(node, k);
                    for (d, day) in by_day.iter().enumerate() {
                        let a = day * share * v;
                        arrivals[node][d] += a;
                        if let Some(w) = per_visit {
                            work[node][d] += a * w;
                        }
                    }
                }
            }
        }
        let nodes = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, info)| !matches!(info.kind, NodeKind::Source(_)))
            .map(|(i, info)| {
                let total: f64 = arrivals[i].iter().sum();
                let day_sum = |v: &[f64], d: usize| -> f64 {
                    v[d * 24..((d + 1) * 24).min(hours)].iter().sum()
                };
                let peak_day_arrivals = arrivals[i].iter().copied().fold(0.0, f64::max);
                let (mut availability, mut queue_capacity, mut blocks) = (None, None, false);
                let (name, capacity, known_work, utilization, peak) = match info.kind {
                    NodeKind::Station(s) => {
                        let st = &self.stations[s];
                        availability = st.breakdowns.as_ref().map(|b| {
                            let (up, repair) = (b.up.mean().secs(), b.repair.mean().secs());
                            up / (up + repair)
                        });
                        queue_capacity = st.queue_capacity.finite();
                        blocks = st.overflow == OverflowTarget::Block;
                        let up = availability.unwrap_or(1.0);
                        let known = matches!(st.service, ServiceTime::One(_));
                        let servers_at =
                            |h: usize| -> f64 {
                                match &st.shifts {
                                    Some(p) => {
                                        f64::from(p.value_at(self.calendar.week_offset(
                                            SimTime::from_secs(t0 + h as f64 * 3600.0),
                                        )))
                                    }
                                    None => f64::from(st.capacity.finite().unwrap_or(0)),
                                }
                            };
                        if let Some(outside) = st.capacity.finite() {
                            // Breakdowns take the whole station down: only
                            // the up share of each server-hour serves.
                            let on_duty: Vec<f64> = (0..hours).map(servers_at).collect();
                            let mean = on_duty.iter().sum::<f64>() / hours as f64;
                            let server_hours: Vec<f64> = on_duty.iter().map(|h| h * up).collect();
                            let max = st.shifts.as_ref().map_or(outside, |p| p.max());
                            let util = |w: f64, s: f64| (s > 0.0).then(|| w / (s * 3600.0));
                            let utilization = util(work[i].iter().sum(), server_hours.iter().sum());
                            let peak = (0..days)
                                .filter_map(|d| util(work[i][d], day_sum(&server_hours, d)))
                                .fold(None, |m: Option<f64>, u| Some(m.map_or(u, |m| m.max(u))));
                            (
                                st.name.clone(),
                                Capacity::Servers { mean, max },
                                known,
                                utilization,
                                peak,
                            )
                        } else {
                            (st.name.clone(), Capacity::Unlimited, known, None, None)
                        }
                    }
                    NodeKind::Dispatch(d) => {
                        let dn = &self.dispatches[d];
                        let per_day = dn
                            .capacity
                            .finite()
                            .map(|c| dn.slots.len() as f64 / 7.0 * f64::from(c));
                        let utilization = per_day.map(|c| total / (hours as f64 / 24.0) / c);
                        let peak = per_day.map(|c| peak_day_arrivals / c);
                        (
                            dn.name.clone(),
                            Capacity::Vehicles { per_day },
                            false,
                            utilization,
                            peak,
                        )
                    }
                    NodeKind::Pool(p) => (
                        self.pools[p].name.clone(),
                        Capacity::None,
                        false,
                        None,
                        None,
                    ),
                    NodeKind::Router(r) => (
                        self.routers[r].name.clone(),
                        Capacity::None,
                        false,
                        None,
                        None,
                    ),
                    NodeKind::Sink(k) => (
                        self.sinks[k].name.clone(),
                        Capacity::None,
                        false,
                        None,
                        None,
                    ),
                    NodeKind::Source(_) => unreachable!("filtered"),
                };
                NodeLoad {
                    name,
                    capacity,
                    arrivals_per_hour: total / hours as f64,
                    peak_day_arrivals,
                    busy_servers: known_work
                        .then(|| work[i].iter().sum::<f64>() / (hours as f64 * 3600.0)),
                    utilization: if unbounded[i] { None } else { utilization },
                    peak_day_utilization: if unbounded[i] { None } else { peak },
                    availability,
                    queue_capacity,
                    blocks,
                }
            })
            .collect();
        OfferedLoad {
            span_h: hours as f64,
            nodes,
            unbounded: (0..n)
                .filter(|i| unbounded[*i])
                .map(|i| self.node_name(i))
                .collect(),
        }
    }

    /// The span the offered load covers, on the run clock: from the
    /// opening of the observed window (after the pre-roll and warm-up) to
    /// the horizon, or one week without a horizon. (start, length) in
    /// seconds.
    fn load_span(&self) -> (f64, f64) {
        match self.horizon {
            Some(h) => (self.warmup.secs(), (h - self.warmup).secs()),
            None => (self.warmup.secs(), WEEK_SECS),
        }
    }

    /// Expected arrivals of source `k` in each hour of the span.
    pub(super) fn source_hourly(&self, k: usize) -> Vec<f64> {
        let (t0, span) = self.load_span();
        let hours = (span / 3600.0).ceil().max(1.0) as usize;
        let mut out = vec![0.0; hours];
        let src = &self.sources[k];
        match &src.process {
            ArrivalProcess::Poisson { interarrival } => {
                out.fill(3600.0 / interarrival.mean().secs());
            }
            ArrivalProcess::Profile(p) => {
                for (h, slot) in out.iter_mut().enumerate() {
                    // Rates are constant within a clock hour; sample each
                    // quarter to follow a start off the hour.
                    *slot = (0..4)
                        .map(|q| {
                            p.window(t0 + h as f64 * 3600.0 + 450.0 + 900.0 * q as f64)
                                .0
                                * 900.0
                        })
                        .sum();
                }
            }
            ArrivalProcess::Timetable { offsets, batches } => {
                let w0 = self.calendar.week_offset(SimTime::from_secs(t0));
                for (o, b) in offsets.iter().zip(batches) {
                    let mut t = (o - w0).rem_euclid(WEEK_SECS);
                    while t < span {
                        out[(t / 3600.0) as usize] += b.mean();
                        t += WEEK_SECS;
                    }
                }
            }
            ArrivalProcess::Replay { log, .. } => {
                for row in &log.rows {
                    let t = row.time - t0;
                    if t < span && t >= 0.0 {
                        out[(t / 3600.0) as usize] += 1.0;
                    }
                }
            }
        }
        if let Some(max_arrivals) = src.max_arrivals {
            // Stop counting once the cap is reached.
            let mut left = max_arrivals as f64;
            for slot in &mut out {
                let take = slot.min(left);
                left -= take;
                *slot = take;
            }
        }
        out
    }

    /// Expected visits to every node of one order of `class` entering at
    /// `start`, and the nodes whose visits did not converge.
    fn visits(&self, start: usize, class: u16) -> (Vec<f64>, Vec<bool>) {
        let n = self.nodes.len();
        let mut visits = vec![0.0; n];
        let mut pending = vec![0.0; n];
        pending[start] = 1.0;
        for _ in 0..100_000 {
            let mass: f64 = pending.iter().sum();
            if mass < 1e-12 {
                return (visits, vec![false; n]);
            }
            let mut next = vec![0.0; n];
            for (i, &m) in pending.iter().enumerate() {
                if m == 0.0 {
                    continue;
                }
                visits[i] += m;
                match self.nodes[i].kind {
                    NodeKind::Router(r) => {
                        let router = &self.routers[r];
                        let branches = router.by_class[class as usize]
                            .as_ref()
                            .unwrap_or(&router.default);
                        let mut prev = 0.0;
                        for &(cum, to) in branches {
                            let c = if cum.is_infinite() { 1.0 } else { cum };
                            next[to.0 as usize] += m * (c - prev);
                            prev = c;
                        }
                    }
                    NodeKind::Station(s) => next[self.stations[s].to.0 as usize] += m,
                    NodeKind::Dispatch(d) => next[self.dispatches[d].to.0 as usize] += m,
                    NodeKind::Pool(p) => {
                        let pool = &self.pools[p];
                        let to = match &pool.stock {
                            Some(rule) if rule.lot_class == class => rule.lot_to,
                            _ => pool.to,
                        };
                        next[to.0 as usize] += m;
                    }
                    NodeKind::Sink(_) | NodeKind::Source(_) => {}
                }
            }
            pending = next;
        }
        let stuck = pending.iter().map(|m| *m > 1e-9).collect();
        (visits, stuck)
    }

    /// Mean service seconds per visit at node `i` for orders of source `k`.
    fn work_per_visit(&self, i: usize, k: usize) -> Option<f64> {
        let NodeKind::Station(s) = self.nodes[i].kind else {
            return None;
        };
        let st = &self.stations[s];
        let ServiceTime::One(d) = &st.service else {
            return None;
        };
        let scale = match st.scaled_by {
            None => 1.0,
            Some(a) => self.sources[k]
                .attribute_draws
                .iter()
                .find(|(x, _, _)| *x == a)
                .map_or(0.0, |(_, d, _)| d.mean()),
        };
        Some(d.mean().secs() * scale)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Breakdowns, Dist, Model, Overflow, SimTime, Sink, Source, Station};

    fn desk_load(station: Station, rate: f64) -> crate::NodeLoad {
        let model = Model::builder()
            .with_source("orders", Source::poisson(rate, "desk"))
            .with_station("desk", station)
            .with_sink("done", Sink::new())
            .with_horizon(SimTime::from_hours(48.0))
            .build()
            .unwrap();
        let load = model.offered_load();
        load.nodes.into_iter().find(|n| n.name == "desk").unwrap()
    }

    fn minute() -> Dist {
        Dist::deterministic(1.0).unwrap()
    }

    #[test]
    fn breakdowns_scale_the_capacity_by_availability() {
        let plain = desk_load(Station::new(1, minute(), "done"), 50.0);
        assert!((plain.utilization.unwrap() - 50.0 / 60.0).abs() < 1e-12);
        assert_eq!(plain.availability, None);
        // Up 1 h, down 1 h: available half the time, so 50/h of 1-min
        // work needs 1.67 times what is there.
        let halved = desk_load(
            Station::new(1, minute(), "done").with_breakdowns(Breakdowns::new(
                Dist::deterministic(1.0).unwrap(),
                Dist::deterministic(60.0).unwrap(),
            )),
            50.0,
        );
        assert_eq!(halved.availability, Some(0.5));
        assert!((halved.utilization.unwrap() - 100.0 / 60.0).abs() < 1e-12);
        assert!((halved.peak_day_utilization.unwrap() - 100.0 / 60.0).abs() < 1e-12);
        assert!(
            matches!(halved.capacity, crate::Capacity::Servers { mean, max: 1 } if mean == 1.0),
            "the servers on duty are unchanged"
        );
    }

    #[test]
    fn a_finite_room_is_reported_with_its_overflow() {
        let reject = desk_load(
            Station::new(1, minute(), "done")
                .with_queue_capacity(5, Overflow::RejectTo("done".into())),
            120.0,
        );
        assert_eq!((reject.queue_capacity, reject.blocks), (Some(5), false));
        let open = desk_load(Station::new(1, minute(), "done"), 120.0);
        assert_eq!((open.queue_capacity, open.blocks), (None, false));
    }
}
