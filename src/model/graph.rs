//! The graph checks on a built [`Model`]: where an order can go next,
//! parts no order reaches (warnings), cycles with no exit and cycles
//! through routers only (errors).
//!
//! Invariants they establish for the event loop: every order that enters
//! can reach a sink, and every cycle passes through a station, so an order
//! never loops forever at one instant. (Stations whose service time can be
//! zero are not yet treated as routers here: see issue 12.)

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
            NodeKind::Sink(k) => return format!("sinks.{}", self.sinks[k].name),
        };
        if b.delays.contains_key(name) {
            format!("delays.{name}")
        } else {
            format!("stations.{name}")
        }
    }

    /// Parts no order can reach, as warnings: a typo in a route, most
    /// likely, or a path a measure switched off.
    #[must_use]
    pub fn warnings(&self) -> Vec<String> {
        let n = self.nodes.len();
        let mut reached = vec![false; n];
        let mut stack: Vec<usize> = (0..n)
            .filter(|i| matches!(self.nodes[*i].kind, NodeKind::Source(_)))
            .collect();
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut reached[i], true) {
                stack.extend(self.successors(i, true));
            }
        }
        (0..n)
            .filter(|i| !reached[*i])
            .map(|i| {
                format!(
                    "{}: no order can reach it: no `to`, route, rule, overflow or renege target leads here",
                    self.node_field(i)
                )
            })
            .collect()
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
        let mut exits = vec![false; n];
        let mut stack: Vec<usize> = (0..n)
            .filter(|i| matches!(self.nodes[*i].kind, NodeKind::Sink(_)))
            .collect();
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut exits[i], true) {
                stack.extend(&pred[i]);
            }
        }
        let mut reached = vec![false; n];
        let mut stack: Vec<usize> = (0..n)
            .filter(|i| matches!(self.nodes[*i].kind, NodeKind::Source(_)))
            .collect();
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut reached[i], true) {
                stack.extend(self.successors(i, false));
            }
        }
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

    /// Every cycle must pass through a station, or an order could loop
    /// forever without time passing.
    pub(crate) fn check_router_cycles(&self) -> Result<()> {
        // 0 = unvisited, 1 = on the current path, 2 = done.
        let mut mark = vec![0u8; self.routers.len()];
        fn visit(m: &Model, r: usize, mark: &mut [u8], path: &mut Vec<usize>) -> Result<()> {
            mark[r] = 1;
            path.push(r);
            let router = &m.routers[r];
            let targets = router
                .default
                .iter()
                .chain(router.by_class.iter().flatten().flatten());
            for &(_, to) in targets {
                if let NodeKind::Router(next) = m.nodes[to.0 as usize].kind {
                    if mark[next] == 1 {
                        let names: Vec<&str> =
                            path.iter().map(|i| m.routers[*i].name.as_str()).collect();
                        return Err(Error::scenario(
                            format!("routers.{}", m.routers[r].name),
                            format!(
                                "routes form a cycle through routers only ({} -> {}); every cycle must pass through a station",
                                names.join(" -> "),
                                m.routers[next].name
                            ),
                        ));
                    }
                    if mark[next] == 0 {
                        visit(m, next, mark, path)?;
                    }
                }
            }
            path.pop();
            mark[r] = 2;
            Ok(())
        }
        for r in 0..self.routers.len() {
            if mark[r] == 0 {
                visit(self, r, &mut mark, &mut Vec::new())?;
            }
        }
        Ok(())
    }
}
