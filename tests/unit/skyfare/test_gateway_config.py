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
    fail_timeout_s=7,
)


def test_every_placeholder_is_filled_and_every_file_rendered() -> None:
    files = render(LAYOUT, Path("/run/gw"))
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


def test_search_processes_are_checked_passively_and_booking_has_a_backup_address() -> None:
    conf = render(LAYOUT, Path("/run/gw"))["nginx.conf"]
    assert "server 127.0.0.1:8090 max_fails=1 fail_timeout=7s;" in conf
    assert "server 127.0.0.1:8091 max_fails=1 fail_timeout=7s;" in conf
    assert "server 127.0.0.1:8092 max_fails=0;" in conf
    assert "server 127.0.0.1:8093 max_fails=0 backup;" in conf


def test_the_gateways_own_answers_are_problem_documents_with_its_limits() -> None:
    answers = render(LAYOUT, Path("/run/gw"))["answers.conf"]
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
