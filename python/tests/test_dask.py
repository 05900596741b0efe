"""Dask: a study spread over worker processes equals the one-process run, bit for bit."""

import pytest

import cbec_sim
import cbec_sim.dask


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_two_workers_equal_one_process_bit_for_bit(client, mm1):
    spread = cbec_sim.dask.run(mm1, replications=200, seed=11, client=client, shard_size=25)
    alone = cbec_sim.run(mm1, replications=200, seed=11)
    assert spread.to_json() == alone.to_json()
    assert spread.shard_json() == alone.shard_json()
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2


def test_shards_cover_the_range_once():
    assert cbec_sim.dask.shard_ranges(10, 7, 3) == [(10, 13), (13, 16), (16, 17)]
    with pytest.raises(ValueError, match="shard_size"):
        cbec_sim.dask.shard_ranges(0, 5, 0)


def test_a_failing_shard_is_named_with_its_range(client):
    bad = cbec_sim.Scenario.from_toml(
        '[simulation]\nhorizon_h = 10\n[sources.o]\nrate_per_hour = 5\nto = "desk"\n'
        '[stations.desk]\nservers = 0\nservice_time_min = { dist = "exponential", mean = 1 }\nto = "out"\n[sinks.out]\n'
    )
    with pytest.raises(cbec_sim.CbecSimError, match=r"shard 0\.\.2 \(seed 1\) of scenario failed twice"):
        cbec_sim.dask.run(bad, replications=4, seed=1, client=client, shard_size=2)


def test_sweeps_and_comparisons_on_the_cluster_equal_one_process(client, mm1, tmp_path):
    spread = cbec_sim.dask.sweep(mm1, "stations.desk.servers", [1, 2, 3], kpi="desk.wait_mean_min",
                                 replications=12, seed=4, client=client, shard_size=5)
    alone = cbec_sim.sweep(mm1, "stations.desk.servers", [1, 2, 3], kpi="desk.wait_mean_min",
                           replications=12, seed=4)
    assert spread.to_json() == alone.to_json()
    measures = tmp_path / "measures.toml"
    measures.write_text(
        '[[measure]]\nname = "two_desks"\ntitle = "A second desk"\npress_release = "(test)"\n'
        'patches = [{ path = "stations.desk.servers", set = 2, assumption = "[A]" }]\n'
    )
    spread = cbec_sim.dask.compare(mm1, ["two_desks"], replications=12, seed=4, client=client,
                                   shard_size=5, measures_file=str(measures))
    alone = cbec_sim.compare(mm1, ["two_desks"], replications=12, seed=4, measures_file=str(measures))
    assert spread.to_json() == alone.to_json()
