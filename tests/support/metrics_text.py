"""Reading one sample from a `/metrics` page (Prometheus's text exposition)."""

from __future__ import annotations


def sample_value(metrics: str, series: str) -> float:
    """The value of `series` (its name and labels as exposed), 0 when it has no sample yet."""
    for line in metrics.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
