"""The alert rules (deploy/prometheus) and the dashboard (deploy/grafana) name only metrics the
code exposes, and the dashboard shows every metric family there is."""

from __future__ import annotations

import pytest
import yaml

from tests.support.metric_names import NAME_IN_EXPR, exposed
from tests.support.observability import DEPLOY, dashboard_expressions, rule_expressions
from tests.unit.test_doc_links import anchors


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


def test_every_alert_says_what_it_is_about_and_links_its_runbook() -> None:
    """An alert pages someone: its summary and description say what broke and what to look at,
    and its runbook_url is its own heading in deploy/README.md ("Runbooks"), which exists."""
    rules = yaml.safe_load((DEPLOY / "prometheus" / "rules.yaml").read_text())
    alerts = [rule for group in rules["groups"] for rule in group["rules"] if "alert" in rule]
    assert len(alerts) >= 8
    headings = anchors(DEPLOY / "README.md")
    for alert in alerts:
        annotations = alert.get("annotations", {})
        name = alert["alert"]
        assert {"summary", "description", "runbook_url"} <= annotations.keys(), name
        assert annotations["runbook_url"] == f"deploy/README.md#{name.lower()}"
        assert name.lower() in headings, f"{name}: no runbook heading in deploy/README.md"
