"""Which settings a process reads, from its code: the `Settings` attributes named as
`…settings.<name>` in the source of its entry points and of every function or class of this
repository they name, followed transitively. Static, so an over-approximation (a helper read by
any path counts) and blind to a settings object under another name; the deploy tests use it to
ask what each Deployment's process needs, so a new setting read by a process is seen without a
list to keep up to date.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

import msgspec

from skyfare.settings_model import Settings

ROOT = Path(__file__).resolve().parents[2]
_READ = re.compile(r"settings\.(\w+)")
# Settings' fields and properties: what `settings.<name>` may name.
ATTRIBUTES = frozenset(
    (
        *(f.name for f in msgspec.structs.fields(Settings)),
        *(n for n, v in vars(Settings).items() if isinstance(v, property)),
    )
)


def settings_read_by(
    entries: Iterable[Callable[..., Any] | type], *, shallow: Iterable[Callable[..., Any]] = ()
) -> frozenset[str]:
    """The attributes `entries` and what they call read; `shallow` ones: their own source only."""
    found: set[str] = set()
    for function in shallow:
        found |= _reads(inspect.getsource(function))
    seen: set[int] = set()
    todo: list[Any] = list(entries)
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        try:
            source = textwrap.dedent(inspect.getsource(obj))
        except OSError:  # made at run time (a NamedTuple's, a Struct's): no source to read
            continue
        found |= _reads(source)
        todo.extend(_named(obj, source))
    return frozenset(found)


def _reads(source: str) -> set[str]:
    return {name for name in _READ.findall(source) if name in ATTRIBUTES}


def _named(obj: Any, source: str) -> list[Any]:
    """The functions and classes of this repository that `source` names (`f`, `module.f`)."""
    module = inspect.getmodule(obj)
    scope = vars(module) if module is not None else {}
    named: list[Any] = []
    for node in ast.walk(ast.parse(source)):
        target: Any = None
        if isinstance(node, ast.Name):
            target = scope.get(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner = scope.get(node.value.id)
            if isinstance(owner, ModuleType | type):
                target = getattr(owner, node.attr, None)
        if isinstance(target, FunctionType):
            target = inspect.unwrap(target)  # a decorated one (@asynccontextmanager): its own
        if isinstance(target, FunctionType | type) and _ours(target):
            named.append(target)
    return named


def _ours(obj: Any) -> bool:
    try:
        path = Path(inspect.getfile(obj)).resolve()
    except TypeError:  # a builtin
        return False
    return (
        path.is_relative_to(ROOT)
        and not path.is_relative_to(ROOT / ".venv")
        and not path.is_relative_to(ROOT / "tests")
        and obj is not Settings  # its properties read each other: not what a process reads
    )
