import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

MM1 = """
[simulation]
horizon_h = 300
warmup_h = 20
[sources.orders]
rate_per_hour = 9
to = "desk"
[stations.desk]
servers = 1
service_time_min = { dist = "exponential", mean = 6.0 }
to = "done"
[sinks.done]
"""


@pytest.fixture
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture
def cli() -> str:
    """The command-line program built by `cargo build --release` (scripts/test builds it)."""
    path = os.environ.get("CBEC_SIM_BIN", str(ROOT / "target" / "release" / "cbec-sim"))
    assert os.path.exists(path), f"{path} is missing: run `cargo build --release` first"
    return path


@pytest.fixture
def mm1():
    import cbec_sim

    return cbec_sim.Scenario.from_toml(MM1)
