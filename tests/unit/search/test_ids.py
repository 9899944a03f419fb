"""Search ids: `srch_` + 16 url-safe characters, unpredictable, minted in batches, never handed
out twice: not across batches, not by a forked child from its parent's batch."""

import json
import re
import subprocess
import sys
from pathlib import Path

from search.ids import new_search_id, new_search_id_bytes

_ROOT = Path(__file__).resolve().parents[3]
_ID = re.compile(r"srch_[A-Za-z0-9_-]{16}")

# A fresh interpreter: its first id mints a batch, so the parent holds 255 unused ids at the
# fork. Parent and child then each take 600 (the rest of that batch and two more).
_FORKED = """
import json, os, sys
from search.ids import new_search_id_bytes
first = new_search_id_bytes()
read, write = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(read)
    os.write(write, json.dumps([new_search_id_bytes().decode() for _ in range(600)]).encode())
    os._exit(0)
os.close(write)
child = b""
while chunk := os.read(read, 1 << 16):
    child += chunk
os.waitpid(pid, 0)
parent = [first.decode()] + [new_search_id_bytes().decode() for _ in range(600)]
print(json.dumps({"parent": parent, "child": json.loads(child)}))
"""


def _forked() -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _FORKED],
        cwd=_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    found: dict[str, list[str]] = json.loads(done.stdout)
    return found


def test_ids_have_the_documented_form_across_batches() -> None:
    ids = [new_search_id() for _ in range(1000)]  # several batches of 256
    assert all(_ID.fullmatch(i) for i in ids), ids[:3]
    assert len(set(ids)) == len(ids)


def test_bytes_and_str_ids_are_one_stream_of_unique_ascii_ids() -> None:
    ids = [new_search_id_bytes().decode("ascii") if n % 3 else new_search_id() for n in range(1000)]

    assert all(_ID.fullmatch(i) for i in ids), ids[:3]
    assert len(set(ids)) == len(ids)


def test_a_forked_child_never_hands_out_an_id_its_parent_holds() -> None:
    ids = _forked()

    assert all(_ID.fullmatch(i) for i in ids["parent"] + ids["child"])
    assert len(set(ids["parent"])) == len(ids["parent"])
    assert len(set(ids["child"])) == len(ids["child"])
    assert not set(ids["parent"]) & set(ids["child"])


def test_two_processes_mint_different_ids() -> None:
    # Random, not a counter or a seeded sequence: two runs of one program share no id.
    first, second = _forked(), _forked()

    assert not set(first["parent"]) & set(second["parent"])
