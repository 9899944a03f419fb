"""deploy/compose.yaml, which no container engine here can run: parsed, and its structure checked
(the services, a start order by health without cycles, commands the CLI knows, settings Skyfare
reads, the gateway's templates all filled in and pointing at services that exist)."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from skyfare.cli import _parser
from skyfare.gateway import http2_values
from skyfare.settings import _ENV_FIELDS, load_settings
from tests.support.compose import compose_gateway_files

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
SKYFARE_SERVICES = {
    "search-1",
    "search-2",
    "booking",
    "relay",
    "worker",
    "analytics",
    "sim",
    "migrate",
}
# Variables of other programs that the compose file sets on purpose.
OTHER_VARIABLES = {"DATABASE_URL", "REDIS_URL"}


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return compose["services"]  # type: ignore[no-any-return]


def _depends(service: dict[str, Any]) -> dict[str, Any]:
    return service.get("depends_on") or {}


def test_the_services(services: dict[str, Any]) -> None:
    assert set(services) >= {
        "postgres",
        "pgbouncer",
        "redis",
        "nginx",
        *SKYFARE_SERVICES,
    }
    skyfare = {n for n, s in services.items() if "skyfare" in s["image"]}
    assert skyfare >= SKYFARE_SERVICES


def test_only_the_gateway_is_published(services: dict[str, Any]) -> None:
    assert {n for n, s in services.items() if s.get("ports")} == {"nginx"}


def test_the_start_order_is_by_health_and_has_no_cycle(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for dependency, spec in _depends(service).items():
            assert dependency in services, (name, dependency)
            condition = spec["condition"]
            target = services[dependency]
            if condition == "service_healthy":
                check = target.get("healthcheck", {})
                assert check, (name, dependency)
                assert not check.get("disable"), (name, dependency)
            else:
                assert condition == "service_completed_successfully", (name, dependency)
                assert target.get("restart") == "no", dependency
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        assert name not in visiting, f"a cycle through {name}"
        if name in order:
            return
        visiting.add(name)
        for dependency in _depends(services[name]):
            visit(dependency)
        visiting.discard(name)
        order.append(name)

    for name in services:
        visit(name)
    for later, earlier in (
        ("pgbouncer", "postgres"),
        ("booking", "pgbouncer"),
        ("booking", "migrate"),
        ("search-1", "redis"),
        ("relay", "migrate"),
        ("nginx", "search-2"),
        ("nginx", "booking"),
        ("nginx", "analytics"),  # its upstream names it (looked up again while nginx runs)
    ):
        assert order.index(earlier) < order.index(later), (earlier, later)


def _probed_path(healthcheck: dict[str, Any]) -> str:
    (url,) = re.findall(r"https?://[^'\"\s]+", " ".join(healthcheck["test"]))
    return urlsplit(url).path


def test_search_booking_and_analytics_are_healthy_when_kubernetes_finds_them_ready(
    services: dict[str, Any],
) -> None:
    # /healthz, not /readyz: Redis (PostgreSQL) down marked every search (booking) container
    # unhealthy at once, though each answers without it, which the k8s probes no longer do.
    for name in ("search-1", "search-2", "booking", "analytics"):
        component = name.split("-")[0]
        manifests = yaml.safe_load_all((DEPLOY / "k8s" / "base" / f"{component}.yaml").read_text())
        (deployment,) = (m for m in manifests if m["kind"] == "Deployment")
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        ready_path = container["readinessProbe"]["httpGet"]["path"]
        assert _probed_path(services[name]["healthcheck"]) == ready_path == "/healthz", name


def test_every_command_is_one_the_cli_knows(services: dict[str, Any]) -> None:
    for name in SKYFARE_SERVICES:
        command = services[name]["command"]
        _parser().parse_args(command)  # exits (SystemExit) on an unknown command or option
        if name.startswith(("search", "booking")):
            assert command[command.index("--service") + 1] == name.split("-")[0]


def test_every_setting_is_one_skyfare_reads(services: dict[str, Any]) -> None:
    for name in SKYFARE_SERVICES:
        for variable in services[name]["environment"]:
            assert variable in _ENV_FIELDS or variable in OTHER_VARIABLES, (name, variable)
    booking = services["booking"]["environment"]
    assert "@pgbouncer:" in booking["DATABASE_URL"]
    assert "@postgres:" in services["migrate"]["environment"]["DATABASE_URL"]


def test_the_gateway_templates_are_filled_and_route_to_services(
    services: dict[str, Any],
) -> None:
    nginx = services["nginx"]
    environment = nginx["environment"]
    mounted = {}
    for volume in nginx["volumes"]:
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            assert (DEPLOY / source).is_file(), source
            mounted[Path(source).name] = target
    templates = {p.name for p in (DEPLOY / "nginx").iterdir()}
    assert set(mounted) == templates
    for name, target in mounted.items():
        assert target.startswith("/etc/nginx/templates/")
        assert target.endswith(".template")
        wanted = set(re.findall(r"\$\{(SKYFARE_[A-Z_]+)\}", (DEPLOY / "nginx" / name).read_text()))
        assert wanted <= set(environment), (name, wanted - set(environment))
    upstreams = re.findall(
        r"server ([a-z0-9-]+):8080",
        environment["SKYFARE_GATEWAY_SEARCH_SERVERS"]
        + environment["SKYFARE_GATEWAY_BOOKING_SERVERS"]
        + environment["SKYFARE_GATEWAY_ANALYTICS_SERVERS"],
    )
    assert upstreams == ["search-1", "search-2", "booking", "analytics"]
    # The reports' upstream serves them on the port the gateway names (the store is its own).
    analytics = load_settings({k: str(v) for k, v in services["analytics"]["environment"].items()})
    assert analytics.analytics_listen_port == 8080
    assert _probed_path(services["analytics"]["healthcheck"]) == "/healthz"


def test_the_services_trust_the_gateways_address_and_only_it() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    (subnet,) = (c["subnet"] for c in compose["networks"]["default"]["ipam"]["config"])
    gateway = services["nginx"]["networks"]["default"]["ipv4_address"]
    assert ipaddress.ip_address(gateway) in ipaddress.ip_network(subnet)
    # Behind nginx every peer is nginx: untrusted, one client's burst of anonymous support
    # cases would shut every other client out (kernel/client_address.py).
    for name in ("search-1", "search-2", "booking", "analytics"):
        assert services[name]["environment"]["SKYFARE_TRUSTED_PROXIES"] == gateway, name


def _image_version(image: str) -> tuple[int, int, int]:
    """`nginx:1.27-bookworm` → (1, 27, 0): the lowest release the tag may be."""
    numbers = re.match(r"[\w./-]+:(\d+)\.(\d+)(?:\.(\d+))?", image)
    assert numbers, image
    major, minor, patch = numbers.groups()
    return int(major), int(minor), int(patch or 0)


def test_the_gateway_turns_http2_on_as_its_image_wants(services: dict[str, Any]) -> None:
    # nginx 1.27 warns at every start of the deprecated `listen ... http2` (skyfare/gateway.py).
    nginx = services["nginx"]
    wanted = http2_values(_image_version(nginx["image"]))
    assert {k: nginx["environment"][k] for k in wanted} == wanted
    assert wanted["SKYFARE_GATEWAY_HTTP2"] == "http2 on;"


def test_the_sims_webhooks_reach_booking_through_the_gateway(services: dict[str, Any]) -> None:
    # Left to its default the sim posted them to 127.0.0.1: its own container, where nothing
    # listens, so no payment's webhook ever arrived.
    sim = load_settings({k: str(v) for k, v in services["sim"]["environment"].items()})
    target = urlsplit(sim.sim_webhook_target)
    assert target.hostname == "nginx"
    assert target.port == int(services["nginx"]["environment"]["SKYFARE_GATEWAY_HTTP_PORT"])
    assert target.path == "/v1/payments/webhook"
    plain_http = (DEPLOY / "nginx" / "nginx.conf.template").read_text().split("# Plain HTTP")[1]
    assert "location = /v1/payments/webhook {" in plain_http


def _pgbouncer_databases(config: str) -> dict[str, dict[str, str]]:
    """pgbouncer.ini's [databases]: each name's connection string, as key=value pairs."""
    section = config.split("[databases]", 1)[1].split("\n[", 1)[0]
    entries = {}
    for line in section.splitlines():
        if line.strip() and not line.lstrip().startswith((";", "#")):
            name, _, value = line.partition("=")
            entries[name.strip()] = dict(part.split("=", 1) for part in value.split())
    return entries


def test_readiness_asks_through_a_pgbouncer_pool_of_its_own(services: dict[str, Any]) -> None:
    # Through the traffic's pool the check's SELECT 1 queued behind every busy server connection
    # and a healthy booking read "database down" (tests/e2e/test_readiness_under_load.py).
    pgbouncer = services["pgbouncer"]
    (mount,) = (v for v in pgbouncer["volumes"] if v.endswith(":/etc/pgbouncer/pgbouncer.ini:ro"))
    databases = _pgbouncer_databases((DEPLOY / mount.split(":")[0]).read_text())
    booking = load_settings({k: str(v) for k, v in services["booking"]["environment"].items()})
    assert booking.database_url is not None
    traffic = databases[urlsplit(booking.database_url).path.lstrip("/")]
    check = booking.db_check_database
    assert check is not None
    assert check in databases
    assert check != urlsplit(booking.database_url).path.lstrip("/")
    ready = databases[check]
    assert {k: ready[k] for k in ("host", "port", "dbname")} == {
        k: traffic[k] for k in ("host", "port", "dbname")
    }
    assert int(ready["pool_size"]) >= 1
    # The image's own variables would write a second pgbouncer.ini over nothing: unused here.
    assert not {"DB_HOST", "DB_NAME", "POOL_MODE"} & set(pgbouncer["environment"])


# nginx's `resolve` on an upstream's server line, in the open-source nginx since 1.27.3.
RESOLVE_SINCE = (1, 27, 3)
SERVER_LISTS = (
    "SKYFARE_GATEWAY_SEARCH_SERVERS",
    "SKYFARE_GATEWAY_BOOKING_SERVERS",
    "SKYFARE_GATEWAY_ANALYTICS_SERVERS",
)


def test_the_gateway_looks_the_services_up_again_while_it_runs(services: dict[str, Any]) -> None:
    # A container recreated (a new image, a crash under `restart: unless-stopped`) comes back at
    # another address; nginx resolved each name once, at start, and kept sending to the old one.
    nginx = services["nginx"]
    environment = nginx["environment"]
    assert _image_version(nginx["image"]) >= RESOLVE_SINCE, nginx["image"]
    for variable in SERVER_LISTS:
        for line in environment[variable].strip().splitlines():
            words = line.strip().rstrip(";").split()
            assert words[0] == "server", line
            assert "resolve" in words[2:], line
    # Docker's embedded DNS, asked again well within the time a container takes to restart.
    assert re.fullmatch(
        r"resolver 127\.0\.0\.11 valid=[1-9]\d?s ipv6=off;", environment["SKYFARE_GATEWAY_RESOLVER"]
    )
    config = compose_gateway_files()["nginx.conf"]
    assert environment["SKYFARE_GATEWAY_RESOLVER"] in config
    upstreams = re.findall(r"upstream (\w+) \{(.*?)\n    \}", config, re.DOTALL)
    assert len(upstreams) == len(SERVER_LISTS)
    for name, block in upstreams:
        assert re.search(rf"^\s+zone {name} \d+k;$", block, re.MULTILINE), (
            name
        )  # `resolve` needs it


# The programs each image ships, as its own build says (no container engine here to look):
# the nginx image's Dockerfile installs curl, edoburu/pgbouncer's postgresql-client (psql,
# pg_isready; README: "Includes PostgreSQL client tools"), Skyfare's image is python's; sh and
# grep are every Debian and Alpine base's.
BASE = {"sh", "grep"}
IMAGE_PROGRAMS = {
    "nginx": BASE | {"curl"},
    "edoburu/pgbouncer": BASE | {"psql", "pg_isready"},
    "postgres": BASE | {"pg_isready", "psql"},
    "redis": BASE | {"redis-cli"},
    "skyfare": BASE | {"python"},
}


def _programs(test: list[str]) -> set[str]:
    """The programs a compose health check runs: CMD's first word, each command of a CMD-SHELL
    pipeline (after its variable assignments)."""
    kind, *command = test
    if kind == "CMD":
        return {command[0]}
    assert kind == "CMD-SHELL", test
    (line,) = command
    programs = set()
    for part in re.split(r"\||&&|;", line):
        words = [w for w in part.split() if not re.match(r"^[A-Z_]+=", w)]
        programs.add(words[0])
    return programs


def test_every_health_check_runs_programs_its_image_ships(services: dict[str, Any]) -> None:
    for name, service in services.items():
        check = service.get("healthcheck", {})
        if check.get("disable"):
            continue
        repository = service["image"].split(":")[0]
        image = "skyfare" if "SKYFARE_IMAGE" in repository else repository
        assert _programs(check["test"]) <= IMAGE_PROGRAMS[image], (name, check["test"])
    # The Dockerfile's image is Python's (its HEALTHCHECK and the compose checks run python).
    assert "FROM python:" in (DEPLOY / "Dockerfile").read_text()
