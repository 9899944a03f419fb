"""deploy/prometheus through promtool (Debian's `prometheus` package, `make promtool`): the rules
parse, their unit tests pass, and those unit tests fail when a threshold moves."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[3] / "deploy" / "prometheus"


def _promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    if binary is None:
        pytest.skip("promtool is not installed: `make promtool` (apt-get install prometheus)")
    return subprocess.run(
        [binary, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_rules_parse() -> None:
    done = _promtool("check", "rules", "rules.yaml", cwd=RULES)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_the_rules_unit_tests_pass() -> None:
    done = _promtool("test", "rules", "rules.test.yaml", cwd=RULES)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_unit_tests_catch_a_moved_threshold(tmp_path: Path) -> None:
    rules = (RULES / "rules.yaml").read_text()
    moved = rules.replace(
        "max(skyfare_outbox_lag_seconds) > 60", "max(skyfare_outbox_lag_seconds) > 600"
    )
    assert moved != rules
    (tmp_path / "rules.yaml").write_text(moved)
    shutil.copy(RULES / "rules.test.yaml", tmp_path)
    done = _promtool("test", "rules", "rules.test.yaml", cwd=tmp_path)
    assert done.returncode != 0
    assert "SkyfareOutboxLag" in done.stdout + done.stderr
