"""The alert rules (deploy/prometheus) and the dashboard (deploy/grafana) name only metrics the
code exposes, and the dashboard shows every metric family there is."""

from __future__ import annotations

import pytest
import yaml

from tests.support.metric_names import NAME_IN_EXPR, exposed
from tests.support.observability import DEPLOY, dashboard_expressions, rule_expressions


@pytest.fixture(scope="module")
def metrics() -> set[str]:
    return exposed()


def test_the_catalogue_knows_the_metrics(metrics: set[str]) -> None:
    # The catalogue itself: names as Prometheus sees them, by type.
    assert {"skyfare_http_requests_total", "skyfare_outbox_lag_seconds"} <= metrics
    assert "skyfare_connector_call_duration_seconds_bucket" in metrics
    assert "skyfare_payments" not in metrics  # a counter is exposed as …_total


@pytest.mark.parametrize("source", ["rules", "dashboard"])
def test_every_expression_names_an_existing_metric(source: str, metrics: set[str]) -> None:
    expressions = rule_expressions() if source == "rules" else dashboard_expressions()
    assert expressions
    for expression in expressions:
        names = set(NAME_IN_EXPR.findall(expression))
        assert names, expression
        assert names <= metrics, f"{sorted(names - metrics)} in {expression}"


def test_the_dashboard_shows_every_metric_family(metrics: set[str]) -> None:
    shown = {n for e in dashboard_expressions() for n in NAME_IN_EXPR.findall(e)}
    families = {m.removesuffix("_total").removesuffix("_bucket") for m in shown}
    missing = {
        m
        for m in metrics
        if not m.endswith(("_created", "_sum", "_count"))
        and m.removesuffix("_total").removesuffix("_bucket") not in families
    }
    assert not missing


def test_the_worker_autoscaler_scales_on_a_metric_that_exists(metrics: set[str]) -> None:
    docs = yaml.safe_load_all((DEPLOY / "k8s" / "base" / "autoscaling.yaml").read_text())
    external = [
        m["external"]["metric"]["name"]
        for doc in docs
        for m in doc["spec"]["metrics"]
        if m["type"] == "External"
    ]
    assert external == ["skyfare_notify_lag_events"]
    assert set(external) <= metrics
