"""200 replications of the tandem line on a local Dask cluster of 2 worker
processes, checked equal, bit for bit, to the same run in this process.

Run: python python/examples/dask_study.py  (needs dask and distributed)
"""
import pathlib

from distributed import Client, LocalCluster

import cbec_sim
import cbec_sim.dask

root = pathlib.Path(__file__).resolve().parents[2]
scenario = cbec_sim.Scenario.from_path(str(root / "scenarios" / "tandem.toml"))

if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as client:
        spread = cbec_sim.dask.run(scenario, replications=200, seed=7, client=client, shard_size=20, progress=True)
    alone = cbec_sim.run(scenario, replications=200, seed=7)
    print(spread.kpis[["kpi", "mean", "half_width_95"]].head(8).to_string(index=False))
    print("equal to one process, bit for bit:", spread.to_json() == alone.to_json())
    assert spread.to_json() == alone.to_json()
