"""Query strings, read the same way on every route: each parameter once, numbers in ASCII.

A repeated parameter (`?limit=5&limit=7`) is refused rather than one of them silently winning:
a client, a proxy and we could each pick another. Numbers are ASCII digits only:
`str.isdigit()` holds for `²` (which `int()` then refuses) and `int()` takes `٥` and `５` as 5,
so neither decides what a number is here. Errors name the parameter as `query.<name>`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from kernel.errors import FieldError, ValidationFailed, clipped

# The OpenAPI reasons of the 422 `refuse_undeclared` answers (skyfare/openapi.py adds them).
NO_PARAMETERS = "A query parameter: this route takes none"
UNDECLARED_PARAMETER = "A query parameter this route does not take"
MAX_DIGITS = 9  # int() of a long digit string costs quadratic time; no parameter needs more


def query_params(
    params: Iterable[tuple[str, str]], known: Collection[str]
) -> tuple[dict[str, str], list[FieldError]]:
    """The parameters by name, and an error for each unknown or repeated one."""
    query: dict[str, str] = {}
    errors: list[FieldError] = []
    for name, value in params:
        if name not in known:
            errors.append(FieldError(f"query.{_shown(name)}", "unknown parameter"))
        elif name in query:
            errors.append(FieldError(f"query.{name}", "given more than once"))
        query[name] = value
    return query, errors


def refuse_undeclared(params: Iterable[tuple[str, str]], declared: Collection[str]) -> None:
    """422 naming each parameter the route does not declare (its values and repeats are its
    view's to judge): a client's `?limit=5` on a list without pages would otherwise silently get
    everything. The plumbing calls it for every `/v1` route (skyfare/parameters.py)."""
    errors = [
        FieldError(f"query.{_shown(name)}", "unknown parameter")
        for name, _ in params
        if name not in declared
    ]
    if errors:
        raise ValidationFailed(errors)


def ascii_int(value: str) -> int | None:
    """The value as a non-negative integer written in ASCII digits, else None."""
    if not 1 <= len(value) <= MAX_DIGITS or not value.isascii() or not value.isdigit():
        return None
    return int(value)


def _shown(name: str) -> str:
    # A name goes in a field path (`query.foo`): bare when printable, else escaped.
    short = clipped(name)
    return short if short.isprintable() else ascii(short)
