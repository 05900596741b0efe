//! Order and resource traces: a hand-worked run's rows, tracing changes
//! no number, and the trace of a model with every mechanism is
//! consistent with the run's counts.

use cbec_sim::report::TraceWriter;
use cbec_sim::{
    Breakdowns, Dist, Model, Observer, OrderEvent, OrderLog, OrderRecord, Overflow, ResourceRecord,
    Route, Router, SimTime, Simulation, Sink, Source, Station,
};
use std::collections::HashMap;

/// Four orders replayed at 01:00, 02:00, 03:00 and 04:00 through a router
/// to two servers with a fixed 150-minute service.
fn hand_worked() -> Model {
    let log = "time,items\n2024-01-01T01:00:00,1\n2024-01-01T02:00:00,2\n2024-01-01T03:00:00,3\n2024-01-01T04:00:00,4\n";
    let log = OrderLog::from_reader(log.as_bytes(), "orders.csv").unwrap();
    Model::builder()
        .with_source("orders", Source::replay(log, "split"))
        .with_router("split", Router::new(vec![Route::new("desk", 1.0)]))
        .with_station(
            "desk",
            Station::new(2, Dist::deterministic(150.0).unwrap(), "done"),
        )
        .with_sink("done", Sink::new())
        .with_start("2024-01-01T00:00".parse().unwrap())
        .with_horizon(SimTime::from_hours(4.75))
        .build()
        .unwrap()
}

fn traces(model: &Model) -> (String, String) {
    let mut w = TraceWriter::new(model, Some(Vec::new()), Some(Vec::new())).unwrap();
    let _ = w.trace(1, 0);
    let (o, r) = w.finish().unwrap();
    (
        String::from_utf8(o.unwrap()).unwrap(),
        String::from_utf8(r.unwrap()).unwrap(),
    )
}

#[test]
fn a_hand_worked_run_gives_the_expected_rows() {
    let (orders, resources) = traces(&hand_worked());
    // Worked by hand: order 0 starts on server 0 at 01:00 and ends at
    // 03:30; order 1 takes server 1 at 02:00 and ends at 04:30; order 2
    // waits from 03:00 for server 0, freed at 03:30 (the freed server takes
    // the head of the line before the finished order moves on); order 3
    // waits from 04:00 for server 1, freed at 04:30. The run ends at 04:45.
    let expected = "\
replication,time_h,datetime,order,event,node,server,class,items
0,1,2024-01-01T01:00:00,0,arrive,orders,,default,1
0,1,2024-01-01T01:00:00,0,route,split,,default,1
0,1,2024-01-01T01:00:00,0,arrive,desk,,default,1
0,1,2024-01-01T01:00:00,0,start,desk,0,default,1
0,2,2024-01-01T02:00:00,1,arrive,orders,,default,2
0,2,2024-01-01T02:00:00,1,route,split,,default,2
0,2,2024-01-01T02:00:00,1,arrive,desk,,default,2
0,2,2024-01-01T02:00:00,1,start,desk,1,default,2
0,3,2024-01-01T03:00:00,2,arrive,orders,,default,3
0,3,2024-01-01T03:00:00,2,route,split,,default,3
0,3,2024-01-01T03:00:00,2,arrive,desk,,default,3
0,3.5,2024-01-01T03:30:00,0,end,desk,0,default,1
0,3.5,2024-01-01T03:30:00,2,start,desk,0,default,3
0,3.5,2024-01-01T03:30:00,0,leave,done,,default,1
0,4,2024-01-01T04:00:00,3,arrive,orders,,default,4
0,4,2024-01-01T04:00:00,3,route,split,,default,4
0,4,2024-01-01T04:00:00,3,arrive,desk,,default,4
0,4.5,2024-01-01T04:30:00,1,end,desk,1,default,2
0,4.5,2024-01-01T04:30:00,3,start,desk,1,default,4
0,4.5,2024-01-01T04:30:00,1,leave,done,,default,2
";
    assert_eq!(orders, expected);
    let expected = "\
replication,time_h,datetime,node,busy,held,on_shift,up,waiting,blocked
0,0,2024-01-01T00:00:00,desk,0,0,2,true,0,0
0,1,2024-01-01T01:00:00,desk,1,0,2,true,0,0
0,2,2024-01-01T02:00:00,desk,2,0,2,true,0,0
0,3,2024-01-01T03:00:00,desk,2,0,2,true,1,0
0,3.5,2024-01-01T03:30:00,desk,2,0,2,true,0,0
0,4,2024-01-01T04:00:00,desk,2,0,2,true,1,0
0,4.5,2024-01-01T04:30:00,desk,2,0,2,true,0,0
";
    assert_eq!(resources, expected);
}

