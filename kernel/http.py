"""Request plumbing every domain package's views share, free of the composition root."""

from __future__ import annotations

from aiohttp import web

from kernel.errors import UnsupportedMediaType


def is_json_media_type(content_type: str) -> bool:
    """`application/json` or a structured `+json` type (RFC 6839), parameters already stripped."""
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


async def read_json_body(request: web.Request) -> bytes:
    """The raw body of a JSON request, for a module-level typed msgspec decoder.

    Raises `UnsupportedMediaType` unless the body is declared JSON; aiohttp raises
    `HTTPRequestEntityTooLarge` (413) past the app's `client_max_size`.
    """
    if not is_json_media_type(request.content_type):
        raise UnsupportedMediaType(
            f"expected Content-Type: application/json, got {request.content_type!r}"
        )
    return await request.read()
