"""deploy/k8s, rendered by the Python renderer (tests/support/kustomize.py; where kubectl is
present tests/integration/deploy checks `kubectl kustomize` renders the same): every object valid
against the Kubernetes JSON schemas, and what the deployment promises (deploy/README.md,
"Kubernetes") checked on the rendered objects."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, NamedTuple

import kubernetes_validate
import pytest
import yaml

from skyfare.gateway import http2_values
from tests.support import kustomize
from tests.support.kustomize import VARIANTS, Obj, pod_specs, render_python, variant_directory
from tests.support.netpol import Pod, may_connect, may_leave

# The oldest Kubernetes these manifests are for (HPA autoscaling/v2, PDB policy/v1: 1.23+).
KUBERNETES_VERSION = "1.30.0"
# How long the load balancer and kube-proxy may still send a pod new connections after it is
# marked terminating (deploy/README.md): every preStop pause is longer.
DEREGISTRATION_S = 10
SERVICES = ("search", "booking", "relay", "worker", "analytics")
SECRET_NAMES = re.compile(r"(URL|KEY|SECRET|PASSWORD|TOKEN)$")
# The outside world's addresses and the pod CIDR (deploy/README.md, "Kubernetes"): the platform's
# ConfigMap in prod, the dev overlay's own in dev, referenced key by key.
ENDPOINTS = "skyfare-endpoints"
STORE_URLS = ("DATABASE_URL", "REDIS_URL")  # they carry the stores' passwords


@pytest.fixture(scope="module", params=VARIANTS)
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> list[Obj]:
    return render_python(variant_directory(request.param, tmp_path_factory.mktemp("kustomize")))


def _one(objects: list[Obj], kind: str, name: str) -> Obj:
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def _component(obj: Obj) -> str:
    return str(obj["metadata"]["labels"]["app.kubernetes.io/component"])


def test_every_object_validates_against_the_kubernetes_schemas(rendered: list[Obj]) -> None:
    checked = 0
    for obj in rendered:
        if obj["kind"] in _OPERATOR_KINDS:  # CRDs: kubernetes-validate ships no schema for them
            continue
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        checked += 1
    assert checked >= 25


# The Prometheus Operator's custom resources.
_OPERATOR_KINDS = ("ServiceMonitor", "PrometheusRule")


def test_the_validation_fails_on_a_field_that_does_not_exist(rendered: list[Obj]) -> None:
    deployment = _one(rendered, "Deployment", "skyfare-search")
    broken: dict[str, Any] = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_service_monitor_scrapes_the_services_that_export_metrics(
    rendered: list[Obj],
) -> None:
    monitor = _one(rendered, "ServiceMonitor", "skyfare")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    selector = monitor["spec"]["selector"]["matchLabels"]
    ports = {e["port"] for e in monitor["spec"]["endpoints"]}
    scraped = {
        _component(s)
        for s in rendered
        if s["kind"] == "Service"
        and all(s["metadata"]["labels"].get(k) == v for k, v in selector.items())
        and ports & {p["name"] for p in s["spec"]["ports"]}
    }
    assert scraped == {"search", "booking", "relay", "worker", "analytics"}


def test_one_deployment_per_service_and_the_gateway(rendered: list[Obj]) -> None:
    deployments = {_component(o) for o in rendered if o["kind"] == "Deployment"}
    assert deployments == {*SERVICES, "gateway"}
    assert "Secret" not in {o["kind"] for o in rendered}


def test_probes_resources_and_the_stop_sequence(rendered: list[Obj]) -> None:
    config = _one(rendered, "ConfigMap", "skyfare-config")["data"]
    drain_s = int(config["SKYFARE_SHUTDOWN_TIMEOUT_S"])
    for obj, pod in pod_specs(rendered):
        for container in pod["containers"]:
            where = f"{obj['kind']}/{obj['metadata']['name']}"
            resources = container["resources"]
            assert set(resources["requests"]) >= {"cpu", "memory"}, where
            assert set(resources["limits"]) >= {"cpu", "memory"}, where
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, where
            if obj["kind"] == "Job":
                continue
            assert "readinessProbe" in container, where
            assert "livenessProbe" in container, where
            pause = container["lifecycle"]["preStop"]["exec"]["command"]
            assert pause[0] == "sleep", where
            assert int(pause[1]) > DEREGISTRATION_S, where
            assert pod["terminationGracePeriodSeconds"] > int(pause[1]) + drain_s + 5, where
        if obj["kind"] == "Deployment" and _component(obj) in ("search", "booking", "analytics"):
            # Not /readyz: with Redis down every search pod (PostgreSQL: every booking pod, and
            # the web app it serves) left the Service at once, though each answers without it.
            container = pod["containers"][0]
            assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"


def _credentials(name: str) -> bool:
    """A setting that is (or, a store's URL, holds) a secret."""
    return bool(SECRET_NAMES.search(name.removesuffix("_URL"))) or name in STORE_URLS


def test_secrets_are_references_never_values(rendered: list[Obj]) -> None:
    for _, pod in pod_specs(rendered):
        for container in pod["containers"]:
            for env in container.get("env", []):
                if SECRET_NAMES.search(env["name"]):
                    assert "value" not in env, env["name"]
                    ref = env["valueFrom"]
                    if "configMapKeyRef" in ref:  # an outside endpoint's address
                        assert ref["configMapKeyRef"]["name"] == ENDPOINTS, env["name"]
                        assert not _credentials(env["name"]), env["name"]
                    else:
                        assert ref["secretKeyRef"]["name"] == "skyfare-secrets", env["name"]
    config = _one(rendered, "ConfigMap", "skyfare-config")["data"]
    assert not [k for k in config if SECRET_NAMES.search(k)]
    # The endpoints' ConfigMap: the dev overlay's own (in prod the platform's, not rendered).
    for obj in rendered:
        if obj["kind"] == "ConfigMap" and obj["metadata"]["name"] == ENDPOINTS:
            assert not [k for k in obj["data"] if _credentials(k)]


def test_the_autoscalers(rendered: list[Obj]) -> None:
    search = _one(rendered, "HorizontalPodAutoscaler", "skyfare-search")["spec"]
    assert search["scaleTargetRef"]["name"] == "skyfare-search"
    assert search["metrics"][0]["resource"]["name"] == "cpu"
    worker = _one(rendered, "HorizontalPodAutoscaler", "skyfare-worker")["spec"]
    assert worker["scaleTargetRef"]["name"] == "skyfare-worker"
    assert worker["metrics"][0]["external"]["metric"]["name"] == "skyfare_notify_lag_events"


# deploy/README.md, "Scale figures and capacity plan": at 50,000 searches/s the search fleet
# spends S x 0.54 ms = 27 cores at the plan's upper figures (22 at its main ones).
PLAN_SEARCH_CORES_AT_50K = 27.0


def _cores(quantity: str) -> float:
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def test_the_prod_search_autoscaler_reaches_the_capacity_plans_largest_fleet() -> None:
    rendered = render_python(kustomize.K8S / "overlays" / "prod")
    hpa = _one(rendered, "HorizontalPodAutoscaler", "skyfare-search")["spec"]
    container = _one(rendered, "Deployment", "skyfare-search")["spec"]["template"]["spec"][
        "containers"
    ][0]
    target = hpa["metrics"][0]["resource"]["target"]["averageUtilization"] / 100
    # The HPA's utilization is a share of the CPU request, and a pod's one process
    # (`--workers 1`) uses at most one core whatever it requests.
    per_pod = min(_cores(container["resources"]["requests"]["cpu"]), 1.0) * target
    assert hpa["maxReplicas"] * per_pod >= PLAN_SEARCH_CORES_AT_50K


def test_every_scaled_out_deployment_has_a_disruption_budget(rendered: list[Obj]) -> None:
    budgets = {o["metadata"]["name"] for o in rendered if o["kind"] == "PodDisruptionBudget"}
    for obj in rendered:
        if obj["kind"] == "Deployment" and obj["spec"]["replicas"] > 1:
            assert obj["metadata"]["name"] in budgets


def test_the_images_are_the_overlays_and_never_latest(rendered: list[Obj]) -> None:
    for _, pod in pod_specs(rendered):
        for container in pod["containers"]:
            image = container["image"]
            assert ":" in image.rsplit("/", 1)[-1] or "@sha256:" in image, image
            assert not image.endswith(":latest"), image
            if container["name"] != "nginx":
                assert image.startswith("registry.skyfare.example/skyfare:"), image


def _pods(rendered: list[Obj]) -> dict[str, Pod]:
    namespace = rendered[0]["metadata"]["namespace"]
    pods = {
        _component(obj): Pod(obj["spec"]["template"]["metadata"]["labels"], namespace)
        for obj in rendered
        if obj["kind"] in ("Deployment", "Job")
    }
    for store in ("postgresql", "pgbouncer", "redis"):
        pods[store] = Pod({"app.kubernetes.io/name": store}, namespace)
    pods["stranger"] = Pod({"app": "something-else"}, namespace)
    pods["other-namespace"] = Pod(pods["gateway"].labels, "elsewhere")
    pods["ingress"] = Pod({"app.kubernetes.io/name": "ingress-nginx"}, "ingress-nginx")
    pods["prometheus"] = Pod({"app.kubernetes.io/name": "prometheus"}, "monitoring")
    return pods


def test_only_the_gateway_reaches_the_services(rendered: list[Obj]) -> None:
    policies = [o for o in rendered if o["kind"] == "NetworkPolicy"]
    pods = _pods(rendered)
    for service in ("search", "booking", "analytics"):  # analytics: the reports
        target = pods[service]
        assert may_connect(policies, pods["gateway"], target, 8080)
        assert may_leave(policies, pods["gateway"], target, 8080)
        assert may_connect(policies, pods["prometheus"], target, 8080)  # /metrics
        for other in ("ingress", "stranger", "other-namespace", "worker", "redis"):
            assert not may_connect(policies, pods[other], target, 8080), (other, service)
    assert may_connect(policies, pods["ingress"], pods["gateway"], 8443)
    for other in ("stranger", "other-namespace", "search"):
        assert not may_connect(policies, pods[other], pods["gateway"], 8443), other
    assert not may_leave(policies, pods["gateway"], pods["redis"], 6379)


def test_only_the_services_reach_postgresql_and_redis(rendered: list[Obj]) -> None:
    policies = [o for o in rendered if o["kind"] == "NetworkPolicy"]
    pods = _pods(rendered)
    for store, port in (("postgresql", 5432), ("pgbouncer", 6432), ("redis", 6379)):
        for service in (*SERVICES, "migrate"):
            assert may_connect(policies, pods[service], pods[store], port), (service, store)
        for other in ("gateway", "stranger", "other-namespace", "ingress", "prometheus"):
            assert not may_connect(policies, pods[other], pods[store], port), (other, store)


def test_the_operator_evaluates_the_alert_rules_of_deploy_prometheus(rendered: list[Obj]) -> None:
    """The ServiceMonitor made the Operator's Prometheus scrape every series, and nothing gave
    it the rules: no alert was ever evaluated, nor the 5xx ratio recorded."""
    rule = _one(rendered, "PrometheusRule", "skyfare")
    monitor = _one(rendered, "ServiceMonitor", "skyfare")
    assert rule["apiVersion"] == monitor["apiVersion"] == "monitoring.coreos.com/v1"
    # Selected by the Prometheus that selects the monitor: the same labels, at least.
    assert rule["metadata"]["labels"].items() >= monitor["metadata"]["labels"].items()
    rules = yaml.safe_load((kustomize.ROOT / "deploy" / "prometheus" / "rules.yaml").read_text())
    assert rule["spec"]["groups"] == rules["groups"]
    assert any("alert" in r for group in rule["spec"]["groups"] for r in group["rules"])


def test_the_prometheus_rule_is_deploy_prometheus_rules() -> None:
    assert kustomize.PROMETHEUS_RULES.read_text() == kustomize.prometheus_rule(), (
        "deploy/prometheus/rules.yaml changed: run `make k8s-generated`"
    )


def test_the_gateway_configmap_is_deploy_nginx() -> None:
    assert kustomize.GATEWAY_CONFIG.read_text() == kustomize.gateway_configmap(), (
        "deploy/nginx changed: run `make k8s-generated`"
    )


def test_the_gateway_fills_in_every_template_variable(rendered: list[Obj]) -> None:
    gateway = _one(rendered, "Deployment", "skyfare-gateway")["spec"]["template"]["spec"]
    nginx = gateway["containers"][0]
    env = {e["name"]: e.get("value") for e in nginx["env"]}
    config = _one(rendered, "ConfigMap", "skyfare-gateway")["data"]
    wanted = {v for text in config.values() for v in re.findall(r"\$\{(SKYFARE_\w+)\}", text)}
    assert wanted
    assert wanted <= set(env), wanted - set(env)
    assert all(name.endswith(".template") for name in config)
    # The image's envsubst step reads the mounted templates and writes where nginx reads them.
    mounts = {m["name"]: m["mountPath"] for m in nginx["volumeMounts"]}
    assert mounts["config"] == env["NGINX_ENVSUBST_TEMPLATE_DIR"]
    assert nginx["args"][:3] == ["nginx", "-c", env["NGINX_ENVSUBST_OUTPUT_DIR"] + "/nginx.conf"]
    assert mounts["tmp"] == env["NGINX_ENVSUBST_OUTPUT_DIR"]
    assert env["SKYFARE_GATEWAY_DIR"].startswith(mounts["tmp"] + "/")
    # Its upstreams are the search, booking and analytics Services; each serves on that port.
    upstreams = re.findall(
        r"server ([a-z0-9-]+):(\d+)",
        env["SKYFARE_GATEWAY_SEARCH_SERVERS"]
        + env["SKYFARE_GATEWAY_BOOKING_SERVERS"]
        + env["SKYFARE_GATEWAY_ANALYTICS_SERVERS"],
    )
    assert [name for name, _ in upstreams] == [
        "skyfare-search",
        "skyfare-booking",
        "skyfare-analytics",
    ]
    for name, port in upstreams:
        service = _one(rendered, "Service", name)
        (served,) = (p for p in service["spec"]["ports"] if p["port"] == int(port))
        deployment = _one(rendered, "Deployment", name)["spec"]["template"]["spec"]
        (container,) = deployment["containers"]
        named = {p["name"]: p["containerPort"] for p in container["ports"]}
        listening = {e["name"]: e.get("value") for e in container.get("env", [])}
        config = _one(rendered, "ConfigMap", "skyfare-config")["data"]
        # The process's own port setting: analytics serves on SKYFARE_ANALYTICS_PORT.
        setting = "SKYFARE_ANALYTICS_PORT" if name == "skyfare-analytics" else "SKYFARE_PORT"
        assert int(listening.get(setting) or config[setting]) == named[served["targetPort"]]
    assert int(env["SKYFARE_GATEWAY_HTTPS_PORT"]) == nginx["ports"][0]["containerPort"]
    # HTTP/2 in the form the image's nginx wants (1.27: `http2 on;`, no deprecated listen form).
    version = tuple(int(n) for n in nginx["image"].rsplit(":", 1)[1].split("."))
    assert len(version) == 3, nginx["image"]
    wanted = http2_values((version[0], version[1], version[2]))
    assert {name: env[name] for name in wanted} == wanted


def _cpus(quantity: str) -> float:
    return int(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def test_the_gateway_runs_one_nginx_worker_per_cpu_of_its_limit(rendered: list[Obj]) -> None:
    # `worker_processes auto` counts the node's cores, not the container's CPU limit: on a
    # 16-core node a 1-CPU gateway would run 16 workers, all throttled within one CPU's quota.
    gateway = _one(rendered, "Deployment", "skyfare-gateway")["spec"]["template"]["spec"]
    nginx = gateway["containers"][0]
    workers = next(e for e in nginx["env"] if e["name"] == "SKYFARE_GATEWAY_WORKERS")
    limit = _cpus(nginx["resources"]["limits"]["cpu"])
    if "value" in workers:
        assert workers["value"] == str(math.ceil(limit)), workers
    else:  # the downward API: the limit in whole CPUs, rounded up
        field = workers["valueFrom"]["resourceFieldRef"]
        assert field["resource"] == "limits.cpu"
        assert field.get("containerName", nginx["name"]) == nginx["name"]
        assert _cpus(str(field.get("divisor", "1"))) == 1


REDIS_TLS_DIR = "/etc/skyfare/redis-tls"  # where the Secret `skyfare-redis-tls` is mounted


class _RedisTls(NamedTuple):
    talks_to_redis: bool  # its container has REDIS_URL
    settings: dict[str, Any]  # its container's SKYFARE_REDIS_TLS_* settings
    secret: Obj | None  # the Secret volume its container mounts read-only at REDIS_TLS_DIR


def _redis_tls(variant: str, scratch: Path) -> dict[str, _RedisTls]:
    """Per Deployment or Job, by component: how its container is set for Redis over TLS."""
    found: dict[str, _RedisTls] = {}
    for obj, pod in pod_specs(render_python(variant_directory(variant, scratch))):
        (container,) = pod["containers"]
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        tls = {name: value for name, value in env.items() if name.startswith("SKYFARE_REDIS_TLS")}
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        secret = None
        for mount in container.get("volumeMounts", []):
            source = volumes[mount["name"]].get("secret", {})
            if source.get("secretName") == "skyfare-redis-tls":
                assert mount["mountPath"] == REDIS_TLS_DIR
                assert mount["readOnly"] is True
                secret = source
        # The settings name files in the mount: neither goes without the other.
        assert bool(tls) == (secret is not None), obj["metadata"]["name"]
        found[_component(obj)] = _RedisTls("REDIS_URL" in env, tls, secret)
    return found


def test_prod_mounts_the_redis_ca_in_every_container_that_talks_to_redis(tmp_path: Path) -> None:
    found = _redis_tls("prod", tmp_path)
    assert {name for name, each in found.items() if each.talks_to_redis} == set(SERVICES)
    for name, each in found.items():
        if not each.talks_to_redis:  # the gateway and the migration job: nothing mounted
            assert each.secret is None, name
            continue
        assert each.settings == {"SKYFARE_REDIS_TLS_CA_FILE": f"{REDIS_TLS_DIR}/ca.crt"}, name
        # Optional: a plain redis:// URL ignores the setting, and the pods start without it.
        assert each.secret == {
            "secretName": "skyfare-redis-tls",
            "optional": True,
            "defaultMode": 0o440,
        }


def test_the_client_certificate_component_names_the_pair_in_the_same_mount(
    tmp_path: Path,
) -> None:
    for name, each in _redis_tls("prod+redis-client-cert", tmp_path).items():
        if each.talks_to_redis:
            assert each.settings == {
                "SKYFARE_REDIS_TLS_CA_FILE": f"{REDIS_TLS_DIR}/ca.crt",
                "SKYFARE_REDIS_TLS_CERT_FILE": f"{REDIS_TLS_DIR}/tls.crt",
                "SKYFARE_REDIS_TLS_KEY_FILE": f"{REDIS_TLS_DIR}/tls.key",
            }, name


def test_dev_runs_without_the_redis_tls_secret(tmp_path: Path) -> None:
    assert all(each.secret is None for each in _redis_tls("dev", tmp_path).values())
