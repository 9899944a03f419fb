"""Smoke: the locustfile imports and every task is tagged (in a child process: importing locust
monkey-patches the standard library with gevent, which must not happen inside pytest)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
_PROBE = """
import json
from bench import locustfile as lf
users = {}
for user in (lf.Traveler, lf.MetasearchPartner):
    users[user.__name__] = {
        "fast": issubclass(user, lf.FastHttpUser),
        "tasks": {t.__name__: sorted(getattr(t, "locust_tag_set", ())) for t in user.tasks},
        "weights": {t.__name__: user.tasks.count(t) for t in set(user.tasks)},
    }
print(json.dumps(users))
"""


def test_the_locustfile_imports_and_tags_every_task_for_choosing_scenarios() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    users = json.loads(out.stdout.strip().splitlines()[-1])
    traveler, partner = users["Traveler"], users["MetasearchPartner"]
    assert traveler["fast"]
    assert partner["fast"]
    assert traveler["tasks"] == {
        "search": ["search", "traveler"],
        "reprice": ["reprice", "traveler"],
        "book": ["book", "traveler"],
    }
    assert partner["tasks"] == {"bulk": ["bulk", "partner"], "calendar": ["calendar", "partner"]}
    # About one booking per 200 searches.
    assert traveler["weights"]["search"] / traveler["weights"]["book"] == 200
