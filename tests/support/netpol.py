"""Which pod may open a connection to which, under a set of NetworkPolicies (the Kubernetes
semantics for ingress rules, within one namespace and from other namespaces): enough to test
deploy/k8s's policies as a question ("may the gateway reach Redis?") rather than as YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]


@dataclass(frozen=True)
class Pod:
    labels: dict[str, str]
    namespace: str
    namespace_labels: dict[str, str] = field(default_factory=dict)


def matches(selector: Obj | None, labels: dict[str, str]) -> bool:
    """A LabelSelector; an empty one selects everything."""
    selector = selector or {}
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values", [])
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[operator]
        if not ok:
            return False
    return True


def _peer_matches(peer: Obj, source: Pod, namespace: str) -> bool:
    if "ipBlock" in peer:
        return False  # pods are not addressed by IP here
    if "namespaceSelector" in peer:
        ns_labels = {"kubernetes.io/metadata.name": source.namespace, **source.namespace_labels}
        if not matches(peer["namespaceSelector"], ns_labels):
            return False
    elif source.namespace != namespace:
        return False
    return "podSelector" not in peer or matches(peer["podSelector"], source.labels)


def may_connect(policies: list[Obj], source: Pod, target: Pod, port: int) -> bool:
    """Whether `source` may open a TCP connection to `target` on `port` (ingress policies of the
    target's namespace only: egress of the source is checked by `may_leave`)."""
    selecting = [
        p
        for p in policies
        if p["metadata"].get("namespace") == target.namespace
        and "Ingress" in p["spec"].get("policyTypes", ["Ingress"])
        and matches(p["spec"]["podSelector"], target.labels)
    ]
    if not selecting:
        return True
    for policy in selecting:
        for rule in policy["spec"].get("ingress", []):
            peers = rule.get("from")
            if peers is not None and not any(
                _peer_matches(peer, source, target.namespace) for peer in peers
            ):
                continue
            ports = rule.get("ports")
            if ports is None or any(p.get("port") == port for p in ports):
                return True
    return False


def may_leave(policies: list[Obj], source: Pod, target: Pod, port: int) -> bool:
    """Whether the source's egress policies let it open that connection."""
    selecting = [
        p
        for p in policies
        if p["metadata"].get("namespace") == source.namespace
        and "Egress" in p["spec"].get("policyTypes", [])
        and matches(p["spec"]["podSelector"], source.labels)
    ]
    if not selecting:
        return True
    for policy in selecting:
        for rule in policy["spec"].get("egress", []):
            peers = rule.get("to")
            if peers is not None and not any(
                _peer_matches(peer, target, source.namespace) for peer in peers
            ):
                continue
            ports = rule.get("ports")
            if ports is None or any(p.get("port") == port for p in ports):
                return True
    return False
