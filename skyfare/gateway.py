"""The nginx API gateway of deploy/nginx/, made ready to run: its configuration rendered for a
layout of service processes, and a self-signed development certificate made at run time (never
committed). `skyfare up --gateway` and the gateway tests both start nginx through here.

nginx itself is Debian's package (`make run-gateway` installs it); nothing here re-implements
what it does.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import shutil
import string
import subprocess
from pathlib import Path

import msgspec
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# deploy/nginx of the checkout this package runs from (an editable install: `make install`).
TEMPLATES = Path(__file__).resolve().parents[1] / "deploy" / "nginx"
MAIN_TEMPLATE = "nginx.conf.template"
CERT_DAYS = 30
# nginx 1.25.1 turned HTTP/2 on with its own directive (`http2 on;`) and deprecated the `listen`
# parameter (a warning at every start); the nginx before it, Debian 12's 1.22 among them, knows
# only the parameter.
HTTP2_DIRECTIVE_SINCE = (1, 25, 1)
NginxVersion = tuple[int, int, int]


class GatewayError(RuntimeError):
    """nginx is missing, or its configuration cannot be written."""


class GatewayLayout(msgspec.Struct, frozen=True):
    """Where the gateway listens, and the service processes it routes to."""

    https_port: int
    http_port: int
    search_ports: tuple[int, ...]
    booking_port: int
    # A second booking address, marked `backup`: a rolling restart starts the new booking
    # process there before stopping the old one.
    booking_spare_port: int
    # `skyfare analytics`: the reports, served beside the store it loads.
    analytics_port: int
    host: str = "127.0.0.1"
    upstream_host: str = "127.0.0.1"
    search_rate_per_s: int = 20  # anonymous searches per client address
    search_burst: int = 40
    max_body_bytes: int = 1 << 20
    fail_timeout_s: int = 10  # how long a failed search process is left out
    workers: str = "auto"


def http2_values(version: NginxVersion) -> dict[str, str]:
    """How the HTTPS server turns HTTP/2 on, in the form nginx `version` knows: the compose file
    and the Kubernetes gateway set the same for the nginx image they pin."""
    if version >= HTTP2_DIRECTIVE_SINCE:
        return {"SKYFARE_GATEWAY_LISTEN_HTTP2": "", "SKYFARE_GATEWAY_HTTP2": "http2 on;"}
    return {"SKYFARE_GATEWAY_LISTEN_HTTP2": " http2", "SKYFARE_GATEWAY_HTTP2": ""}


def render(layout: GatewayLayout, directory: Path, version: NginxVersion) -> dict[str, str]:
    """Each configuration file's text for nginx `version`, the ${SKYFARE_*} of deploy/nginx
    filled in."""
    values = {
        **http2_values(version),
        "SKYFARE_GATEWAY_DIR": str(directory),
        "SKYFARE_GATEWAY_WORKERS": layout.workers,
        "SKYFARE_GATEWAY_HOST": layout.host,
        "SKYFARE_GATEWAY_HTTPS_PORT": str(layout.https_port),
        "SKYFARE_GATEWAY_HTTP_PORT": str(layout.http_port),
        "SKYFARE_GATEWAY_MAX_BODY_BYTES": str(layout.max_body_bytes),
        "SKYFARE_GATEWAY_SEARCH_RATE": str(layout.search_rate_per_s),
        # The upstreams are addresses: nothing to look up again (the compose file's are names).
        "SKYFARE_GATEWAY_RESOLVER": "",
        "SKYFARE_GATEWAY_SEARCH_BURST": str(layout.search_burst),
        "SKYFARE_GATEWAY_SEARCH_SERVERS": _servers(
            f"{layout.upstream_host}:{port} max_fails=1 fail_timeout={layout.fail_timeout_s}s"
            for port in layout.search_ports
        ),
        # max_fails=0: the one booking process is never left out (a refusal while it restarts
        # goes to the backup address, which then runs its replacement).
        "SKYFARE_GATEWAY_BOOKING_SERVERS": _servers(
            (
                f"{layout.upstream_host}:{layout.booking_port} max_fails=0",
                f"{layout.upstream_host}:{layout.booking_spare_port} max_fails=0 backup",
            )
        ),
        # One process (one writer of the store): never left out, nowhere else to go.
        "SKYFARE_GATEWAY_ANALYTICS_SERVERS": _servers(
            (f"{layout.upstream_host}:{layout.analytics_port} max_fails=0",)
        ),
    }
    files: dict[str, str] = {}
    for source in [*sorted(TEMPLATES.glob("*.conf")), TEMPLATES / MAIN_TEMPLATE]:
        text = string.Template(source.read_text()).safe_substitute(values)
        if "${SKYFARE_" in text:
            raise GatewayError(f"{source.name}: a ${{SKYFARE_*}} is left unfilled")
        files[source.name.removesuffix(".template")] = text
    return files


def _servers(lines: object) -> str:
    return "\n".join(f"        server {line};" for line in lines)  # type: ignore[attr-defined]


def write_config(
    layout: GatewayLayout, directory: Path, version: NginxVersion | None = None
) -> Path:
    """The rendered configuration, for nginx `version` (None: the installed nginx's), and a fresh
    development certificate in `directory`; the path of nginx.conf."""
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in render(layout, directory, version or nginx_version()).items():
        (directory / name).write_text(text)
    cert, key = self_signed_certificate()
    (directory / "gateway.crt").write_bytes(cert)
    key_path = directory / "gateway.key"
    key_path.touch(mode=0o600)
    key_path.write_bytes(key)
    return directory / "nginx.conf"


def self_signed_certificate(days: int = CERT_DAYS) -> tuple[bytes, bytes]:
    """A P-256 certificate for localhost and 127.0.0.1 and its key, both PEM: for development
    and tests only (clients trust it by pinning it as their CA)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "skyfare dev gateway")])
    now = dt.datetime.now(dt.UTC)
    alt_names = x509.SubjectAlternativeName(
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(alt_names, critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def nginx_binary() -> str:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    raise GatewayError("nginx is not installed: `make run-gateway` installs it (apt-get)")


def nginx_version() -> NginxVersion:
    """The installed nginx's version, from `nginx -v` (which writes it to stderr)."""
    try:
        answer = subprocess.run(
            [nginx_binary(), "-v"], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise GatewayError(f"nginx -v failed: {exc}") from exc
    found = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", answer.stderr + answer.stdout)
    if found is None:
        raise GatewayError(f"nginx -v said no version: {answer.stderr.strip()!r}")
    major, minor, patch = (int(part) for part in found.groups())
    return major, minor, patch


def nginx_command(config: Path, *, stderr_notice: bool = False) -> list[str]:
    """nginx in the foreground (its master stays the process a supervisor watches);
    `stderr_notice`: its error log also on stderr from `notice` up, where it says it stops
    (skyfare/nginx_relay.py). The configuration's own error log (a file, `warn`) stays."""
    directives = "daemon off;" + (" error_log stderr notice;" if stderr_notice else "")
    return [nginx_binary(), "-p", str(config.parent), "-c", str(config), "-g", directives]
