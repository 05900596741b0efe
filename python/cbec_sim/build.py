"""A model built in Python from parts, for those who would rather not write TOML.

>>> from cbec_sim.build import Model, exponential
>>> m = (Model(horizon_h=200, warmup_h=10)
...      .source("orders", rate_per_hour=90, to="desk")
...      .station("desk", servers=2, service_min=exponential(1.0), to="done")
...      .sink("done"))
>>> s = m.scenario()
>>> s.validate()
[]

The parts are the scenario file's (``docs/scenario-reference.md``): each
method adds one table, with the same field names; ``extra`` passes any other
field of that part as it is written in a file (``milestone="declared"``).
"""

import json
import math
from typing import Any, Dict, Mapping, Optional

from ._native import Scenario


def exponential(mean: float) -> Dict[str, Any]:
    """Exponential durations of the given mean (minutes)."""
    return {"dist": "exponential", "mean": mean}


def lognormal(mean: float, cv: float) -> Dict[str, Any]:
    """Lognormal durations by mean (minutes) and coefficient of variation."""
    return {"dist": "lognormal", "mean": mean, "cv": cv}


def gamma(mean: float, cv: float) -> Dict[str, Any]:
    """Gamma durations by mean (minutes) and coefficient of variation."""
    return {"dist": "gamma", "mean": mean, "cv": cv}


def weibull(shape: float, scale: float) -> Dict[str, Any]:
    """Weibull durations by shape and scale (minutes)."""
    return {"dist": "weibull", "shape": shape, "scale": scale}


def deterministic(value: float) -> Dict[str, Any]:
    """Always the same duration (minutes)."""
    return {"dist": "deterministic", "value": value}


def uniform(low: float, high: float) -> Dict[str, Any]:
    """Uniform durations on [low, high] (minutes)."""
    return {"dist": "uniform", "low": low, "high": high}


def _value(v: Any) -> str:
    """``v`` as a TOML value (inline tables and arrays)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"{v} is not a finite number")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"{v!r} cannot be written in a scenario")


def _key(k: str) -> str:
    return k if k.replace("_", "").isalnum() else json.dumps(k)


class Model:
    """A scenario assembled part by part; :meth:`scenario` checks and returns it."""

    def __init__(self, horizon_h: float, warmup_h: float = 0.0, start: Optional[str] = None) -> None:
        self._simulation: Dict[str, Any] = {"horizon_h": horizon_h, "warmup_h": warmup_h}
        if start is not None:
            self._simulation["start"] = start
        self._parts: Dict[str, Dict[str, Dict[str, Any]]] = {}

    def _add(self, kind: str, name: str, fields: Dict[str, Any]) -> "Model":
        table = self._parts.setdefault(kind, {})
        if any(name in t for t in self._parts.values()):
            raise ValueError(f"{kind}.{name}: the name is already used by another part")
        table[name] = {k: v for k, v in fields.items() if v is not None}
        return self

    def source(self, name: str, rate_per_hour: float, to: str, **extra: Any) -> "Model":
        """Poisson arrivals at ``rate_per_hour``, entering ``to``."""
        return self._add("sources", name, {"rate_per_hour": rate_per_hour, "to": to, **extra})

    def station(self, name: str, servers: int, service_min: Mapping[str, Any], to: str, **extra: Any) -> "Model":
        """``servers`` servers with service times ``service_min`` (a distribution), then ``to``."""
        return self._add("stations", name, {"servers": servers, "service_time_min": dict(service_min), "to": to, **extra})

    def delay(self, name: str, parts_min: Mapping[str, Mapping[str, Any]], to: str, **extra: Any) -> "Model":
        """A delay: one duration per part, the order leaves after the longest."""
        return self._add("delays", name, {"latest_of_min": {k: dict(v) for k, v in parts_min.items()}, "to": to, **extra})

    def router(self, name: str, routes: Mapping[str, float], **extra: Any) -> "Model":
        """Sends each order to one of ``routes`` (node -> probability, summing to 1)."""
        return self._add("routers", name, {"routes": [{"to": t, "prob": p} for t, p in routes.items()], **extra})

    def sink(self, name: str, **extra: Any) -> "Model":
        """Where orders leave."""
        return self._add("sinks", name, dict(extra))

    def to_toml(self) -> str:
        """The scenario file's text."""
        lines = [f"simulation = {_value(self._simulation)}"]
        for kind, parts in self._parts.items():
            for name, fields in parts.items():
                lines.append(f"{kind}.{_key(name)} = {_value(fields)}")
        return "\n".join(lines) + "\n"

    def scenario(self) -> Scenario:
        """The scenario, parsed by the crate (its checks run when it is built or validated)."""
        return Scenario.from_toml(self.to_toml())
