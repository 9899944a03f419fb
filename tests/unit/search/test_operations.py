import msgspec

from search.routes import OPERATIONS


def test_operations_describe_the_five_named_search_routes() -> None:
    assert {(op.method, op.path, op.operation_id) for op in OPERATIONS} == {
        ("post", "/v1/search", "search"),
        ("get", "/v1/search", "search_get"),
        ("get", "/v1/offers/{offer_id}", "get_offer"),
        ("get", "/v1/connectors", "list_connectors"),
        ("get", "/v1/airports", "list_airports"),
    }


def test_operation_types_have_json_schemas() -> None:
    types = [t for op in OPERATIONS for t in (op.request, op.response) if t is not None]

    _, components = msgspec.json.schema_components(types)

    assert {"SearchRequest", "SearchResponse", "PricedOffer", "ConnectorsResponse"} <= set(
        components
    )
    assert components["SearchRequest"]["additionalProperties"] is False
