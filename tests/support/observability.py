"""What deploy/'s alert rules and dashboard read: their PromQL expressions, and the series
selectors in them (`name{label="value", …}`) as a scrape can be checked against."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import msgspec
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# A selector: a metric name and its optional matchers, as PromQL writes them.
_SELECTOR = re.compile(r"\b(skyfare_[a-z0-9_]+)\b(?:\{([^}]*)\})?")
_MATCHER = re.compile(r'\s*([a-z_]+)\s*(=~|!~|!=|=)\s*"([^"]*)"\s*,?')
# Inside rate(…) or increase(…): what must have its series at 0 before the first increment.
_RATED = re.compile(r"\b(?:rate|increase)\(\s*(skyfare_[a-z0-9_]+)")


class Selector(msgspec.Struct, frozen=True):
    """`name{label op "value", …}`; `op` is one of =, !=, =~, !~."""

    name: str
    matchers: tuple[tuple[str, str, str], ...] = ()

    def matches(self, name: str, labels: dict[str, str]) -> bool:
        return name == self.name and all(
            _holds(labels.get(label, ""), op, value) for label, op, value in self.matchers
        )

    def __str__(self) -> str:
        inside = ", ".join(f'{label}{op}"{value}"' for label, op, value in self.matchers)
        return f"{self.name}{{{inside}}}" if inside else self.name


def _holds(found: str, op: str, value: str) -> bool:
    if op in ("=~", "!~"):
        return (re.fullmatch(value, found) is not None) == (op == "=~")
    return (found == value) == (op == "=")


def rule_expressions() -> list[str]:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "rules.yaml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def _panels(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for panel in panels:
        found.append(panel)
        found.extend(_panels(panel.get("panels", [])))
    return found


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((DEPLOY / "grafana" / "skyfare.json").read_text())
    expressions = [t["expr"] for p in _panels(dashboard["panels"]) for t in p.get("targets", [])]
    expressions += [v["query"] for v in dashboard["templating"]["list"] if v["type"] == "query"]
    return expressions


def selectors(expression: str) -> set[Selector]:
    """The selectors of `expression`, without matchers on a Grafana variable (`$job`: a
    target label Prometheus adds, not one a process writes)."""
    found = set()
    for name, inside in _SELECTOR.findall(expression):
        matchers = tuple(
            (label, op, value)
            for label, op, value in _MATCHER.findall(inside or "")
            if "$" not in value
        )
        found.add(Selector(name, matchers))
    return found


def rated_names(expression: str) -> set[str]:
    """The metric names `expression` reads with rate() or increase()."""
    return set(_RATED.findall(expression))


def scraped_series(text: str) -> list[tuple[str, dict[str, str]]]:
    """The series of a text exposition: (name, labels) per sample line."""
    series = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head = line.rsplit(" ", 1)[0]
        name, _, inside = head.partition("{")
        labels = dict(re.findall(r'([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"', inside))
        series.append((name, labels))
    return series
