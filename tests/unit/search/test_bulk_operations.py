"""The partner routes' OpenAPI operations: API-key secured, with JSON schemas."""

from search.bulk_routes import OPERATIONS
from skyfare.openapi import build_document


def test_partner_operations_require_the_api_key_scheme() -> None:
    document = build_document(OPERATIONS, version="0")

    assert document["components"]["securitySchemes"] == {
        "api_key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    }
    for path in ("/v1/fares/bulk", "/v1/fares/calendar"):
        (operation,) = document["paths"][path].values()
        assert operation["security"] == [{"api_key": []}]
        assert {"401", "422", "429"} <= set(operation["responses"])
    bulk = document["paths"]["/v1/fares/bulk"]["post"]
    assert "application/x-ndjson" in bulk["responses"]["200"]["content"]
    assert {"BulkRequest", "BulkQueryBody", "CalendarResponse"} <= set(
        document["components"]["schemas"]
    )
