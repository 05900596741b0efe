"""cbec_sim: discrete-event Monte Carlo simulation of cross-border e-commerce
import orders through a bonded logistics centre and its customs queues.

The Python face of the ``cbec-sim`` Rust crate: scenarios, runs, comparisons of
measures and sweeps, with results as pandas data frames (lists of dicts without
pandas) and the same JSON documents the ``cbec-sim`` command prints. The
simulation runs without the GIL, on every core, and Ctrl-C stops it.

>>> import cbec_sim
>>> s = cbec_sim.Scenario.from_toml('''
... [simulation]
... horizon_h = 200
... warmup_h = 20
... [sources.orders]
... rate_per_hour = 9
... to = "desk"
... [stations.desk]
... servers = 1
... service_time_min = { dist = "exponential", mean = 6.0 }
... to = "done"
... [sinks.done]
... ''')
>>> r = cbec_sim.run(s, replications=4, seed=7)
>>> 0.8 < r.kpi("desk.utilization")["mean"] < 1.0
True
"""

from typing import Iterable, List, Optional, Sequence, Union

from . import _native
from ._errors import CbecSimError, ScenarioError
from ._native import Scenario, kpi_unit, mmc_mean_wait
from .results import RunResult, StudyResult

__version__ = _native.__version__

__all__ = [
    "CbecSimError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "StudyResult",
    "compare",
    "factorial",
    "kpi_unit",
    "merge",
    "mmc_mean_wait",
    "run",
    "capacity",
    "robustness",
    "sensitivity",
    "sweep",
    "trace",
]


def run(
    scenario: Scenario,
    replications: int = 20,
    seed: int = 1,
    threads: Optional[int] = None,
    start: int = 0,
) -> RunResult:
    """Runs replications ``start .. start + replications`` of ``scenario`` under ``seed``.

    The same seed and range give the same numbers, bit for bit, whatever
    ``threads`` (default: every core) and however the range is split (see
    :func:`merge`, and :mod:`cbec_sim.dask`).
    """
    document, shard = _native.run(scenario, replications, seed, threads, start)
    return RunResult(document, shard)


def merge(scenario: Scenario, shards: Iterable[str]) -> RunResult:
    """Merges shards (``RunResult.shard_json()`` texts, or ``cbec-sim run --out`` files'
    contents) of one scenario and seed into one result, equal to one run of their range."""
    document, shard = _native.merge(scenario, list(shards))
    return RunResult(document, shard)


def compare(
    scenario: Scenario,
    measures: Sequence[str] = (),
    replications: int = 20,
    seed: int = 1,
    threads: Optional[int] = None,
    each: bool = False,
    measures_file: Optional[str] = None,
) -> StudyResult:
    """Compares ``scenario`` with each measure (``"a+b"`` applies two together; ``each=True``
    adds every available measure and all together) on common random numbers: the paired
    effects with their intervals, as ``cbec-sim compare --json``."""
    document = _native.compare(
        scenario, list(measures), replications, seed, threads, each, measures_file
    )
    return StudyResult(document, "compare")


def factorial(
    scenario: Scenario,
    measures: Sequence[str],
    replications: int = 20,
    seed: int = 1,
    threads: Optional[int] = None,
    measures_file: Optional[str] = None,
) -> StudyResult:
    """A full 2^k factorial over ``measures`` (each on or off) on common random numbers:
    main effects and interactions with their intervals, as ``cbec-sim factorial --json``."""
    document = _native.factorial(scenario, list(measures), replications, seed, threads, measures_file)
    return StudyResult(document, "factorial")


def sweep(
    scenario: Scenario,
    param: str,
    values: Union[Sequence[float], Iterable[float]],
    kpi: Optional[str] = None,
    target: Optional[str] = None,
    replications: int = 20,
    seed: int = 1,
    threads: Optional[int] = None,
) -> StudyResult:
    """The KPI ``kpi`` at each value of the parameter at ``param``, on common random numbers,
    with where ``target`` (``"KPI<=X"``) breaks, as ``cbec-sim sweep --json``."""
    values_list: List[float] = [float(v) for v in values]
    document = _native.sweep(
        scenario, param, values_list, kpi, target, replications, seed, threads
    )
    return StudyResult(document, "sweep")


def trace(scenario: Scenario, seed: int = 1, replication: int = 0, resources: bool = False):
    """One replication's order records as a table (one row per order event, the columns
    of ``cbec-sim run --trace``); with ``resources=True``, a pair: the orders and the
    resource records (servers busy, queue lengths)."""
    from ._frames import from_csv

    orders, res = _native.trace(scenario, seed, replication, resources)
    if resources:
        return from_csv(orders), from_csv(res or "")
    return from_csv(orders)


def sensitivity(
    scenario: Scenario,
    assumptions: Optional[str] = None,
    kpis: Optional[Sequence[str]] = None,
    trajectories: Optional[int] = None,
    levels: Optional[int] = None,
    top: Optional[int] = None,
    sobol_rows: Optional[int] = None,
    noise_replications: Optional[int] = None,
    replications: int = 10,
    seed: int = 1,
    threads: Optional[int] = None,
) -> StudyResult:
    """Which assumptions drive each KPI: a Morris screening over every ranged assumption
    (``assumptions``, default the file beside the scenario's), then Sobol indices of the
    ``top`` factors, as ``cbec-sim sensitivity --json``."""
    document = _native.sensitivity(
        scenario, assumptions, None if kpis is None else list(kpis), trajectories, levels, top,
        sobol_rows, noise_replications, replications, seed, threads,
    )
    return StudyResult(document, "sensitivity")


def robustness(
    scenario: Scenario,
    measures: Sequence[str] = (),
    each: bool = False,
    assumptions: Optional[str] = None,
    kpis: Optional[Sequence[str]] = None,
    thresholds: Sequence[tuple] = (),
    draws: Optional[int] = None,
    replications: int = 10,
    seed: int = 1,
    threads: Optional[int] = None,
    measures_file: Optional[str] = None,
) -> StudyResult:
    """Each measure set's effect when every assumption is drawn from its range: how often
    it helps, and where it stops helping, as ``cbec-sim robustness --json``."""
    document = _native.robustness(
        scenario, list(measures), each, assumptions, None if kpis is None else list(kpis),
        [(k, float(x)) for k, x in thresholds], draws, replications, seed, threads, measures_file,
    )
    return StudyResult(document, "robustness")


def capacity(
    scenario: Scenario,
    resources: Sequence[str],
    targets: Sequence[str],
    probability: float = 0.95,
    replications: int = 10,
    confirm_replications: Optional[int] = None,
    max_evaluations: Optional[int] = None,
    seed: int = 1,
    threads: Optional[int] = None,
) -> StudyResult:
    """The cheapest units of each resource (``"PATH[=COST][:MIN..MAX]"``) that meet every
    target (``"KPI<=X"``) in ``probability`` of the replications, as ``cbec-sim capacity --json``."""
    document = _native.capacity(
        scenario, list(resources), list(targets), probability, replications,
        confirm_replications, max_evaluations, seed, threads,
    )
    return StudyResult(document, "capacity")
