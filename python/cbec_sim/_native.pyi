"""Type stubs of the native module (PyO3)."""

from os import PathLike
from typing import List, Optional, Tuple, Union

__version__: str

class Scenario:
    """A scenario: the network, its parameters and its run length."""

    @staticmethod
    def from_path(path: Union[str, PathLike[str]]) -> "Scenario": ...
    @staticmethod
    def from_toml(text: str, base_dir: Optional[Union[str, PathLike[str]]] = None) -> "Scenario": ...
    def with_measures(
        self, names: List[str], measures_file: Optional[Union[str, PathLike[str]]] = None
    ) -> "Scenario": ...
    def set(self, path: str, value: float) -> "Scenario": ...
    def validate(self) -> List[str]: ...
    def kpi_names(self) -> List[str]: ...
    def to_toml(self) -> str: ...
    @property
    def base_dir(self) -> Optional[str]: ...
    @property
    def label(self) -> str: ...

def run(
    scenario: Scenario,
    replications: int = 20,
    seed: int = 1,
    threads: Optional[int] = None,
    start: int = 0,
) -> Tuple[str, str]: ...
def run_shard(
    scenario: Scenario, seed: int, start: int, end: int, threads: Optional[int] = None
) -> str: ...
def merge(scenario: Scenario, shards: List[str]) -> Tuple[str, str]: ...
def compare(
    scenario: Scenario,
    measures_: List[str] = ...,
    replications: int = 20,
    seed: int = 1,
    threads: Optional[int] = None,
    each: bool = False,
    measures_file: Optional[Union[str, PathLike[str]]] = None,
) -> str: ...
def sweep(
    scenario: Scenario,
    param: str,
    values: List[float],
    kpi: Optional[str] = None,
    target: Optional[str] = None,
    replications: int = 20,
    seed: int = 1,
    threads: Optional[int] = None,
) -> str: ...
def kpi_unit(name: str) -> str: ...
def mmc_mean_wait(arrival_rate: float, mean_service: float, servers: int) -> Optional[float]: ...
def trace(
    scenario: Scenario, seed: int = 1, replication: int = 0, resources: bool = False
) -> Tuple[str, Optional[str]]: ...
def factorial(
    scenario: Scenario,
    measures_: List[str],
    replications: int = 20,
    seed: int = 1,
    threads: Optional[int] = None,
    measures_file: Optional[Union[str, PathLike[str]]] = None,
) -> str: ...
def sensitivity(
    scenario: Scenario,
    assumptions: Optional[Union[str, PathLike[str]]] = None,
    kpis: Optional[List[str]] = None,
    trajectories: Optional[int] = None,
    levels: Optional[int] = None,
    top: Optional[int] = None,
    sobol_rows: Optional[int] = None,
    noise_replications: Optional[int] = None,
    replications: int = 10,
    seed: int = 1,
    threads: Optional[int] = None,
) -> str: ...
def robustness(
    scenario: Scenario,
    measures_: List[str] = ...,
    each: bool = False,
    assumptions: Optional[Union[str, PathLike[str]]] = None,
    kpis: Optional[List[str]] = None,
    thresholds: List[Tuple[str, float]] = ...,
    draws: Optional[int] = None,
    replications: int = 10,
    seed: int = 1,
    threads: Optional[int] = None,
    measures_file: Optional[Union[str, PathLike[str]]] = None,
) -> str: ...
def capacity(
    scenario: Scenario,
    resources: List[str],
    targets: List[str],
    probability: float = 0.95,
    replications: int = 10,
    confirm_replications: Optional[int] = None,
    max_evaluations: Optional[int] = None,
    seed: int = 1,
    threads: Optional[int] = None,
) -> str: ...
def sweep_of_shards(
    scenario: Scenario,
    param: str,
    values: List[float],
    value_shards: List[List[str]],
    replications: int,
    seed: int,
    kpi: Optional[str] = None,
    target: Optional[str] = None,
) -> str: ...
def compare_variants(
    scenario: Scenario,
    measures_: List[str] = ...,
    each: bool = False,
    measures_file: Optional[Union[str, PathLike[str]]] = None,
) -> List[Tuple[str, Scenario]]: ...
def compare_of_shards(
    scenario: Scenario,
    baseline: List[str],
    variant_shards: List[List[str]],
    replications: int,
    seed: int,
    measures_: List[str] = ...,
    each: bool = False,
    measures_file: Optional[Union[str, PathLike[str]]] = None,
) -> str: ...
