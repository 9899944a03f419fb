"""deploy/nginx rendered for a layout (skyfare/gateway.py): every placeholder filled, the
upstreams as the layout says, and a development certificate that names the loopback."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from cryptography import x509

from skyfare.gateway import GatewayLayout, render, self_signed_certificate

LAYOUT = GatewayLayout(
    https_port=8443,
    http_port=8080,
    search_ports=(8090, 8091),
    booking_port=8092,
    booking_spare_port=8093,
    analytics_port=8094,
    fail_timeout_s=7,
)
DEBIAN_12 = (1, 22, 1)  # Debian 12's nginx, which `make run-gateway` and the tests run
IMAGES = (1, 27, 3)  # the nginx of the compose file's and the Kubernetes gateway's images


def test_every_placeholder_is_filled_and_every_file_rendered() -> None:
    files = render(LAYOUT, Path("/run/gw"), DEBIAN_12)
    assert set(files) == {
        "nginx.conf",
        "routes.conf",
        "answers.conf",
        "problems.conf",
        "security-headers.conf",
    }
    assert all("SKYFARE_GATEWAY" not in text for text in files.values())
    assert "pid /run/gw/nginx.pid;" in files["nginx.conf"]
    assert "listen 127.0.0.1:8443 ssl http2;" in files["nginx.conf"]


def _directives(conf: str) -> list[str]:
    return [line.strip() for line in conf.splitlines() if line.strip() and "#" not in line]


def test_http2_is_turned_on_in_the_form_each_nginx_knows() -> None:
    # 1.22 knows only `listen ... http2`; from 1.25.1 that form is deprecated (a warning at each
    # start) and `http2 on;` turns it on.
    old = _directives(render(LAYOUT, Path("/run/gw"), DEBIAN_12)["nginx.conf"])
    assert "listen 127.0.0.1:8443 ssl http2;" in old
    assert "http2 on;" not in old
    new = _directives(render(LAYOUT, Path("/run/gw"), IMAGES)["nginx.conf"])
    assert "listen 127.0.0.1:8443 ssl;" in new
    assert "http2 on;" in new
    assert not [line for line in new if "listen" in line and "http2" in line]
    assert "http2 on;" in _directives(render(LAYOUT, Path("/run/gw"), (1, 25, 1))["nginx.conf"])
    assert "http2 on;" not in _directives(render(LAYOUT, Path("/run/gw"), (1, 25, 0))["nginx.conf"])


def test_search_processes_are_checked_passively_and_booking_has_a_backup_address() -> None:
    conf = render(LAYOUT, Path("/run/gw"), DEBIAN_12)["nginx.conf"]
    assert "server 127.0.0.1:8090 max_fails=1 fail_timeout=7s;" in conf
    assert "server 127.0.0.1:8091 max_fails=1 fail_timeout=7s;" in conf
    assert "server 127.0.0.1:8092 max_fails=0;" in conf
    assert "server 127.0.0.1:8093 max_fails=0 backup;" in conf


def test_the_reports_go_to_the_analytics_process_and_nothing_else_does() -> None:
    # Booking has no analytics store (the consumer's volume): reports sent there answered empty.
    files = render(LAYOUT, Path("/run/gw"), DEBIAN_12)
    analytics = files["nginx.conf"].split("upstream skyfare_analytics {")[1].split("}")[0]
    servers = [line for line in _directives(analytics) if line.startswith("server ")]
    assert servers == ["server 127.0.0.1:8094 max_fails=0;"]
    routes = files["routes.conf"]
    reports = routes.split("location ^~ /v1/reports/ {")[1].split("}")[0]
    assert "proxy_pass http://skyfare_analytics;" in reports
    assert "include problems.conf;" in reports
    assert routes.count("skyfare_analytics") == 1


def test_the_gateways_own_answers_are_problem_documents_with_its_limits() -> None:
    answers = render(LAYOUT, Path("/run/gw"), DEBIAN_12)["answers.conf"]
    assert "at most 1048576 bytes" in answers
    assert "at most 20 a second" in answers
    assert answers.count("default_type application/problem+json;") == 4


def test_the_development_certificate_names_localhost_and_the_loopback_address() -> None:
    cert_pem, key_pem = self_signed_certificate()
    cert = x509.load_pem_x509_certificate(cert_pem)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert self_signed_certificate()[0] != cert_pem  # a fresh one each run, never a fixed one
