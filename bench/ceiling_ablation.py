"""Where the cached search's CPU per request goes beyond the bare handler's: layer by layer.

    python -m bench.ceiling_ablation [--turns 5] [--seconds 6] [--json FILE]

Starts one `skyfare up --workers 1` (the sim and the fare cache behind it; its API worker is the
last target) and, beside it, one server per layer, each adding one of Skyfare's layers to the
one before, all answering the same cached `GET /v1/search` with the same bytes:

- `bare`: bench/baseline_server.py (aiohttp + uvloop, one route, fixed body and headers);
- `router`: the bare handler in an app with Skyfare's whole route table (its ~55 resources,
  dummy views), the HEAD routes and the catch-all `/{path:.*}`, in a process that imported all
  of Skyfare (its heap settled as `skyfare serve` settles it: skyfare/heap.py);
- `protocol`: that app served by Skyfare's runner (skyfare/protocol.py: the read deadlines);
- `plumbing`: that app with `install_plumbing` (request id, owed headers, metrics, problems);
- `search`: that app with Skyfare's own search views over an in-memory L1 (bench/ceiling_search.py:
  deterministic under callgrind; its answer is a synthetic one of about the same size);
- `app`: Skyfare's own `create_app` (every resource and background task of `skyfare up`'s API
  worker, heap settled), its `GET /v1/search` view swapped for the bare handler;
- `skyfare`: the same app, unswapped (the real `get_search`: L1 look-up, usage event);
- `stack`: the API worker of `skyfare up` itself (should equal `skyfare`).

Every server is pinned to core 0 alone (the stack's dependencies, its sim and wrk to core 1), and
they run in alternating turns (`bench.ceilings.measure_turns`): CPU µs per request from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler

from bench import ceilings
from bench.baseline_server import make_app
from bench.harness_ceiling import prime, search_url
from bench.harness_stack import running_stack
from bench.machine import pin
from bench.placement import dependencies_on
from bench.processes import free_port, process_group

LAYERS = ("bare", "router", "protocol", "plumbing", "search", "app", "skyfare")
SERVER, OTHERS = [0], [1]
# What the plumbing adds itself: the layers from `plumbing` on leave them out of the handler's.
_PLUMBED = frozenset(
    {"X-Request-Id", "X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy"}
    | {"Cache-Control", "Server"}
)


def _bare_handler(body: bytes, headers: Mapping[str, str]) -> Handler:
    extra = dict(headers)

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json", headers=extra)

    return handler


def _routed_app(
    settings: object,
    handler: Handler,
    *,
    plumbing: bool,
    views: Mapping[str, Handler] | None = None,
) -> web.Application:
    """A plain app with Skyfare's route table, in its order; `/v1/search` answers `handler`
    (or `views`' handler for its method)."""
    from skyfare.app import create_app
    from skyfare.methods import add_head_routes
    from skyfare.plumbing import CATCH_ALL_PATH, install_plumbing

    async def dummy(request: web.Request) -> web.Response:
        return web.Response(text="dummy")

    app = web.Application()
    for resource in create_app(settings).router.resources():  # type: ignore[arg-type]
        assert isinstance(resource, web.Resource)
        for route in resource:
            if route.method == "HEAD":
                continue
            view = dummy
            if resource.canonical == "/v1/search":
                view = (views or {}).get(route.method, handler)
            app.router.add_route(route.method, resource.canonical, view, name=resource.name)
    if plumbing:
        install_plumbing(app)
    else:
        add_head_routes(app.router)
        app.router.add_route("*", CATCH_ALL_PATH, dummy)
    return app


def _skyfare_app(settings: object, handler: Handler | None) -> web.Application:
    from skyfare.app import create_app

    app = create_app(settings)  # type: ignore[arg-type]
    if handler is not None:  # replaces the GET route of its resource (before the plumbing)
        resource = app.router["search_get"]
        assert isinstance(resource, web.Resource)
        resource.register_route(web.ResourceRoute("GET", handler, resource))
    return app


def layer_runner(layer: str, body: bytes, headers: Mapping[str, str]) -> web.AppRunner:
    """The runner of one layer's app (settings from SKYFARE_* variables)."""
    from skyfare.protocol import app_runner
    from skyfare.settings import load_settings

    settings = load_settings(os.environ)
    plumbed = {k: v for k, v in headers.items() if k not in _PLUMBED}
    if layer == "bare":
        return web.AppRunner(make_app(body, headers), access_log=None)
    if layer in ("router", "protocol"):
        app = _routed_app(settings, _bare_handler(body, headers), plumbing=False)
        return (
            web.AppRunner(app, access_log=None) if layer == "router" else app_runner(app, settings)
        )
    if layer == "plumbing":
        return app_runner(
            _routed_app(settings, _bare_handler(body, plumbed), plumbing=True), settings
        )
    if layer == "search":
        from bench.ceiling_search import search_app

        return app_runner(search_app(_routed_app, settings), settings)
    if layer in ("app", "skyfare"):
        handler = _bare_handler(body, plumbed) if layer == "app" else None
        return app_runner(_skyfare_app(settings, handler), settings)
    raise SystemExit(f"unknown layer {layer!r}")


async def _serve(layer: str, port: int, body: bytes, headers: dict[str, str]) -> None:
    from skyfare import heap
    from skyfare.settings import load_settings

    runner = layer_runner(layer, body, headers)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, reuse_port=True, backlog=1024).start()
    if layer != "bare":
        # As skyfare/workers.py does: every layer but the bare one holds all of Skyfare's
        # modules, whose ~120,000 objects CPython's default GC thresholds would walk again and
        # again (the `router` layer measured without it cost ~10 µs more a request).
        heap.settle(load_settings(os.environ).gc_young_threshold)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


