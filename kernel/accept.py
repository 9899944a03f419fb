"""Content negotiation (RFC 9110 12.5.1): which media type an `Accept` header asks for, or
admits at all, for the routes that answer in more than JSON (a streamed search, bulk fares,
the web app's pages)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from aiohttp import web
from multidict import istr

from kernel.errors import NotAcceptable, clipped
from kernel.http import is_json_media_type

_ACCEPT = istr("Accept")


def accept_quality(params: str) -> float:
    """The `q` of one `Accept` item's parameters (after its `;`): 1 when absent, 0 when garbled."""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value.strip()), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def media_qualities(accept: str, wanted: str, rival: Callable[[str], bool]) -> tuple[float, float]:
    """The highest q `Accept` gives `wanted`, and the highest it gives a media type (or range)
    `rival` matches (RFC 9110 12.5.1); 0 for one it does not name."""
    chosen = other = 0.0
    for media, q in _items(accept):
        if media == wanted:
            chosen = max(chosen, q)
        elif rival(media):
            other = max(other, q)
    return chosen, other


def prefers_media_type(accept: str, wanted: str) -> bool:
    """`Accept` names `wanted` with a q above 0 and no lower than any JSON type's (or a
    wildcard's that covers JSON): the answer may be `wanted` rather than the JSON default
    (RFC 9110 12.5.1). `application/x-ndjson;q=0` refuses it outright."""
    chosen, other = media_qualities(accept, wanted, _json_or_wildcard)
    return chosen > 0 and chosen >= other


def admits_media_type(accept: str, wanted: str) -> bool:
    """Whether `Accept` admits `wanted` (RFC 9110 12.5.1): the most specific range that matches
    it (the type itself, then `type/*`, then `*/*`) has a q above 0, so `*/*` with
    `application/x-ndjson;q=0` refuses it. No `Accept` (or a blank one) admits anything."""
    if not accept.strip():
        return True
    ranges = (wanted, wanted.partition("/")[0] + "/*", "*/*")
    found: dict[str, float] = {}
    for media, q in _items(accept):
        if media in ranges:
            found[media] = max(found.get(media, 0.0), q)
    return next((found[media] > 0 for media in ranges if media in found), False)


def refuse_unacceptable(
    request: web.Request, media_type: str, *, read_as: tuple[str, ...] = ()
) -> None:
    """`NotAcceptable` (406) unless the request's `Accept` admits `media_type`, the one media
    type the route answers in (`admits_media_type`), or admits one of `read_as`, types whose
    clients read the answer too (RFC 9110 12.5.1 lets a server disregard an `Accept` it cannot
    honour) without naming `media_type` itself with q=0."""
    accept = request.headers.get(_ACCEPT)
    if accept is None or admits_media_type(accept, media_type):
        return
    if not refuses_by_name(accept, media_type) and any(
        admits_media_type(accept, other) for other in read_as
    ):
        return
    shown = (media_type, *read_as)
    raise NotAcceptable(
        f"this route answers {media_type}, which Accept {clipped(accept)!a} refuses: "
        f"accept {' or '.join(shown)} (or */*)",
        available=(media_type,),
    )


def refuses_by_name(accept: str, media_type: str) -> bool:
    """`Accept` names `media_type` itself, and only with q=0: an explicit refusal, which no
    other range it admits overrides."""
    named = [q for media, q in _items(accept) if media == media_type]
    return bool(named) and max(named) == 0


def _items(accept: str) -> Iterator[tuple[str, float]]:
    """Each media range `Accept` names (lower case) and its q."""
    for item in accept.split(","):
        media, _, params = item.partition(";")
        yield media.strip().lower(), accept_quality(params)


def _json_or_wildcard(media: str) -> bool:
    return media in ("*/*", "application/*") or is_json_media_type(media)
