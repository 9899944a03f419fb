"""Every Skyfare pod of deploy/k8s gets the settings its process reads, and no secret it does not
(deploy/README.md, "Kubernetes"): each outside endpoint it uses is wired, not left to fall back
to the sim's address (no cluster runs the sim); each secret it reads comes from the Secret; a
real endpoint never stands beside a development secret (skyfare/dev_secrets.py would refuse the
start). Nothing here is a hand-kept list of settings: what a process reads comes from its code
(tests/support/settings_use.py), which addresses follow the sim from loading each pod's
environment under two different sims, the pairs from running skyfare/dev_secrets.py on it.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kernel.client_address import parse_networks
from skyfare import analytics_runner, app, cli, notify_runner, relay_runner
from skyfare.dev_secrets import dev_secrets_in_use
from skyfare.services import ANALYTICS
from skyfare.settings import _ENV_FIELDS, Settings, load_settings
from tests.support import kustomize
from tests.support.kustomize import VARIANTS, Obj, pod_specs, render_python, variant_directory
from tests.support.settings_use import ATTRIBUTES, settings_read_by

SECRETS = "skyfare-secrets"
ENDPOINTS = "skyfare-endpoints"  # the platform's ConfigMap in prod, the dev overlay's own in dev
DEV_ENDPOINTS = kustomize.K8S / "overlays" / "dev" / "endpoints.yaml"
README = kustomize.ROOT / "deploy" / "README.md"
# A setting named so is a secret: it comes from the Secret, never from a value or a ConfigMap.
SECRET_NAMES = re.compile(r"(KEY|SECRET|PASSWORD|TOKEN)$")
# Two sims no pod can reach: an address that differs between them still follows the sim.
SIMS = (
    {"SKYFARE_SIM_HOST": "sim-a.invalid", "SKYFARE_SIM_PORT": "1100"},
    {"SKYFARE_SIM_HOST": "sim-b.invalid", "SKYFARE_SIM_PORT": "2200"},
)
# What the platform puts in the Secret, where a key's value must have a shape to load.
PLATFORM_SECRETS = {
    "DATABASE_URL": "postgresql://skyfare:from-the-platform@pgbouncer:6432/skyfare",
    "REDIS_URL": "rediss://:from-the-platform@redis:6379/0",
    "SKYFARE_CONNECTORS": json.dumps(
        [{"name": "an-airline", "kind": "rest", "base_url": "https://api.airline.example"}]
    ),
    "SKYFARE_USERS_DOCUMENT_KEY": base64.b64encode(bytes(range(32))).decode(),
}


def _platform_secret(key: str) -> str:
    return PLATFORM_SECRETS.get(key, f"from-the-platform-{key.lower()}")


@functools.cache
def _reads(args: tuple[str, ...]) -> frozenset[str]:
    """The Settings attributes `skyfare <args>` reads (skyfare/cli.py's commands)."""
    match args:
        case ("serve", "--service", service, *_):
            contexts = [ctx for ctx, services in app._CONTEXTS if service in services]
            groups = [app._WebApp] if service == "booking" else []  # the web app's routes
            return settings_read_by([*contexts, *groups], shallow=[app.create_app])
        case ("worker",):
            return settings_read_by([notify_runner.serve_notify])
        case ("relay",):
            return settings_read_by([cli._relay, relay_runner.serve_relay])
        case ("analytics",):
            # The consumer, and the `analytics` app it serves (the reports).
            contexts = [ctx for ctx, services in app._CONTEXTS if ANALYTICS in services]
            return settings_read_by(
                [analytics_runner.serve_analytics, *contexts], shallow=[app.create_app]
            )
        case ("migrate",):
            return settings_read_by([cli._admin])
    raise AssertionError(f"a container runs `skyfare {' '.join(args)}`: say what it reads here")


class _Pod:
    """One Skyfare container of a rendered variant: the environment it would start with."""

    def __init__(self, obj: Obj, container: Obj, objects: list[Obj]) -> None:
        self.name = f"{obj['kind']}/{obj['metadata']['name']}"
        self.reads = _reads(tuple(container["args"]))
        self.secrets: set[str] = set()
        self.env: dict[str, str] = {}
        for source in container.get("envFrom", []):
            self.env.update(_configmap(objects, source["configMapRef"]["name"]))
        for entry in container.get("env", []):
            ref = entry.get("valueFrom", {})
            if "value" in entry:
                self.env[entry["name"]] = entry["value"]
            elif "secretKeyRef" in ref:
                assert ref["secretKeyRef"]["name"] == SECRETS, self.name
                self.secrets.add(ref["secretKeyRef"]["key"])
                self.env[entry["name"]] = _platform_secret(ref["secretKeyRef"]["key"])
            elif "configMapKeyRef" in ref:
                key = ref["configMapKeyRef"]
                data = _configmap(objects, key["name"])
                assert key["key"] in data or key.get("optional"), (self.name, key)
                if key["key"] in data:
                    self.env[entry["name"]] = data[key["key"]]

    def settings(self, **extra: str) -> Settings:
        return load_settings({**self.env, **extra})


def _configmap(objects: list[Obj], name: str) -> dict[str, str]:
    """A ConfigMap's data: the rendered one, else (prod) the one the platform creates, whose
    keys and shapes are the dev overlay's example."""
    for obj in objects:
        if obj["kind"] == "ConfigMap" and obj["metadata"]["name"] == name:
            return dict(obj["data"])
    assert name == ENDPOINTS, f"ConfigMap {name} is neither rendered nor the platform's"
    return dict(yaml.safe_load(DEV_ENDPOINTS.read_text())["data"])


def _skyfare_pods(variant: str, scratch: Path) -> list[_Pod]:
    objects = render_python(variant_directory(variant, scratch))
    pods = [
        _Pod(obj, container, objects)
        for obj, pod in pod_specs(objects)
        for container in pod["containers"]
        if container["image"].split("@")[0].rsplit(":", 1)[0].endswith("/skyfare")
    ]
    assert len(pods) >= 6, [p.name for p in pods]
    return pods


@pytest.fixture(scope="module", params=VARIANTS)
def pods(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> list[_Pod]:
    return _skyfare_pods(request.param, tmp_path_factory.mktemp("kustomize"))


def test_every_outside_endpoint_a_process_reads_is_wired(pods: list[_Pod]) -> None:
    following_the_sim = {}
    for pod in pods:
        first, second = (pod.settings(**sim) for sim in SIMS)
        following_the_sim[pod.name] = sorted(
            name
            for name in pod.reads
            if not name.startswith("sim_") and getattr(first, name) != getattr(second, name)
        )
    assert {pod: names for pod, names in following_the_sim.items() if names} == {}


def test_no_pod_holds_a_development_secret_beside_a_real_endpoint(pods: list[_Pod]) -> None:
    for pod in pods:
        # Only a process that seals travelers' documents reads the key (and is refused the
        # development one): the reports check the real issuer's tokens without it.
        seals = "users_document_key" in pod.reads
        assert dev_secrets_in_use(pod.settings(), seals_documents=seals) == [], pod.name


def test_every_process_that_reads_client_addresses_trusts_the_gateway(pods: list[_Pod]) -> None:
    # Behind the gateway every peer is a gateway pod: trusting none, one client's burst of
    # anonymous support cases would shut every other client out (kernel/client_address.py).
    readers = [pod for pod in pods if "trusted_proxies" in pod.reads]
    assert {pod.name for pod in readers} >= {
        "Deployment/skyfare-search",
        "Deployment/skyfare-booking",
    }
    for pod in readers:
        assert parse_networks(pod.settings().trusted_proxies), pod.name


@functools.cache
def _changes(variable: str) -> frozenset[str]:
    """The Settings attributes that setting `variable` changes."""
    default = load_settings({})
    changed = load_settings({variable: _platform_secret(variable)})
    return frozenset(n for n in ATTRIBUTES if getattr(default, n) != getattr(changed, n))


def test_each_pod_holds_the_secrets_its_process_reads_and_no_other(pods: list[_Pod]) -> None:
    secret_settings = [v for v in _ENV_FIELDS if SECRET_NAMES.search(v)]
    assert "SKYFARE_HELPDESK_WEBHOOK_SECRET" in secret_settings
    missing, unread = {}, {}
    for pod in pods:
        read = {v for v in secret_settings if _changes(v) & pod.reads}
        missing[pod.name] = sorted(read - pod.secrets)
        unread[pod.name] = sorted(v for v in pod.secrets if not _changes(v) & pod.reads)
    assert {pod: names for pod, names in missing.items() if names} == {}
    assert {pod: names for pod, names in unread.items() if names} == {}


def test_the_platforms_keys_are_documented_and_the_dev_example_has_them_all(
    tmp_path: Path,
) -> None:
    readme = README.read_text()
    example = yaml.safe_load(DEV_ENDPOINTS.read_text())["data"]
    for variant in VARIANTS:
        objects = render_python(variant_directory(variant, tmp_path / variant))
        for _, pod in pod_specs(objects):
            for container in pod["containers"]:
                for entry in container.get("env", []):
                    ref: Any = entry.get("valueFrom", {})
                    key = (ref.get("secretKeyRef") or ref.get("configMapKeyRef") or {}).get("key")
                    if key is None:
                        continue
                    assert f"`{key}`" in readme, f"deploy/README.md does not name {key}"
                    if "configMapKeyRef" in ref and not ref["configMapKeyRef"].get("optional"):
                        assert key in example, f"{DEV_ENDPOINTS.name} has no {key}"
    assert not [k for k in example if SECRET_NAMES.search(k) or k in PLATFORM_SECRETS]
