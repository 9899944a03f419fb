"""Render deploy/k8s's kustomizations: with `kubectl kustomize` when kubectl is on PATH, else in
Python, implementing only the kustomize features deploy/k8s uses (resources, namespace, images,
replicas, JSON 6902 `patches` with a kind/name target, and `components` made of such patches).
A feature outside that list is an error, never silently ignored; where kubectl is present the
tests check both renderings agree.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

Obj = dict[str, Any]

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
# What the tests render: each overlay, and an overlay with opt-in components (`+` each; the
# components under deploy/k8s/components that no overlay includes by itself).
VARIANTS = (*OVERLAYS, "prod+redis-client-cert")

_SUPPORTED = {
    "apiVersion",
    "kind",
    "resources",
    "namespace",
    "images",
    "replicas",
    "patches",
    "components",
}
# A Component (kind: Component) here only patches what the kustomization including it has.
_SUPPORTED_IN_COMPONENT = {"apiVersion", "kind", "patches"}
# The kinds deploy/k8s has that are not namespaced (kustomize leaves their namespace alone).
_CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}
_SCALABLE = {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"}


class KustomizeError(Exception):
    pass


def kubectl() -> str | None:
    return shutil.which("kubectl")


def render(directory: Path, *, use_kubectl: bool | None = None) -> list[Obj]:
    """The objects of the kustomization in `directory`."""
    binary = kubectl() if use_kubectl is None or use_kubectl else None
    if use_kubectl and binary is None:
        raise KustomizeError("kubectl is not on PATH")
    if binary is not None:
        out = subprocess.run(
            [binary, "kustomize", str(directory)],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        return [doc for doc in yaml.safe_load_all(out) if doc]
    return render_python(directory)


def variant_directory(variant: str, scratch: Path) -> Path:
    """The kustomization of `variant` (VARIANTS): an overlay's own, or one written in `scratch`
    that adds the named components to the overlay, as an operator's own overlay would (the
    paths relative: kustomize refuses absolute ones)."""
    overlay, *components = variant.split("+")
    if not components:
        return K8S / "overlays" / overlay
    scratch.mkdir(parents=True, exist_ok=True)

    def relative(path: Path) -> str:
        return os.path.relpath(path, scratch)

    spec = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [relative(K8S / "overlays" / overlay)],
        "components": [relative(K8S / "components" / name) for name in components],
    }
    (scratch / "kustomization.yaml").write_text(yaml.safe_dump(spec))
    return scratch


def render_python(directory: Path) -> list[Obj]:
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(spec) - _SUPPORTED
    if unknown:
        raise KustomizeError(f"{directory}: kustomize features not implemented: {sorted(unknown)}")
    objects: list[Obj] = []
    for entry in spec.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            objects.extend(render_python(path))
        else:
            objects.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    # As kustomize: the components after the resources, then the kustomization's own patches.
    for entry in spec.get("components", []):
        _apply_component(objects, (directory / entry).resolve())
    for patch in spec.get("patches", []):
        _patch(objects, patch, directory)
    if "namespace" in spec:
        for obj in objects:
            if obj["kind"] not in _CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = spec["namespace"]
    for image in spec.get("images", []):
        for container in _containers(objects):
            _set_image(container, image)
    for replica in spec.get("replicas", []):
        _set_replicas(objects, replica)
    return objects


def _apply_component(objects: list[Obj], directory: Path) -> None:
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(spec) - _SUPPORTED_IN_COMPONENT
    if spec.get("kind") != "Component" or unknown:
        raise KustomizeError(f"{directory}: not a Component of patches only: {sorted(unknown)}")
    for patch in spec.get("patches", []):
        _patch(objects, patch, directory)


def _set_replicas(objects: list[Obj], replica: Obj) -> None:
    matched = [o for o in objects if o["kind"] in _SCALABLE and _name(o) == replica["name"]]
    if not matched:
        raise KustomizeError(f"replicas: no workload named {replica['name']}")
    for obj in matched:
        obj["spec"]["replicas"] = replica["count"]


def _name(obj: Obj) -> str:
    return str(obj["metadata"]["name"])


def _patch(objects: list[Obj], patch: Obj, directory: Path) -> None:
    unknown = set(patch) - {"target", "patch", "path"}
    target = patch.get("target", {})
    if unknown or set(target) - {"kind", "name"}:
        raise KustomizeError(f"patch form not implemented: {patch}")
    text = patch["patch"] if "patch" in patch else (directory / patch["path"]).read_text()
    operations = yaml.safe_load(text)
    if not isinstance(operations, list):
        raise KustomizeError("only JSON 6902 patches (a list of operations) are implemented")
    matched = [
        o
        for o in objects
        if o["kind"] == target.get("kind", o["kind"]) and _name(o) == target.get("name", _name(o))
    ]
    if not matched:
        raise KustomizeError(f"patch target matches nothing: {target}")
    for obj in matched:
        for operation in operations:
            _apply(obj, operation)


def _apply(obj: Obj, operation: Obj) -> None:
    keys = [p.replace("~1", "/").replace("~0", "~") for p in operation["path"].split("/")[1:]]
    parent: Any = obj
    for key in keys[:-1]:
        parent = parent[int(key)] if isinstance(parent, list) else parent[key]
    last = keys[-1]
    op = operation["op"]
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last)
        if op == "add":
            parent.insert(index, copy.deepcopy(operation["value"]))
        elif op == "replace":
            parent[index] = copy.deepcopy(operation["value"])
        elif op == "remove":
            del parent[index]
        else:
            raise KustomizeError(f"JSON patch op not implemented: {op}")
        return
    if op in ("add", "replace"):
        if op == "replace" and last not in parent:
            raise KustomizeError(f"replace of a missing path: {operation['path']}")
        parent[last] = copy.deepcopy(operation["value"])
    elif op == "remove":
        del parent[last]
    else:
        raise KustomizeError(f"JSON patch op not implemented: {op}")


def pod_specs(objects: list[Obj]) -> list[tuple[Obj, Obj]]:
    """(object, its pod spec) for every workload."""
    found = []
    for obj in objects:
        spec = obj.get("spec", {})
        if obj["kind"] == "Pod":
            found.append((obj, spec))
        elif obj["kind"] == "CronJob":
            found.append((obj, spec["jobTemplate"]["spec"]["template"]["spec"]))
        elif "template" in spec and "spec" in spec["template"]:
            found.append((obj, spec["template"]["spec"]))
    return found


def _containers(objects: list[Obj]) -> list[Obj]:
    return [
        container
        for _, pod in pod_specs(objects)
        for key in ("initContainers", "containers")
        for container in pod.get(key, [])
    ]


def _set_image(container: Obj, image: Obj) -> None:
    current = container["image"]
    name = current.split("@")[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    if name != image["name"]:
        return
    new = image.get("newName", name)
    if "digest" in image:
        container["image"] = f"{new}@{image['digest']}"
    elif "newTag" in image:
        container["image"] = f"{new}:{image['newTag']}"
    else:
        container["image"] = current.replace(name, new, 1)


GATEWAY_CONFIG = K8S / "base" / "gateway-config.yaml"
_GATEWAY_HEADER = """\
# The gateway's nginx configuration: deploy/nginx's files, as templates the nginx image fills in
# at start from the container's SKYFARE_GATEWAY_* variables (gateway.yaml). Generated, do not
# edit: `make k8s-generated` rewrites it from deploy/nginx, and tests/unit/deploy fails
# while it differs.
"""


def gateway_configmap() -> str:
    """deploy/k8s/base/gateway-config.yaml's text, from deploy/nginx."""
    templates = ROOT / "deploy" / "nginx"
    data = {
        path.name.removesuffix(".template") + ".template": path.read_text()
        for path in sorted(templates.iterdir())
    }
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "skyfare-gateway",
            "labels": {
                "app.kubernetes.io/name": "skyfare",
                "app.kubernetes.io/component": "gateway",
                "app.kubernetes.io/part-of": "skyfare",
            },
        },
        "data": data,
    }
    return _GATEWAY_HEADER + yaml.dump(configmap, Dumper=_BlockDumper, sort_keys=False, width=1000)


