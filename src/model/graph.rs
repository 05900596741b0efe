//! The graph checks on a built [`Model`]: where an order can go next,
//! parts no order reaches (warnings), cycles with no exit and cycles
//! through routers only (errors).
//!
//! Invariants they establish for the event loop: every order that enters
//! can reach a sink; every cycle passes through a station whose service
//! takes time (a station whose service time is always zero counts as a
//! router, and so do a full room's overflow, a renege whose patience can
//! be zero and a full-load departure), so an order never loops forever at
//! one instant; and every
//! order blocked outside a full room is held by the server that served
//! it, so it is counted. Sources that create no order within the horizon
//! are warned about.

use super::station::OverflowTarget;
use super::{Model, NodeId, NodeKind};
use crate::error::{Error, Result};

impl Model {
    /// The nodes an order at node `i` can go to next; with
    /// `zero_routes`, routes of probability 0 count too.
    pub(crate) fn successors(&self, i: usize, zero_routes: bool) -> Vec<usize> {
        let id = |n: NodeId| n.0 as usize;
        match self.nodes[i].kind {
            NodeKind::Source(k) => vec![id(self.sources[k].to)],
            NodeKind::Station(s) => {
                let st = &self.stations[s];
                let mut v = vec![id(st.to)];
                if let OverflowTarget::Reject(to) = st.overflow {
                    v.push(id(to));
                }
                if let Some(p) = &st.patience {
                    v.push(id(p.to));
                }
                v
            }
            NodeKind::Router(r) => {
                let router = &self.routers[r];
                let mut v: Vec<usize> = router.rules.iter().map(|rule| id(rule.to)).collect();
                for branches in
                    std::iter::once(&router.default).chain(router.by_class.iter().flatten())
                {
                    let mut prev = 0.0;
                    for &(cum, to) in branches {
                        let c = if cum.is_infinite() { 1.0 } else { cum };
                        if zero_routes || c - prev > 0.0 {
                            v.push(id(to));
                        }
                        prev = c;
                    }
                }
                v
            }
            NodeKind::Dispatch(d) => vec![id(self.dispatches[d].to)],
            NodeKind::Pool(p) => self.pools[p].targets().map(id).collect(),
            NodeKind::Sink(_) => Vec::new(),
        }
    }

    /// The scenario field that names node `i`, such as `stations.review`.
    pub(crate) fn node_field(&self, i: usize) -> String {
        let b = &self.description;
        let name = match self.nodes[i].kind {
            NodeKind::Source(k) => return format!("sources.{}", self.sources[k].name),
            NodeKind::Station(s) => &self.stations[s].name,
            NodeKind::Router(r) => return format!("routers.{}", self.routers[r].name),
            NodeKind::Dispatch(d) => return format!("dispatches.{}", self.dispatches[d].name),
            NodeKind::Pool(p) => return self.pools[p].field(),
            NodeKind::Sink(k) => return format!("sinks.{}", self.sinks[k].name),
        };
        if b.delays.contains_key(name) {
            format!("delays.{name}")
        } else {
            format!("stations.{name}")
        }
    }

