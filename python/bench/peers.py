"""cbec_sim beside SimPy and Ciw, on the same models, same horizons, on this machine.

Models (time in minutes):
  mmc     M/M/10 at utilisation 0.9: arrivals 9 a minute, service 1 minute;
  tandem  three M/M/c stations in series (4, 3 and 2 servers; means 0.4, 0.3 and
          0.2 minutes) fed at 9 a minute.
Each tool simulates the same horizon once, on one thread, and the script prints
the customers that arrived and the customers per second of wall time.

Install the peers at the versions measured (pinned):
  pip install simpy==4.1.2 ciw==3.2.7
Run:
  python python/bench/peers.py [--customers 1000000] [--ciw-customers 100000]
Ciw is much slower, so it runs a shorter horizon by default; the rate is what
compares.
"""

import argparse
import platform
import random
import time

import cbec_sim

TANDEM = [(4, 0.4), (3, 0.3), (2, 0.2)]


def simpy_run(model: str, horizon: float, seed: int = 1) -> int:
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    stations = [(simpy.Resource(env, capacity=10), 1.0)] if model == "mmc" else [
        (simpy.Resource(env, capacity=c), m) for c, m in TANDEM
    ]
    arrived = [0]

    def customer():
        for res, mean in stations:
            with res.request() as req:
                yield req
                yield env.timeout(rng.expovariate(1.0 / mean))

    def source():
        while True:
            yield env.timeout(rng.expovariate(9.0))
            arrived[0] += 1
            env.process(customer())

    env.process(source())
    env.run(until=horizon)
    return arrived[0]


def ciw_run(model: str, horizon: float, seed: int = 1) -> int:
    import ciw

    ciw.seed(seed)
    if model == "mmc":
        network = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(9.0)],
            service_distributions=[ciw.dists.Exponential(1.0)],
            number_of_servers=[10],
        )
    else:
        network = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(9.0), None, None],
            service_distributions=[ciw.dists.Exponential(1.0 / m) for _, m in TANDEM],
            routing=[[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]],
            number_of_servers=[c for c, _ in TANDEM],
        )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    return sim.nodes[0].number_of_individuals


def cbec_run(model: str, horizon: float, seed: int = 1) -> int:
    if model == "mmc":
        stations = 'stations.s0 = { servers = 10, service_time_min = { dist = "exponential", mean = 1.0 }, to = "done" }\n'
    else:
        stations = "".join(
            f'stations.s{i} = {{ servers = {c}, service_time_min = {{ dist = "exponential", mean = {m} }}, to = "{"s" + str(i + 1) if i < 2 else "done"}" }}\n'
            for i, (c, m) in enumerate(TANDEM)
        )
    scenario = cbec_sim.Scenario.from_toml(
        f"simulation = {{ horizon_h = {horizon / 60.0} }}\n"
        'sources.orders = { rate_per_hour = 540, to = "s0" }\n'
        + stations
        + "sinks.done = {}\n"
    )
    r = cbec_sim.run(scenario, replications=1, seed=seed, threads=1)
    return int(r.kpi("orders_placed")["mean"]) if _has(r, "orders_placed") else int(r.pooled["orders"])


def _has(result, name: str) -> bool:
    try:
        result.kpi(name)
        return True
    except KeyError:
        return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=float, default=1e6, help="customers for cbec_sim and SimPy")
    ap.add_argument("--ciw-customers", type=float, default=1e5, help="customers for Ciw")
    args = ap.parse_args()
    import ciw
    import simpy

    print(f"machine: {platform.machine()}, {platform.processor() or platform.platform()}, Python {platform.python_version()}")
    print(f"versions: cbec_sim {cbec_sim.__version__}, SimPy {simpy.__version__}, Ciw {ciw.__version__}")
    print(f"{'tool':<10} {'model':<7} {'customers':>10} {'seconds':>9} {'customers/s':>12}")
    rates = {}
    for model in ["mmc", "tandem"]:
        for tool, run, customers in [
            ("cbec_sim", cbec_run, args.customers),
            ("SimPy", simpy_run, args.customers),
            ("Ciw", ciw_run, args.ciw_customers),
        ]:
            horizon = customers / 9.0
            started = time.perf_counter()
            n = run(model, horizon)
            seconds = time.perf_counter() - started
            rates[(tool, model)] = n / seconds
            print(f"{tool:<10} {model:<7} {n:>10} {seconds:>9.2f} {n / seconds:>12,.0f}")
    for model in ["mmc", "tandem"]:
        base = rates[("cbec_sim", model)]
        print(
            f"{model}: cbec_sim is {base / rates[('SimPy', model)]:.0f}x SimPy's rate and "
            f"{base / rates[('Ciw', model)]:.0f}x Ciw's"
        )


if __name__ == "__main__":
    main()