/// Every mechanism a trace names: classes with priority, patience,
/// a room that blocks upstream, a room that rejects, breakdowns, a delay.
fn busy_model() -> Model {
    Model::builder()
        .with_source(
            "orders",
            Source::poisson(50.0, "screen")
                .with_class("express", 0.3)
                .with_class("standard", 0.7)
                .with_attribute("items", Dist::uniform(1.0, 5.0).unwrap()),
        )
        .with_station(
            "screen",
            Station::new(2, Dist::exponential(2.0).unwrap(), "split")
                .with_breakdowns(Breakdowns::new(
                    Dist::exponential(3.0).unwrap(),
                    Dist::exponential(10.0).unwrap(),
                ))
                .with_priority("express", 0),
        )
        .with_router(
            "split",
            Router::new(vec![Route::new("pack", 0.8), Route::new("hold", 0.2)]),
        )
        .with_station(
            "pack",
            Station::new(3, Dist::exponential(3.3).unwrap(), "out")
                .with_queue_capacity(4, Overflow::Block)
                .with_patience(Dist::exponential(30.0).unwrap(), "lost"),
        )
        .with_station(
            "hold",
            Station::new(1, Dist::exponential(5.0).unwrap(), "out")
                .with_queue_capacity(2, Overflow::RejectTo("lost".into())),
        )
        .with_station(
            "out",
            Station::infinite(Dist::exponential(20.0).unwrap(), "done"),
        )
        .with_sink("done", Sink::new())
        .with_sink("lost", Sink::new())
        .with_horizon(SimTime::from_hours(200.0))
        .build()
        .unwrap()
}

#[test]
fn tracing_changes_no_number_of_the_run() {
    let model = busy_model();
    for rep in 0..3 {
        let plain = Simulation::new(&model, 11, rep).run();
        let mut w = TraceWriter::new(&model, Some(std::io::sink()), Some(std::io::sink())).unwrap();
        let traced = w.trace(11, rep);
        assert_eq!(plain, traced, "replication {rep}");
        assert!(w.rows().0 > 10_000 && w.rows().1 > 1_000, "{:?}", w.rows());
    }
}

/// Each order's events, checked as they come.
#[derive(Default)]
struct Checker {
    /// Live order -> (station it is at, server it holds).
    at: HashMap<u64, (String, Option<u32>)>,
    /// (station, server) -> the order holding it.
    held: HashMap<(String, u32), u64>,
    counts: HashMap<(OrderEvent, String), u64>,
    last_time: f64,
    next_order: u64,
    most_server: HashMap<String, u32>,
}

impl Checker {
    /// Order `order` lets go of the server it held after its service,
    /// if it still holds it (blocked).
    fn let_go(&mut self, order: u64) {
        if let Some(e) = self.at.get_mut(&order)
            && let Some(k) = e.1.take()
            && self.held.get(&(e.0.clone(), k)) == Some(&order)
        {
            self.held.remove(&(e.0.clone(), k));
        }
    }
}