@contextlib.contextmanager
def _layer_server(
    layer: str, env: Mapping[str, str], body: bytes, headers: dict[str, str], path: str
) -> Iterator[tuple[str, list[str]]]:
    port = free_port()
    with tempfile.NamedTemporaryFile(prefix="skyfare-ablation-", suffix=".json") as body_file:
        body_file.write(body)
        body_file.flush()
        args = [sys.executable, "-m", "bench.ceiling_ablation", "serve", layer, "--port", str(port)]
        args += ["--body-file", body_file.name, "--headers", json.dumps(headers)]
        command = pin(args, SERVER, enabled=True)
        with process_group(
            command, {**env, "SKYFARE_PORT": str(port)}, stop=signal.SIGTERM
        ) as proc:
            url = f"http://127.0.0.1:{port}{path}"
            _wait(url, proc)
            yield url, command


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            prime(url)  # the fare cache's answer, for the layers that have one
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def measure(turns: int, seconds: int, layers: tuple[str, ...]) -> dict[str, object]:
    os.sched_setaffinity(0, OTHERS)  # wrk inherits it
    with ExitStack() as servers:
        stack = servers.enter_context(running_stack(1, SERVER, pinned=True, sim_cores=OTHERS))
        url = search_url(stack)
        body, headers = prime(url)
        commands = [*stack.command, *servers.enter_context(dependencies_on(stack, 1, OTHERS))]
        path = url.removeprefix(stack.url)
        targets: dict[str, ceilings.Target] = {}
        for layer in layers:
            layer_url, command = servers.enter_context(
                _layer_server(layer, stack.env, body, headers, path)
            )
            targets[layer] = ceilings.Target(layer_url)
            commands.append(" ".join(command[:-2]) + " --headers '<the stack's headers>'")
        targets["stack"] = ceilings.Target(url)
        rps, cpu, non_2xx, wrk = ceilings.measure_turns(
            targets, turns=turns, seconds=seconds, connections=64, warmup_s=2
        )
    median = {n: sorted(v)[len(v) // 2] for n, v in cpu.items()}
    return {
        "cpu_us_per_request": cpu,
        "median_cpu_us": median,
        "requests_per_s": rps,
        "median_rps": {n: sorted(v)[len(v) // 2] for n, v in rps.items()},
        "non_2xx": non_2xx,
        "response_bytes": len(body),
        "commands": [*commands, *wrk],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve")
    serve.add_argument("layer", choices=LAYERS)
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--body-file", type=Path, required=True)
    serve.add_argument("--headers", required=True)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--layers", default=",".join(LAYERS))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.command == "serve":
        import uvloop

        with contextlib.suppress(KeyboardInterrupt):
            body = args.body_file.read_bytes()
            uvloop.run(_serve(args.layer, args.port, body, json.loads(args.headers)))
        return
    load_before = os.getloadavg()
    result = measure(args.turns, args.seconds, tuple(args.layers.split(",")))
    text = json.dumps({"load_average_before": load_before, **result,
                       "load_average_after": os.getloadavg()}, indent=2)  # fmt: skip
    if args.json is not None:
        args.json.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
