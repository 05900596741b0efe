"""Result tables as pandas data frames when pandas is installed, else as lists of dicts."""

from typing import Any, Dict, List

try:  # pandas is optional
    import pandas as _pd
except ImportError:  # pragma: no cover - exercised only without pandas
    _pd = None


def frame(rows: List[Dict[str, Any]], columns: List[str]) -> Any:
    """A data frame of ``rows`` with ``columns`` in that order, or the rows themselves."""
    if _pd is None:
        return [{c: r.get(c) for c in columns} for r in rows]
    return _pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)


def has_pandas() -> bool:
    """Whether results are data frames."""
    return _pd is not None


def from_csv(text: str) -> Any:
    """A data frame of CSV ``text``, or its rows as dicts (values as text) without pandas."""
    import csv
    import io

    if _pd is None:
        return list(csv.DictReader(io.StringIO(text)))
    return _pd.read_csv(io.StringIO(text))