    /// The nodes reached from every node of a kind that `start` accepts,
    /// following `next`.
    fn reach(
        &self,
        start: impl Fn(&NodeKind) -> bool,
        next: impl Fn(usize) -> Vec<usize>,
    ) -> Vec<bool> {
        let n = self.nodes.len();
        let mut reached = vec![false; n];
        let mut stack: Vec<usize> = (0..n).filter(|i| start(&self.nodes[*i].kind)).collect();
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut reached[i], true) {
                stack.extend(next(i));
            }
        }
        reached
    }

    /// What is wrong with the model short of an error, one line each:
    /// parts no order can reach (a typo in a route, most likely, or a path
    /// a measure switched off), sources that create no order within the
    /// horizon, and every station or dispatch point offered at least its
    /// capacity over the run ([`NodeLoad::overload_warning`](crate::NodeLoad::overload_warning):
    /// by how much, what becomes of the excess, the servers it needs).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> cbec_sim::Result<()> {
    /// use cbec_sim::{Dist, Model, SimTime, Sink, Source, Station};
    /// let desk = |servers| Model::builder()
    ///     .with_source("orders", Source::poisson(100.0, "desk"))
    ///     .with_station("desk", Station::new(servers, Dist::exponential(1.5).unwrap(), "done"))
    ///     .with_sink("done", Sink::new())
    ///     .with_horizon(SimTime::from_hours(24.0))
    ///     .build();
    /// assert!(desk(3)?.warnings().is_empty(), "rho = 0.83");
    /// let two = desk(2)?.warnings();
    /// assert_eq!(two, ["desk is offered 1.25 times its capacity (100.0 orders/h): its queue grows without bound; below 1 it needs more than 2.5 servers on duty on average, it has 2.0"]);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn warnings(&self) -> Vec<String> {
        let reached = self.reach(
            |k| matches!(k, NodeKind::Source(_)),
            |i| self.successors(i, true),
        );
        let mut out: Vec<String> = (0..self.nodes.len())
            .filter(|i| !reached[*i])
            .map(|i| {
                format!(
                    "{}: no order can reach it: no `to`, route, rule, overflow or renege target leads here",
                    self.node_field(i)
                )
            })
            .collect();
        out.extend(self.silent_sources());
        out.extend(
            self.offered_load()
                .nodes
                .iter()
                .filter_map(super::NodeLoad::overload_warning),
        );
        out
    }

    /// Sources that create no order within the horizon (a replayed log
    /// that starts after it, a timetable with no slot inside it, a rate
    /// table that is zero throughout it), and a line if that is all of
    /// them: the run would report nothing with exit 0.
    fn silent_sources(&self) -> Vec<String> {
        let Some(horizon) = self.horizon else {
            return Vec::new();
        };
        let mut out: Vec<String> = (0..self.sources.len())
            .filter(|k| self.source_hourly(*k).iter().sum::<f64>() <= 0.0)
            .map(|k| {
                format!(
                    "sources.{}: creates no order within the horizon of {} h (its first arrival is after the run ends, or it brings none)",
                    self.sources[k].name,
                    horizon.hours()
                )
            })
            .collect();
        if out.len() == self.sources.len() {
            out.push(
                "no source creates an order within the horizon: the run will have no orders"
                    .to_string(),
            );
        }
        out
    }

    /// A sink must be reachable from every node an order can get to, or
    /// orders would be trapped in a cycle with no exit.
    pub(crate) fn check_exits(&self) -> Result<()> {
        let n = self.nodes.len();
        let mut pred = vec![Vec::new(); n];
        for i in 0..n {
            for j in self.successors(i, false) {
                pred[j].push(i);
            }
        }
        let exits = self.reach(|k| matches!(k, NodeKind::Sink(_)), |i| pred[i].clone());
        let reached = self.reach(
            |k| matches!(k, NodeKind::Source(_)),
            |i| self.successors(i, false),
        );
        // Name a station or delay of the trap if there is one: that is
        // where the orders pile up.
        let trapped = |i: &usize| reached[*i] && !exits[*i];
        let first = (0..n)
            .filter(trapped)
            .find(|i| matches!(self.nodes[*i].kind, NodeKind::Station(_)))
            .or_else(|| (0..n).find(trapped));
        if let Some(i) = first {
            return Err(Error::scenario(
                self.node_field(i),
                "orders that get here can never leave: no route from it leads to a sink (a cycle with no exit)",
            ));
        }
        Ok(())
    }

    /// A station whose full room blocks (`overflow = "block"`) keeps an
    /// order where it comes from, holding the server that served it. Only
    /// a station's service can hold an order: one sent by a source, a
    /// dispatch point, an overflow or a renege (through routers) would
    /// wait outside, counted nowhere (neither in a queue, nor in a wait,
    /// nor as blocked time). Such a model is refused, naming the entry.
    pub(crate) fn check_blocking_entries(&self) -> Result<()> {
        let id = |n: NodeId| n.0 as usize;
        for i in 0..self.nodes.len() {
            let (entries, how): (Vec<usize>, &str) = match self.nodes[i].kind {
                NodeKind::Source(k) => (vec![id(self.sources[k].to)], "its new orders"),
                NodeKind::Dispatch(d) => (
                    vec![id(self.dispatches[d].to)],
                    "the orders its vehicles carry",
                ),
                NodeKind::Pool(p) => (
                    self.pools[p].targets().map(id).collect(),
                    "the orders it releases, cancels or orders",
                ),
                NodeKind::Station(s) => {
                    let st = &self.stations[s];
                    let mut v = Vec::new();
                    if let OverflowTarget::Reject(to) = st.overflow {
                        v.push(id(to));
                    }
                    if let Some(p) = &st.patience {
                        v.push(id(p.to));
                    }
                    (v, "the orders it turns away or that give up waiting")
                }
                _ => continue,
            };
            let mut seen = vec![false; self.nodes.len()];
            let mut stack = entries;
            while let Some(j) = stack.pop() {
                if std::mem::replace(&mut seen[j], true) {
                    continue;
                }
                match self.nodes[j].kind {
                    NodeKind::Router(_) => stack.extend(self.successors(j, true)),
                    NodeKind::Station(s) if self.stations[s].overflow == OverflowTarget::Block => {
                        return Err(Error::scenario(
                            format!("{}.overflow", self.node_field(j)),
                            format!(
                                "\"block\" keeps an order at the station that served it, but {} sends {how} here without a server to hold them: they would wait outside its room uncounted (no queue, no wait); use {{ reject_to = \"node\" }}, or put a station in front",
                                self.node_field(i)
                            ),
                        ));
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The name of node `i`.
    pub(crate) fn node_name(&self, i: usize) -> String {
        match self.nodes[i].kind {
            NodeKind::Source(k) => self.sources[k].name.clone(),
            NodeKind::Station(s) => self.stations[s].name.clone(),
            NodeKind::Router(r) => self.routers[r].name.clone(),
            NodeKind::Dispatch(d) => self.dispatches[d].name.clone(),
            NodeKind::Pool(p) => self.pools[p].name.clone(),
            NodeKind::Sink(k) => self.sinks[k].name.clone(),
        }
    }

    /// Where an order at node `i` can be sent on at the same instant: a
    /// router's routes and rules (routes of probability 0 count: a measure
    /// may raise them); a station's `to` if its service time is always
    /// zero, its overflow target (a full room turns an order away at once)
    /// and its renege target if patience can be zero; a dispatch point's
    /// `to` if it has a batch size (a full load leaves at once).
    fn instant_successors(&self, i: usize) -> Vec<usize> {
        let id = |n: NodeId| n.0 as usize;
        match self.nodes[i].kind {
            NodeKind::Router(r) => {
                let router = &self.routers[r];
                router
                    .default
                    .iter()
                    .chain(router.by_class.iter().flatten().flatten())
                    .map(|&(_, to)| id(to))
                    .chain(router.rules.iter().map(|rule| id(rule.to)))
                    .collect()
            }
            NodeKind::Station(s) => {
                let st = &self.stations[s];
                let mut v = Vec::new();
                if st.service.always_zero() {
                    v.push(id(st.to));
                }
                if let OverflowTarget::Reject(to) = st.overflow {
                    v.push(id(to));
                }
                if let Some(p) = st.patience.as_ref().filter(|p| p.time.can_be_zero()) {
                    v.push(id(p.to));
                }
                v
            }
            NodeKind::Dispatch(d) => {
                let dn = &self.dispatches[d];
                dn.batch_size.map(|_| id(dn.to)).into_iter().collect()
            }
            // An order that fits goes on at once; so do a stock's lots
            // (and the lots a reorder creates).
            NodeKind::Pool(p) => self.pools[p].targets().map(id).collect(),
            NodeKind::Source(_) | NodeKind::Sink(_) => Vec::new(),
        }
    }

    /// The reason a cycle that takes no time is refused, by what it
    /// passes through.
    fn instant_cycle_reason(&self, cycle: &[usize]) -> &'static str {
        let kinds = cycle.iter().map(|n| self.nodes[*n].kind);
        if kinds.clone().all(|k| matches!(k, NodeKind::Router(_))) {
            "routes form a cycle through routers only ({}); every cycle must pass through a station"
        } else if kinds.clone().all(|k| match k {
            NodeKind::Router(_) => true,
            NodeKind::Station(s) => self.stations[s].service.always_zero(),
            _ => false,
        }) {
            "routes form a cycle through routers and stations whose service time is always 0 ({}); every cycle must pass through a station whose service takes time"
        } else {
            "routes form a cycle that takes no time ({}): an order turned away by a full room, giving up at once or leaving in a full load comes back at the same instant; every cycle must pass through a station whose service takes time"
        }
    }

    /// No cycle may be followed without time passing, or an order could
    /// loop forever at one instant: every cycle must pass through a
    /// station whose service takes time (not only through its overflow or
    /// an instant renege), or a dispatch point that waits for departures.
    pub(crate) fn check_instant_cycles(&self) -> Result<()> {
        // 0 = unvisited, 1 = on the current path, 2 = done.
        let mut mark = vec![0u8; self.nodes.len()];
        fn visit(m: &Model, i: usize, mark: &mut [u8], path: &mut Vec<usize>) -> Result<()> {
            mark[i] = 1;
            path.push(i);
            for next in m.instant_successors(i) {
                if mark[next] == 1 {
                    let start = path.iter().position(|p| *p == next).unwrap_or(0);
                    let cycle = &path[start..];
                    let names: Vec<String> = cycle
                        .iter()
                        .chain(std::iter::once(&next))
                        .map(|n| m.node_name(*n))
                        .collect();
                    // Name a station or dispatch point of the cycle if
                    // there is one: that is what to change.
                    let at = cycle
                        .iter()
                        .find(|n| {
                            matches!(
                                m.nodes[**n].kind,
                                NodeKind::Station(_) | NodeKind::Dispatch(_)
                            )
                        })
                        .copied()
                        .unwrap_or(i);
                    return Err(Error::scenario(
                        m.node_field(at),
                        m.instant_cycle_reason(cycle)
                            .replace("{}", &names.join(" -> ")),
                    ));
                }
                if mark[next] == 0 {
                    visit(m, next, mark, path)?;
                }
            }
            path.pop();
            mark[i] = 2;
            Ok(())
        }
        for i in 0..self.nodes.len() {
            if mark[i] == 0 {
                visit(self, i, &mut mark, &mut Vec::new())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::{Dist, Model, Route, Router, SimTime, Sink, Source, Station};

    fn looped(service: Dist) -> crate::Result<Model> {
        Model::builder()
            .with_source("orders", Source::poisson(10.0, "check"))
            .with_station("check", Station::new(1, service, "again"))
            .with_router(
                "again",
                Router::new(vec![
                    Route::new("check", 1.0 - 1e-9),
                    Route::new("done", 1e-9),
                ]),
            )
            .with_sink("done", Sink::new())
            .with_horizon(SimTime::from_hours(1.0))
            .build()
    }

    #[test]
    fn a_loop_through_a_zero_time_station_is_an_error() {
        let err = looped(Dist::deterministic(0.0).unwrap()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "stations.check: routes form a cycle through routers and stations whose service time is always 0 (check -> again -> check); every cycle must pass through a station whose service takes time"
        );
    }

    #[test]
    fn a_blocking_room_fed_by_a_source_is_refused_and_behind_a_station_is_fine() {
        let blocking = || {
            Station::new(1, Dist::exponential(1.0).unwrap(), "done")
                .with_queue_capacity(0, crate::Overflow::Block)
        };
        let err = Model::builder()
            .with_source("orders", Source::poisson(10.0, "desk"))
            .with_station("desk", blocking())
            .with_sink("done", Sink::new())
            .with_horizon(SimTime::from_hours(1.0))
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("stations.desk.overflow: \"block\" keeps an order at the station that served it, but sources.orders sends its new orders here"),
            "{err}"
        );
        let behind_a_station = Model::builder()
            .with_source("orders", Source::poisson(10.0, "first"))
            .with_station(
                "first",
                Station::new(1, Dist::exponential(1.0).unwrap(), "desk"),
            )
            .with_station("desk", blocking())
            .with_sink("done", Sink::new())
            .with_horizon(SimTime::from_hours(1.0))
            .build();
        assert!(behind_a_station.is_ok());
    }

    #[test]
    fn a_source_with_no_order_within_the_horizon_is_warned_about() {
        let table = |day: crate::Day, hours: f64| {
            let batch =
                crate::ScheduledBatch::new(&[day], "06:00", Dist::deterministic(5.0).unwrap())
                    .unwrap();
            Model::builder()
                .with_source("flights", Source::timetable(vec![batch], "done"))
                .with_sink("done", Sink::new())
                .with_horizon(SimTime::from_hours(hours))
                .build()
                .unwrap()
                .warnings()
        };
        // The default start is a Monday 00:00.
        assert!(table(crate::Day::Mon, 24.0).is_empty());
        let w = table(crate::Day::Fri, 24.0);
        assert_eq!(
            w,
            [
                "sources.flights: creates no order within the horizon of 24 h (its first arrival is after the run ends, or it brings none)",
                "no source creates an order within the horizon: the run will have no orders"
            ]
        );
        assert!(table(crate::Day::Fri, 168.0).is_empty());
    }

    #[test]
    fn a_loop_through_an_overflow_or_an_instant_renege_is_an_error() {
        // A 10-minute desk with `extra`, fed 60 orders an hour.
        let desk = |extra: &str| {
            crate::Scenario::from_toml_str(&format!(
                "simulation = {{ horizon_h = 1 }}\n\
                 sources.orders = {{ rate_per_hour = 60, to = \"desk\" }}\n\
                 stations.desk = {{ servers = 1, service_time_min = {{ dist = \"deterministic\", value = 10 }}, to = \"done\", {extra} }}\n\
                 sinks.done = {{}}\n"
            ))
            .unwrap()
            .build()
            .map(|_| ())
            .map_err(|e| e.to_string())
        };
        let err = desk("queue_capacity = 0, overflow = { reject_to = \"desk\" }").unwrap_err();
        assert!(
            err.starts_with("stations.desk: routes form a cycle that takes no time (desk -> desk)"),
            "{err}"
        );
        let renege =
            |patience: &str| desk(&format!("patience_min = {patience}, renege_to = \"desk\""));
        assert!(renege("{ dist = \"deterministic\", value = 0 }").is_err());
        // Patience that takes time is fine: time passes before it returns.
        assert!(renege("{ dist = \"exponential\", mean = 5 }").is_ok());
        assert!(renege("{ dist = \"discrete\", values = [0, 5], probs = [0.5, 0.5] }").is_err());
    }

    #[test]
    fn a_loop_through_a_station_that_takes_time_is_fine() {
        assert!(looped(Dist::deterministic(0.5).unwrap()).is_ok());
        // Zero only sometimes: time passes on the other draws.
        assert!(looped(Dist::discrete(vec![0.0, 1.0], vec![0.5, 0.5]).unwrap()).is_ok());
    }
}
