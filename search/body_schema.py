"""The type `POST /v1/search` declares for its body in the OpenAPI document: `SearchRequest` as a
client may send it.

The view reads the body loosely and takes `null` for a member as if it were left out
(search/validation.py): an optional member takes its default, a required one is a 422 naming it.
`SearchRequest` is the validated search, whose members are never null, so its own schema would
tell a client that `"limit": null` is invalid when the server accepts it. These Structs are made
from it (and from `Passengers`) rather than written out again: the same names, constraints and
defaults, each optional member also admitting `null`, required members as they are. They only
describe the body; nothing decodes into them.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from connectors.model import Passengers
from search.checks import MAX_AIRLINES
from search.model import SearchRequest

# As sent, not as validated: carrier codes in either case (validation upper-cases them, as it
# does airports), 1 to `MAX_AIRLINES` of them.
_CarrierAsSent = Annotated[str, msgspec.Meta(pattern="^[A-Za-z0-9]{2}$")]
_AirlinesAsSent = Annotated[
    tuple[_CarrierAsSent, ...], msgspec.Meta(min_length=1, max_length=MAX_AIRLINES)
]


def nullable_optionals(
    struct: type[msgspec.Struct],
    name: str,
    doc: str,
    *,
    retyped: dict[str, Any] | None = None,
) -> type[msgspec.Struct]:
    """A Struct named `name` (described by `doc`) with `struct`'s fields, each optional one
    `T | None` (default kept); `retyped` replaces a member's type first (a nested body Struct)."""
    retyped = retyped or {}
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for field in msgspec.structs.fields(struct):
        kind = retyped.get(field.name, field.type)
        if field.required:
            fields.append((field.name, kind))
        else:
            fields.append((field.name, kind | None, field.default))
    return msgspec.defstruct(
        name,
        fields,
        frozen=True,
        forbid_unknown_fields=True,
        module=__name__,
        namespace={"__doc__": doc},
    )


# Named as in the document before: `SearchRequest` stays the body's component (clients generated
# from it keep their type names); `Passengers` stays the offers' (whose counts are never null).
_NULL = "`null` for an optional member is the same as leaving it out (its default applies)."
SearchPassengers = nullable_optionals(
    Passengers, "SearchPassengers", f"{Passengers.__doc__} {_NULL}"
)
SearchRequestBody = nullable_optionals(
    SearchRequest,
    "SearchRequest",
    f'A search (docs/api.md "Search"). {_NULL}',
    retyped={"passengers": SearchPassengers, "airlines": _AirlinesAsSent},
)
