"""The package's exceptions. The native module raises them with the crate's messages."""

from typing import Optional


class CbecSimError(Exception):
    """Any error of cbec_sim: the message is the crate's, naming the value and the rule."""


class ScenarioError(CbecSimError, ValueError):
    r"""A scenario (or measure, or KPI) that is not valid.

    ``field`` is the path of the offending field (``stations.desk.servers``),
    when the error names one.

    >>> import cbec_sim
    >>> bad = cbec_sim.Scenario.from_toml(
    ...     'simulation = { horizon_h = 10 }\nsources.o = { rate_per_hour = 1, to = "nowhere" }\nsinks.out = {}')
    >>> try:
    ...     bad.validate()
    ... except cbec_sim.ScenarioError as e:
    ...     print(e.field)
    ...     print(e)
    sources.o.to
    sources.o.to: unknown node "nowhere"; the nodes are "out"
    """

    def __init__(self, message: str, field: Optional[str] = None) -> None:
        super().__init__(message)
        self.field = field
