"""deploy/compose.yaml's services, and its gateway's configuration rendered as the nginx image's
own envsubst step renders it (/etc/nginx/templates/*.template, only the ${SKYFARE_*} set on the
container), for checks that need no container engine."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def compose_services() -> dict[str, Any]:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return compose["services"]  # type: ignore[no-any-return]


def compose_gateway_files(directory: Path | None = None) -> dict[str, str]:
    """Each file the nginx container's templates become (by its name in /etc/nginx), with
    SKYFARE_GATEWAY_DIR moved to `directory` (a certificate there lets `nginx -t` load it)."""
    nginx = compose_services()["nginx"]
    environment = {name: str(value) for name, value in nginx["environment"].items()}
    if directory is not None:
        environment["SKYFARE_GATEWAY_DIR"] = str(directory)
    files = {}
    for volume in nginx["volumes"]:
        source, target = volume.split(":")[:2]
        if target.startswith("/etc/nginx/templates/"):
            text = (DEPLOY / source).read_text()
            name = Path(target).name.removesuffix(".template")
            files[name] = string.Template(text).safe_substitute(environment)
    return files
