"""Core planning and the stack's environment (pure parts of the harness)."""

from __future__ import annotations

from pathlib import Path

from bench.harness_stack import display, stack_env
from bench.machine import pin, plan_cores


def test_the_server_gets_its_workers_cores_and_the_load_generator_the_rest() -> None:
    assert plan_cores([0, 1], 1) == ([0], [1])
    assert plan_cores([0, 1, 2, 3], 2) == ([0, 1], [2, 3])
    assert plan_cores([0, 1, 2, 3], 8) == ([0, 1, 2], [3])  # the load generator keeps one


def test_one_core_is_shared_and_not_pinned() -> None:
    assert plan_cores([0], 1) == ([0], [0])
    assert pin(["wrk"], [0], enabled=False) == ["wrk"]
    assert pin(["wrk", "-t1"], [2, 3], enabled=True) == ["taskset", "-c", "2,3", "wrk", "-t1"]


def test_the_stack_ignores_the_callers_skyfare_settings_but_keeps_its_database() -> None:
    caller = {
        "PATH": "/bin",
        "DATABASE_URL": "postgresql://db/x",
        "SKYFARE_CONNECTORS": "[]",
        "SKYFARE_PORT": "8080",
    }
    env = stack_env(caller, Path("/tmp/d"), {"SKYFARE_PORT": 41000, "SKYFARE_SIM_PORT": 41001})
    assert env["DATABASE_URL"] == "postgresql://db/x"
    assert "SKYFARE_CONNECTORS" not in env
    assert (env["SKYFARE_PORT"], env["SKYFARE_SIM_PORT"]) == ("41000", "41001")
    assert env["SKYFARE_DATA_DIR"] == "/tmp/d"


def test_commands_are_shown_relative_to_the_checkout_with_variables_for_the_shell() -> None:
    root = str(Path(__file__).resolve().parents[3])
    line = display([f"{root}/.venv/bin/locust", "--partner-key", "$PARTNER_KEY", "a b"])
    assert line == ".venv/bin/locust --partner-key \"$PARTNER_KEY\" 'a b'"
