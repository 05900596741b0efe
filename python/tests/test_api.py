"""The Python API: results, errors, determinism, the GIL, Ctrl-C, equality with the command."""

import json
import math
import os
import signal
import subprocess
import threading
import time

import pytest

import cbec_sim


def test_run_gives_kpi_and_replication_tables(mm1):
    r = cbec_sim.run(mm1, replications=6, seed=3)
    kpis = r.kpis
    assert list(kpis.columns) == ["kpi", "unit", "mean", "std_error", "half_width_95", "min", "max", "n"]
    util = r.kpi("desk.utilization")
    assert util["unit"] == "share of time busy" and util["n"] == 6
    # Utilisation of an M/M/1 at rho = 0.9: within 4 standard errors (plus the
    # warm-up's small bias, far below one standard error here).
    assert abs(util["mean"] - 0.9) < 4 * util["std_error"] + 1e-3
    reps = r.replications
    assert list(reps["replication"]) == list(range(6))
    assert math.isclose(reps["desk.utilization"].mean(), util["mean"], rel_tol=1e-12)
    assert r.pooled["orders"] > 0
    assert isinstance(r.warnings, list)


def test_the_json_is_the_commands(cli, root):
    path = "scenarios/tandem.toml"
    out = subprocess.run(
        [cli, "run", path, "-n", "4", "--seed", "9", "--json", "--quiet"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout
    old = os.getcwd()
    os.chdir(root)
    try:
        r = cbec_sim.run(cbec_sim.Scenario.from_path(path), replications=4, seed=9)
    finally:
        os.chdir(old)
    assert r.to_json().strip() == out.strip()


def test_same_numbers_on_any_thread_count_and_split(mm1):
    one = cbec_sim.run(mm1, replications=8, seed=5, threads=1).to_json()
    two = cbec_sim.run(mm1, replications=8, seed=5, threads=2).to_json()
    assert one == two
    a = cbec_sim.run(mm1, replications=3, seed=5)
    b = cbec_sim.run(mm1, replications=5, seed=5, start=3)
    assert cbec_sim.merge(mm1, [b.shard_json(), a.shard_json()]).to_json() == one


def test_errors_are_exceptions_with_the_field():
    bad = cbec_sim.Scenario.from_toml(
        '[simulation]\nhorizon_h = 10\n[sources.o]\nrate_per_hour = 5\nto = "desk"\n'
        '[stations.desk]\nservers = 0\nservice_time_min = { dist = "exponential", mean = 1 }\nto = "out"\n[sinks.out]\n'
    )
    with pytest.raises(cbec_sim.ScenarioError) as e:
        bad.validate()
    assert e.value.field == "stations.desk.servers"
    assert "must be at least 1, got 0" in str(e.value)
    with pytest.raises(cbec_sim.ScenarioError) as e:
        cbec_sim.Scenario.from_toml("[simulation]\nhorizon_h = 'ten'\n")
    assert "horizon_h" in str(e.value)
    with pytest.raises(ValueError, match="replications: must be at least 1, got 0"):
        cbec_sim.run(bad, replications=0)


def test_set_and_measures_patch_by_path(root, mm1):
    faster = mm1.set("stations.desk.service_time_min.mean", 3.0)
    r = cbec_sim.run(faster, replications=4, seed=2)
    assert r.kpi("desk.utilization")["mean"] < 0.6
    with pytest.raises(cbec_sim.ScenarioError, match="desk"):
        mm1.set("stations.dsk.servers", 2)
    base = cbec_sim.Scenario.from_path(str(root / "scenarios/hongqiao_baseline.toml"))
    with pytest.raises(cbec_sim.ScenarioError):
        base.with_measures(["no_such_measure"])


def test_compare_and_sweep_give_tables(mm1, tmp_path):
    swept = cbec_sim.sweep(mm1, "stations.desk.servers", [1, 2, 3], kpi="desk.utilization", replications=3, seed=1)
    points = swept.points
    assert list(points["value"]) == [1.0, 2.0, 3.0]
    assert list(points["kpi"]) == ["desk.utilization"] * 3
    # One server at rho = 0.9, two at 0.45, three at 0.3 (4 standard errors).
    for servers, row in zip([1, 2, 3], points.itertuples()):
        assert abs(row.mean - 0.9 / servers) < 4 * row.std_error + 0.01
    doc = json.loads(swept.to_json())
    assert doc["param"] == "stations.desk.servers"
    measures = tmp_path / "measures.toml"
    measures.write_text(
        '[[measure]]\nname = "two_desks"\ntitle = "A second desk"\npress_release = "(test)"\n'
        'patches = [{ path = "stations.desk.servers", set = 2, assumption = "[A]" }]\n'
    )
    study = cbec_sim.compare(mm1, ["two_desks"], replications=4, seed=1, measures_file=str(measures))
    effects = study.effects
    wait = effects[effects["kpi"] == "desk.wait_mean_min"].iloc[0]
    assert wait["variant"] == "two_desks" and wait["effect"] < 0
    assert wait["effect"] + wait["half_width_95"] < 0, "a second desk cuts the wait, clearly"


def test_the_gil_is_released_while_simulating(mm1):
    # While a long run goes on in another thread, this thread keeps running
    # Python: with the GIL held it could not take a single step.
    long = mm1.set("simulation.horizon_h", 20000)
    done = threading.Event()
    ticks = []

    def work():
        cbec_sim.run(long, replications=4, seed=1, threads=1)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks.append(time.perf_counter())
        time.sleep(0.005)
    t.join()
    assert len(ticks) > 10, f"the main thread ran {len(ticks)} steps during the run"


def test_ctrl_c_stops_a_run_with_keyboard_interrupt(mm1):
    long = mm1.set("simulation.horizon_h", 100_000)
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        cbec_sim.run(long, replications=2000, seed=1)
    timer.join()
    # 2,000 replications of 900,000 orders would take many minutes; the
    # run stopped at the signal, after the replications under way.
    assert time.perf_counter() - started < 60


def test_without_pandas_results_are_lists_of_dicts(mm1, monkeypatch):
    import cbec_sim._frames as frames

    monkeypatch.setattr(frames, "_pd", None)
    r = cbec_sim.run(mm1, replications=2, seed=1)
    kpis = r.kpis
    assert isinstance(kpis, list) and kpis[0]["kpi"] == "network.time_in_system_mean_min"


def test_a_model_built_from_parts_is_the_same_as_its_file():
    from cbec_sim.build import Model, exponential

    built = (
        Model(horizon_h=300, warmup_h=20)
        .source("orders", rate_per_hour=9, to="desk")
        .station("desk", servers=1, service_min=exponential(6.0), to="done")
        .sink("done")
        .scenario()
    )
    from conftest import MM1

    written = cbec_sim.Scenario.from_toml(MM1)
    assert cbec_sim.run(built, replications=3, seed=4).to_json() == cbec_sim.run(written, replications=3, seed=4).to_json()
    with pytest.raises(cbec_sim.ScenarioError, match="servers"):
        Model(horizon_h=10).source("o", rate_per_hour=1, to="d").station(
            "d", servers=0, service_min=exponential(1.0), to="x"
        ).sink("x").scenario().validate()


def test_trace_is_a_table_of_order_events(mm1):
    short = mm1.set("simulation.horizon_h", 30)
    orders = cbec_sim.trace(short, seed=2)
    assert len(orders) > 100
    assert {"order", "event", "node"} <= set(orders.columns), list(orders.columns)
    again = cbec_sim.trace(short, seed=2)
    assert orders.equals(again)


def test_compare_and_factorial_equal_the_commands(cli, tmp_path):
    from conftest import MM1

    scenario = tmp_path / "mm1.toml"
    scenario.write_text(MM1)
    measures = tmp_path / "measures.toml"
    measures.write_text(
        '[[measure]]\nname = "two_desks"\ntitle = "A second desk"\npress_release = "(test)"\n'
        'patches = [{ path = "stations.desk.servers", set = 2, assumption = "[A]" }]\n'
        '[[measure]]\nname = "faster"\ntitle = "A faster desk"\npress_release = "(test)"\n'
        'patches = [{ path = "stations.desk.service_time_min.mean", set = 5.0, assumption = "[A]" }]\n'
    )
    s = cbec_sim.Scenario.from_path(str(scenario))
    common = ["-n", "4", "--seed", "3", "--json", "--quiet", "--measures-file", str(measures)]
    factorial = subprocess.run(
        [cli, "factorial", str(scenario), "--measure", "two_desks", "--measure", "faster", *common],
        capture_output=True, text=True, check=True,
    ).stdout
    ours = cbec_sim.factorial(s, ["two_desks", "faster"], replications=4, seed=3, measures_file=str(measures))
    assert ours.to_json().strip() == factorial.strip()
    compare = subprocess.run(
        [cli, "compare", str(scenario), "--measure", "two_desks", *common],
        capture_output=True, text=True, check=True,
    ).stdout
    ours = cbec_sim.compare(s, ["two_desks"], replications=4, seed=3, measures_file=str(measures))
    assert ours.to_json().strip() == compare.strip()


def test_sensitivity_robustness_and_capacity_equal_the_commands(cli, tmp_path):
    from conftest import MM1

    scenario = tmp_path / "mm1.toml"
    scenario.write_text(MM1.replace("horizon_h = 300", "horizon_h = 60"))
    (tmp_path / "mm1.assumptions.toml").write_text(
        '[[assumption]]\npath = "sources.orders.rate_per_hour"\nlow = 6\nhigh = 9.5\n'
        '[[assumption]]\npath = "stations.desk.service_time_min.mean"\nlow = 4\nhigh = 6.2\n'
    )
    measures = tmp_path / "measures.toml"
    measures.write_text(
        '[[measure]]\nname = "two_desks"\ntitle = "A second desk"\npress_release = "(test)"\n'
        'patches = [{ path = "stations.desk.servers", set = 2, assumption = "[A]" }]\n'
    )
    s = cbec_sim.Scenario.from_path(str(scenario))

    def command(*args):
        return subprocess.run(
            [cli, *args, "--json", "--quiet"], capture_output=True, text=True, check=True
        ).stdout.strip()

    kpi = "desk.wait_mean_min"
    out = command("sensitivity", str(scenario), "--trajectories", "4", "--top", "2", "--sobol-rows", "4",
                  "--noise-replications", "2", "--kpi", kpi, "-n", "2", "--seed", "5")
    ours = cbec_sim.sensitivity(s, kpis=[kpi], trajectories=4, top=2, sobol_rows=4,
                                noise_replications=2, replications=2, seed=5)
    assert ours.to_json().strip() == out
    out = command("robustness", str(scenario), "--measure", "two_desks", "--measures-file", str(measures),
                  "--draws", "4", "--kpi", kpi, "-n", "2", "--seed", "5")
    ours = cbec_sim.robustness(s, ["two_desks"], draws=4, kpis=[kpi], replications=2, seed=5,
                               measures_file=str(measures))
    assert ours.to_json().strip() == out
    out = command("capacity", str(scenario), "--resource", "stations.desk.servers:1..4",
                  "--target", f"{kpi}<=5", "-n", "4", "--seed", "5")
    ours = cbec_sim.capacity(s, ["stations.desk.servers:1..4"], [f"{kpi}<=5"], replications=4, seed=5)
    assert ours.to_json().strip() == out
    with pytest.raises(cbec_sim.CbecSimError, match="resource: MIN..MAX"):
        cbec_sim.capacity(s, ["stations.desk.servers:4..1"], [f"{kpi}<=5"])