PROMETHEUS_RULES = K8S / "base" / "prometheus-rules.yaml"
_RULES_HEADER = """\
# The alert and recording rules of deploy/prometheus/rules.yaml, for the Prometheus Operator that
# scrapes the services (servicemonitor.yaml): without them it scraped every series and evaluated
# no alert. Its Prometheus must select them (`ruleSelector`) as it selects the ServiceMonitor,
# by `app.kubernetes.io/part-of: skyfare`. Generated, do not edit: `make k8s-generated` rewrites
# it from deploy/prometheus/rules.yaml, and tests/unit/deploy fails while it differs.
"""


def prometheus_rule() -> str:
    """deploy/k8s/base/prometheus-rules.yaml's text, from deploy/prometheus/rules.yaml."""
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus" / "rules.yaml").read_text())
    rule = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": "skyfare",
            "labels": {"app.kubernetes.io/part-of": "skyfare"},
        },
        "spec": {"groups": rules["groups"]},
    }
    return _RULES_HEADER + yaml.dump(rule, Dumper=_BlockDumper, sort_keys=False, width=1000)


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks (`|`), readable in a review."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)


if __name__ == "__main__":
    GATEWAY_CONFIG.write_text(gateway_configmap())
    PROMETHEUS_RULES.write_text(prometheus_rule())