impl Observer for Checker {
    fn order(&mut self, r: &OrderRecord<'_>) {
        let t = r.time.hours();
        assert!(t >= self.last_time, "time goes back at {r:?}");
        self.last_time = t;
        *self
            .counts
            .entry((r.event, r.node.to_string()))
            .or_default() += 1;
        assert_eq!(r.attributes.len(), 1);
        assert!((1.0..=5.0).contains(&r.attributes[0]), "{r:?}");
        match r.event {
            OrderEvent::Arrive if r.node == "orders" => {
                assert_eq!(
                    r.order, self.next_order,
                    "orders are numbered in creation order"
                );
                self.next_order += 1;
                self.at.insert(r.order, (String::new(), None));
            }
            OrderEvent::Start => {
                let k = r.server.expect("a start names its server");
                let e = self.at.get_mut(&r.order).expect("live order");
                assert_eq!(e.1, None, "starts while holding a server: {r:?}");
                *e = (r.node.to_string(), Some(k));
                let before = self.held.insert((r.node.to_string(), k), r.order);
                assert_eq!(before, None, "server {k} at {} taken twice: {r:?}", r.node);
                let m = self.most_server.entry(r.node.to_string()).or_default();
                *m = (*m).max(k);
            }
            OrderEvent::End => {
                let e = &self.at[&r.order];
                assert_eq!(
                    (e.0.as_str(), e.1),
                    (r.node, r.server),
                    "ends where it started"
                );
                // The server is free at once (the next job may take it at
                // this instant), unless the order then blocks.
                let k = r.server.expect("an end names its server");
                self.held.remove(&(r.node.to_string(), k));
            }
            OrderEvent::Block => {
                // Blocked after its service, it keeps its server: no other
                // job took it between its end and now.
                let e = self.at[&r.order].clone();
                assert_eq!(r.server, e.1, "{r:?}");
                if let Some(k) = e.1 {
                    let before = self.held.insert((e.0.clone(), k), r.order);
                    assert_eq!(before, None, "server {k} at {} taken while blocked", e.0);
                }
            }
            OrderEvent::Route => {}
            OrderEvent::Leave => {
                self.let_go(r.order);
                self.at.remove(&r.order).expect("leaves once");
            }
            // Arriving anywhere, reneging or being turned away: any server
            // it held is free.
            _ => self.let_go(r.order),
        }
    }

    fn resource(&mut self, r: &ResourceRecord<'_>) {
        // Every server named busy or held is one the orders hold.
        let holding = self.held.keys().filter(|(n, _)| n == r.node).count() as u32;
        assert!(
            holding <= r.busy + r.held,
            "{holding} servers held at {} but {} busy and {} held",
            r.node,
            r.busy,
            r.held
        );
    }
}

#[test]
fn a_trace_agrees_with_the_run_counts() {
    let model = busy_model();
    let mut check = Checker::default();
    let mut sim = Simulation::new(&model, 5, 0);
    sim.observe(&mut check);
    let s = sim.run();
    let count = |e: OrderEvent, node: &str| {
        check
            .counts
            .get(&(e, node.to_string()))
            .copied()
            .unwrap_or(0)
    };
    // No warm-up: the summary counts the whole run.
    assert_eq!(count(OrderEvent::Arrive, "orders"), s.network.entered);
    assert_eq!(count(OrderEvent::Leave, "done"), s.sinks[0].count);
    assert_eq!(count(OrderEvent::Leave, "lost"), s.sinks[1].count);
    let pack = s.station("pack").unwrap();
    let hold = s.station("hold").unwrap();
    assert_eq!(count(OrderEvent::Renege, "pack"), pack.reneged);
    assert_eq!(count(OrderEvent::Reject, "hold"), hold.rejected);
    assert!(count(OrderEvent::Block, "pack") > 0, "the room blocks");
    assert!(pack.reneged > 0 && hold.rejected > 0);
    assert_eq!(count(OrderEvent::Arrive, "pack"), pack.arrivals);
    assert_eq!(check.at.len() as u64, s.conservation.in_system);
    // Servers are numbered from 0 up to at most the servers there are.
    assert_eq!(check.most_server["screen"], 1);
    assert_eq!(check.most_server["pack"], 2);
}
