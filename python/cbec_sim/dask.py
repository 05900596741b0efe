"""Studies spread over a Dask cluster, equal to one machine's, bit for bit.

A run's replications are cut into shards (``shard_size`` replications each);
each shard is a Dask task that rebuilds the scenario from its TOML text on a
worker and runs its replications there; the shards are merged by the crate
(the same merge as ``cbec-sim merge``). Replication ``i`` draws from streams
fixed by the seed and ``i`` alone, so the merged result is the one-process
result, whatever the cluster, the shard size or the order shards finish in.

>>> from distributed import Client, LocalCluster          # doctest: +SKIP
>>> client = Client(LocalCluster(n_workers=2, threads_per_worker=1))  # doctest: +SKIP
>>> r = cbec_sim.dask.run(s, replications=200, seed=1, client=client, shard_size=25)  # doctest: +SKIP
>>> r.to_json() == cbec_sim.run(s, replications=200, seed=1).to_json()  # doctest: +SKIP
True
"""

import uuid
from typing import Any, List, Optional, Tuple

from . import _native
from ._errors import CbecSimError
from ._native import Scenario
from .results import RunResult


def _shard_task(text: str, base_dir: Optional[str], seed: int, start: int, end: int) -> str:
    """One shard, on a worker: the scenario rebuilt from its text, its replications run."""
    scenario = Scenario.from_toml(text, base_dir)
    return _native.run_shard(scenario, seed, start, end)


def shard_ranges(start: int, replications: int, shard_size: int) -> List[Tuple[int, int]]:
    """The shards ``(a, b)`` that cover replications ``start .. start + replications``."""
    if replications < 1:
        raise ValueError(f"replications: must be at least 1, got {replications}")
    if shard_size < 1:
        raise ValueError(f"shard_size: must be at least 1, got {shard_size}")
    end = start + replications
    return [(a, min(a + shard_size, end)) for a in range(start, end, shard_size)]


def run(
    scenario: Scenario,
    replications: int = 20,
    seed: int = 1,
    client: Any = None,
    shard_size: Optional[int] = None,
    start: int = 0,
    progress: bool = False,
) -> RunResult:
    """Runs replications ``start .. start + replications`` of ``scenario`` on a Dask cluster.

    ``client`` is a ``distributed.Client`` (default: the current one); ``shard_size``
    replications go to each task (default: about four tasks per worker). A task
    that fails is retried once by Dask; a shard that fails twice raises
    :class:`CbecSimError` naming its range. ``progress=True`` shows Dask's
    progress bar (the dashboard shows the tasks too).
    """
    import distributed

    if client is None:
        client = distributed.get_client()
    if shard_size is None:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        shard_size = max(1, -(-replications // (4 * workers)))
    ranges = shard_ranges(start, replications, shard_size)
    text = scenario.to_toml()
    base_dir = None if scenario.base_dir is None else str(scenario.base_dir)
    token = uuid.uuid4().hex[:8]
    futures = [
        client.submit(
            _shard_task,
            text,
            base_dir,
            seed,
            a,
            b,
            key=f"cbec-sim-shard-{seed}-{a}-{b}-{token}",
            retries=1,
            pure=False,
        )
        for a, b in ranges
    ]
    if progress:
        distributed.progress(futures)
    distributed.wait(futures)
    shards = []
    for (a, b), f in zip(ranges, futures):
        if f.status != "finished":
            raise CbecSimError(
                f"shard {a}..{b} (seed {seed}) failed twice on the cluster: {f.exception()!r}"
            )
        shards.append(f.result())
    return RunResult(*_native.merge(scenario, shards))
