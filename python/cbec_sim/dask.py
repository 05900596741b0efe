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
from typing import Any, List, Optional, Sequence, Tuple

from . import _native
from ._errors import CbecSimError
from ._native import Scenario
from .results import RunResult, StudyResult


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


def _shards(
    client: Any,
    scenarios: List[Scenario],
    replications: int,
    seed: int,
    shard_size: Optional[int],
    start: int,
    progress: bool,
) -> List[List[str]]:
    """Each scenario's shards of replications ``start .. start + replications``, computed
    on the cluster (tasks retried once), in range order: one list per scenario."""
    import distributed

    if client is None:
        client = distributed.get_client()
    if shard_size is None:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        shard_size = max(1, -(-replications * len(scenarios) // (4 * workers)))
    ranges = shard_ranges(start, replications, shard_size)
    token = uuid.uuid4().hex[:8]
    jobs = []
    for i, scenario in enumerate(scenarios):
        text = scenario.to_toml()
        base_dir = None if scenario.base_dir is None else str(scenario.base_dir)
        for a, b in ranges:
            future = client.submit(
                _shard_task, text, base_dir, seed, a, b,
                key=f"cbec-sim-shard-{i}-{seed}-{a}-{b}-{token}", retries=1, pure=False,
            )
            jobs.append((i, a, b, future))
    futures = [f for _, _, _, f in jobs]
    if progress:
        distributed.progress(futures)
    distributed.wait(futures)
    out: List[List[str]] = [[] for _ in scenarios]
    for i, a, b, f in jobs:
        if f.status != "finished":
            raise CbecSimError(
                f"shard {a}..{b} (seed {seed}) of {scenarios[i].label} failed twice on the cluster: "
                f"{f.exception()!r}"
            )
        out[i].append(f.result())
    return out


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
    (shards,) = _shards(client, [scenario], replications, seed, shard_size, start, progress)
    return RunResult(*_native.merge(scenario, shards))


def compare(
    scenario: Scenario,
    measures: Sequence[str] = (),
    replications: int = 20,
    seed: int = 1,
    client: Any = None,
    shard_size: Optional[int] = None,
    each: bool = False,
    measures_file: Optional[str] = None,
    progress: bool = False,
) -> StudyResult:
    """:func:`cbec_sim.compare` on a Dask cluster: the baseline's and every variant's
    replications as shards, merged; the same document, bit for bit."""
    variants = _native.compare_variants(scenario, list(measures), each, measures_file)
    shards = _shards(
        client, [scenario] + [s for _, s in variants], replications, seed, shard_size, 0, progress
    )
    document = _native.compare_of_shards(
        scenario, shards[0], shards[1:], replications, seed, list(measures), each, measures_file
    )
    return StudyResult(document, "compare")


def sweep(
    scenario: Scenario,
    param: str,
    values: Sequence[float],
    kpi: Optional[str] = None,
    target: Optional[str] = None,
    replications: int = 20,
    seed: int = 1,
    client: Any = None,
    shard_size: Optional[int] = None,
    progress: bool = False,
) -> StudyResult:
    """:func:`cbec_sim.sweep` on a Dask cluster: every value's replications as shards,
    merged; the same document, bit for bit."""
    values = [float(v) for v in values]
    points = [scenario.set(param, v) for v in values]
    shards = _shards(client, points, replications, seed, shard_size, 0, progress)
    document = _native.sweep_of_shards(scenario, param, values, shards, replications, seed, kpi, target)
    return StudyResult(document, "sweep")
