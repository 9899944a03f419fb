"""deploy/k8s through the real tools: `kubectl kustomize` renders what the Python renderer does
(where kubectl is installed), and checkov (its own venv, `make checkov`) fails no check on either
overlay, nor on prod with the opt-in components (kustomize.VARIANTS), apart from the ones
deploy/k8s/checkov.yaml skips with a reason."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import kustomize

CHECKOV = kustomize.ROOT / ".venv" / "checkov" / "bin" / "checkov"
CONFIG = kustomize.K8S / "checkov.yaml"

# What checkov must refuse, so a passing run means the checks ran (and the config skips little).
PRIVILEGED = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "careless", "namespace": "skyfare"},
    "spec": {
        "selector": {"matchLabels": {"app": "careless"}},
        "template": {
            "metadata": {"labels": {"app": "careless"}},
            "spec": {
                "containers": [
                    {
                        "name": "careless",
                        "image": "careless:latest",
                        "securityContext": {"privileged": True},
                    }
                ]
            },
        },
    },
}


def _key(obj: dict[str, Any]) -> tuple[str, str]:
    return (obj["kind"], obj["metadata"]["name"])


@pytest.mark.parametrize("variant", kustomize.VARIANTS)
def test_kubectl_kustomize_renders_what_the_python_renderer_does(
    variant: str, tmp_path: Path
) -> None:
    if kustomize.kubectl() is None:
        pytest.skip("kubectl is not installed: the Python renderer alone renders the overlays")
    directory = kustomize.variant_directory(variant, tmp_path / "kustomization")
    by_kubectl = sorted(kustomize.render(directory, use_kubectl=True), key=_key)
    by_python = sorted(kustomize.render_python(directory), key=_key)
    assert [_key(o) for o in by_kubectl] == [_key(o) for o in by_python]
    assert by_kubectl == by_python


def _checkov(directory: Path) -> dict[str, Any]:
    done = subprocess.run(
        [str(CHECKOV), "-d", str(directory), "--config-file", str(CONFIG), "-o", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    report = json.loads(done.stdout)
    return report[0] if isinstance(report, list) else report  # type: ignore[no-any-return]


@pytest.mark.slow
def test_checkov_fails_no_check_on_the_overlays(tmp_path: Path) -> None:
    if not CHECKOV.exists():
        pytest.skip("checkov is not installed: `make checkov` makes its venv")
    checked = tmp_path / "checked"
    checked.mkdir()
    for variant in kustomize.VARIANTS:
        directory = kustomize.variant_directory(variant, tmp_path / variant)
        objects = kustomize.render(directory)
        (checked / f"{variant}.yaml").write_text(yaml.safe_dump_all(objects))
    (checked / "careless.yaml").write_text(yaml.safe_dump(PRIVILEGED))

    report = _checkov(checked)

    failed = report["results"]["failed_checks"]
    ours = [
        f"{c['check_id']} {c['resource']}" for c in failed if c["file_path"] != "/careless.yaml"
    ]
    assert ours == []
    careless = {c["check_id"] for c in failed if c["file_path"] == "/careless.yaml"}
    assert "CKV_K8S_16" in careless  # privileged container
    assert report["summary"]["passed"] > 500
