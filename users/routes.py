"""User routes: thin views over `UserService` (docs/api.md "Users").

Each declares `security=("bearer",)` (users/operations.py): the plumbing authenticates the caller
before the view runs (skyfare/guard.py), so a 401 comes before any check made here. Every answer
carries `Cache-Control: no-store` (the plumbing's default, skyfare/security_headers.py) and
every answer with a body its `ETag`.
"""

from __future__ import annotations

import logging

import msgspec
from aiohttp import web

from kernel.auth import principal as caller
from kernel.errors import FieldError, UnsupportedMediaType, ValidationFailed
from kernel.http import json_object, read_body, read_json_body, refuse_body, refuse_other_charset
from kernel.query import query_params
from users.etags import HEADER as IF_MATCH
from users.etags import if_match
from users.merge_patch import MEDIA_TYPE as MERGE_PATCH
from users.model import ProfileView, StoredTraveler, TravelerList, traveler_view
from users.operations import OPERATIONS
from users.service import UserService, profile_etag, traveler_etag, travelers_etag

__all__ = ["OPERATIONS", "USER_SERVICE", "add_routes"]

logger = logging.getLogger(__name__)

USER_SERVICE = web.AppKey("user_service", UserService)
REVEAL = "reveal"

_encoder = msgspec.json.Encoder()


def _json(payload: object, *, etag: str | None = None, status: int = 200) -> web.Response:
    headers = {"ETag": etag} if etag is not None else None
    return web.Response(
        body=_encoder.encode(payload),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def _revealed(request: web.Request) -> bool:
    """Whether `?reveal=document` asks for document numbers in clear; 422 naming each unknown,
    repeated or bad parameter (its operations declare `validates_query`)."""
    query, errors = query_params(request.query.items(), (REVEAL,))
    if REVEAL in query and query[REVEAL] != "document":
        errors.append(FieldError("query.reveal", 'must be "document" (show document numbers)'))
    if errors:
        raise ValidationFailed(errors)
    return REVEAL in query


def _if_match(request: web.Request) -> str | None:
    return if_match(request.headers.getall(IF_MATCH, []))


async def _merge_patch(request: web.Request) -> dict[str, object]:
    if request.content_type != MERGE_PATCH:
        raise UnsupportedMediaType(
            f"expected Content-Type: {MERGE_PATCH} (RFC 7396), got {request.content_type!r}"
        )
    refuse_other_charset(request)
    return json_object(await read_body(request))


def _traveler(stored: StoredTraveler, *, revealed: bool = False, status: int = 200) -> web.Response:
    if revealed:
        # An audit line: who saw which traveler's document in clear (never the number).
        logger.info("saved traveler %s: document revealed to its owner", stored.traveler.id)
    return _json(traveler_view(stored, reveal=revealed), etag=traveler_etag(stored), status=status)


async def get_me(request: web.Request) -> web.Response:
    principal = caller(request)
    profile = await request.config_dict[USER_SERVICE].me(principal)
    return _json(ProfileView.of(profile), etag=profile_etag(profile))


async def patch_me(request: web.Request) -> web.Response:
    principal = caller(request)
    patch = await _merge_patch(request)
    service = request.config_dict[USER_SERVICE]
    profile = await service.patch_me(principal, patch, _if_match(request))
    return _json(ProfileView.of(profile), etag=profile_etag(profile))


async def list_travelers(request: web.Request) -> web.Response:
    principal = caller(request)
    reveal = _revealed(request)
    stored = await request.config_dict[USER_SERVICE].travelers(principal)
    if reveal and stored:
        logger.info("saved travelers: %d documents revealed to their owner", len(stored))
    views = tuple(traveler_view(s, reveal=reveal) for s in stored)
    return _json(TravelerList(data=views), etag=travelers_etag(principal.subject, stored))


async def create_traveler(request: web.Request) -> web.Response:
    principal = caller(request)
    data = json_object(await read_json_body(request))
    stored = await request.config_dict[USER_SERVICE].add_traveler(principal, data)
    response = _traveler(stored, status=201)
    response.headers["Location"] = f"/v1/me/travelers/{stored.traveler.id}"
    return response


async def get_traveler(request: web.Request) -> web.Response:
    principal = caller(request)
    traveler_id = request.match_info["traveler_id"]
    revealed = _revealed(request)
    stored = await request.config_dict[USER_SERVICE].traveler(principal, traveler_id)
    return _traveler(stored, revealed=revealed)


async def patch_traveler(request: web.Request) -> web.Response:
    principal = caller(request)
    traveler_id = request.match_info["traveler_id"]
    patch = await _merge_patch(request)
    service = request.config_dict[USER_SERVICE]
    stored = await service.patch_traveler(principal, traveler_id, patch, _if_match(request))
    return _traveler(stored)


async def delete_traveler(request: web.Request) -> web.Response:
    principal = caller(request)
    await refuse_body(request)
    traveler_id = request.match_info["traveler_id"]
    service = request.config_dict[USER_SERVICE]
    await service.delete_traveler(principal, traveler_id, _if_match(request))
    return web.Response(status=204)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/v1/me", get_me, name="me_get", allow_head=False)
    router.add_patch("/v1/me", patch_me, name="me_patch")
    router.add_get("/v1/me/travelers", list_travelers, name="travelers_list", allow_head=False)
    router.add_post("/v1/me/travelers", create_traveler, name="travelers_create")
    path = "/v1/me/travelers/{traveler_id}"
    router.add_get(path, get_traveler, name="travelers_get", allow_head=False)
    router.add_patch(path, patch_traveler, name="travelers_patch")
    router.add_delete(path, delete_traveler, name="travelers_delete")
