"""The package's exceptions. The native module raises them with the crate's messages."""

from typing import Optional


class CbecSimError(Exception):
    """Any error of cbec_sim: the message is the crate's, naming the value and the rule."""


class ScenarioError(CbecSimError, ValueError):
    """A scenario (or measure, or KPI) that is not valid.

    ``field`` is the path of the offending field (``stations.desk.servers``),
    when the error names one.

    >>> import cbec_sim
    >>> try:
    ...     cbec_sim.Scenario.from_toml('[sources.o]\\nrate_per_hour = 1\\nto = "nowhere"')
    ... except cbec_sim.ScenarioError as e:
    ...     print(e.field is None or isinstance(e.field, str))
    True
    """

    def __init__(self, message: str, field: Optional[str] = None) -> None:
        super().__init__(message)
        self.field = field
