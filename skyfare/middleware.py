"""The one middleware every request passes: request id, problem documents, metrics.

One middleware, not three: each middleware is another coroutine frame per request on the hot path
(a cached search must keep >= 75 % of a bare aiohttp handler's throughput), and the three jobs share
their state (the request id goes into the 500 body, the metrics need the final status).
The `X-Request-Id` header is set in `on_response_prepare`, so streamed responses, which a
handler prepares itself, carry it too.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from kernel.errors import DomainError
from skyfare import problems
from skyfare.metrics import metrics_for
from skyfare.request_id import HEADER, current_request_id, request_id_from

logger = logging.getLogger(__name__)

REQUEST_ID = web.RequestKey("request_id", str)


@web.middleware
async def plumbing_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    request_id = request_id_from(request.headers.get(HEADER))
    request[REQUEST_ID] = request_id
    current_request_id.set(request_id)
    started = time.perf_counter()
    try:
        response = await handler(request)
    except DomainError as exc:
        response = _domain_problem(request, exc, request_id)
    except web.HTTPException as exc:
        if exc.status < 400:
            metrics_for(request).observe(exc.status, time.perf_counter() - started)
            raise  # redirects and the like are answers, not problems
        response = problems.http_error_response(exc, request.path)
    except Exception:
        logger.exception("unhandled error in %s %s", request.method, request.path)
        response = problems.internal_error_response(request_id)
    metrics_for(request).observe(response.status, time.perf_counter() - started)
    return response


def _domain_problem(request: web.Request, exc: DomainError, request_id: str) -> web.Response:
    kind = problems.kind_of_domain_error(exc)
    if kind is None:
        logger.error("%s is not in the problem table", type(exc).__qualname__, exc_info=exc)
        return problems.internal_error_response(request_id)
    return problems.domain_error_response(exc, kind, request.path)


async def stamp_request_id(request: web.BaseRequest, response: web.StreamResponse) -> None:
    """on_response_prepare: every response, streamed or not, error or not, carries the id."""
    request_id = request.get(REQUEST_ID)
    response.headers[HEADER] = request_id if request_id is not None else request_id_from(None)
