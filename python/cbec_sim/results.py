"""Results of runs, comparisons and sweeps: the command's JSON document, and its tables."""

import json
from typing import Any, Dict, List, Optional

from ._frames import frame
from ._native import kpi_unit

KPI_COLUMNS = ["kpi", "unit", "mean", "std_error", "half_width_95", "min", "max", "n"]
EFFECT_COLUMNS = [
    "variant", "kpi", "unit", "baseline", "with_variant", "effect", "std_error", "half_width_95", "verdict",
]


def _kpi_row(k: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "kpi": k.get("name"),
        "unit": kpi_unit(k.get("name", "")),
        "mean": k.get("mean"),
        "std_error": k.get("std_error"),
        "half_width_95": k.get("half_width_95"),
        "min": k.get("min"),
        "max": k.get("max"),
        "n": k.get("n"),
    }


class RunResult:
    """The result of :func:`cbec_sim.run`: KPIs over replications.

    ``kpis`` is a table (kpi, unit, mean, std_error, half_width_95, min, max, n);
    ``replications`` has one row per replication and one column per KPI;
    ``pooled`` the pooled time-in-system quantiles; ``warnings`` the model's and
    the results' flags; ``to_json()`` the document ``cbec-sim run --json`` prints.
    """

    def __init__(self, document: str, shard: str) -> None:
        self._json = document
        self._shard = shard
        self.document: Dict[str, Any] = json.loads(document)
        self._shard_doc: Optional[Dict[str, Any]] = None

    def to_json(self) -> str:
        """The run's JSON document, as ``cbec-sim run --json`` prints it."""
        return self._json

    def shard_json(self) -> str:
        """The shard's JSON, as ``cbec-sim run --out`` writes it (``cbec-sim merge`` reads it)."""
        return self._shard

    @property
    def kpis(self) -> Any:
        """One row per KPI: kpi, unit, mean, std_error, half_width_95, min, max, n."""
        return frame([_kpi_row(k) for k in self.document["kpis"]], KPI_COLUMNS)

    @property
    def replications(self) -> Any:
        """One row per replication (its index), one column per KPI."""
        if self._shard_doc is None:
            self._shard_doc = json.loads(self._shard)
        shard = self._shard_doc
        names = list(shard.get("kpis", []))
        missing = set(shard.get("missing", []))
        indices = [i for i in range(shard["start"], shard["end"]) if i not in missing]
        rows = []
        for index, values in zip(indices, shard.get("rows", [])):
            row: Dict[str, Any] = {"replication": index}
            row.update(dict(zip(names, values)))
            rows.append(row)
        return frame(rows, ["replication"] + names)

    @property
    def pooled(self) -> Dict[str, Any]:
        """Time in system over every order of every replication: orders, p50, p95, p99 (minutes)."""
        return dict(self.document["pooled"])

    @property
    def warnings(self) -> List[str]:
        """The model's warnings (overload, unreachable parts) and the results' flags."""
        return list(self.document.get("flags", []))

    def kpi(self, name: str) -> Dict[str, Any]:
        """The estimate of one KPI, as a dict."""
        for k in self.document["kpis"]:
            if k.get("name") == name:
                return _kpi_row(k)
        raise KeyError(name)

    def __repr__(self) -> str:
        r = self.document["replications"]
        return f"RunResult({len(self.document['kpis'])} KPIs, replications {r})"


class StudyResult:
    """The result of a comparison or a sweep: its JSON document and its tables."""

    def __init__(self, document: str, kind: str) -> None:
        self._json = document
        self.kind = kind
        self.document: Dict[str, Any] = json.loads(document)

    def to_json(self) -> str:
        """The study's JSON document, as the command prints it with ``--json``."""
        return self._json

    @property
    def warnings(self) -> List[str]:
        """The models' warnings and the results' flags."""
        return list(self.document.get("flags", []))

    @property
    def effects(self) -> Any:
        """A comparison's effects: one row per variant and KPI, the paired difference
        (variant less baseline over the same replications) with its standard error,
        95% half-width and verdict."""
        rows = []
        for v in self.document.get("variants", []):
            for d in v.get("differences", []):
                effect = d.get("effect", {})
                rows.append(
                    {
                        "variant": v.get("name"),
                        "kpi": d.get("kpi"),
                        "unit": kpi_unit(d.get("kpi", "")),
                        "baseline": d.get("baseline", {}).get("mean"),
                        "with_variant": d.get("variant", {}).get("mean"),
                        "effect": effect.get("mean"),
                        "std_error": effect.get("std_error"),
                        "half_width_95": effect.get("half_width_95"),
                        "verdict": d.get("verdict"),
                    }
                )
        return frame(rows, EFFECT_COLUMNS)

    @property
    def points(self) -> Any:
        """A sweep's curve: one row per value, the swept KPI's estimate there."""
        sweep = self.document.get("sweep", {})
        rows = []
        for p in sweep.get("points", []):
            e = p.get("estimate") or {}
            rows.append(
                {
                    "value": p.get("value"),
                    "kpi": e.get("name"),
                    "mean": e.get("mean"),
                    "std_error": e.get("std_error"),
                    "half_width_95": e.get("half_width_95"),
                    "n": e.get("n"),
                }
            )
        return frame(rows, ["value", "kpi", "mean", "std_error", "half_width_95", "n"])

    def __repr__(self) -> str:
        return f"StudyResult({self.kind})"
