import pytest

from connectors import errors
from connectors.http import AirlineSession, network_errors
from kernel.http1 import BadAnswer, ClosedBeforeAnswer


def test_a_timeout_is_the_airlines_timeout_though_timeouterror_is_an_oserror() -> None:
    with (
        pytest.raises(errors.ConnectorTimeout, match=r"air: /shopping took over 0\.250s"),
        network_errors("air", "/shopping", 0.25),
    ):
        raise TimeoutError


@pytest.mark.parametrize(
    "failure",
    [
        ConnectionRefusedError(111, "refused"),
        ClosedBeforeAnswer("the connection closed before the answer"),
        BadAnswer("the answer is not HTTP/1.x"),
    ],
)
def test_network_failures_make_the_airline_unavailable(failure: Exception) -> None:
    with (
        pytest.raises(errors.ConnectorUnavailable, match="air: /shopping: "),
        network_errors("air", "/shopping", 0.25),
    ):
        raise failure


def test_other_errors_pass_through_untranslated() -> None:
    with pytest.raises(KeyError), network_errors("air", "/shopping", 0.25):
        raise KeyError("fare")


def test_a_call_gets_the_callers_budget_never_over_the_airlines_ceiling() -> None:
    session = AirlineSession("air", "http://127.0.0.1:9/air", max_connections=2, max_timeout_s=3.0)

    assert session.budget(1.5, "/shopping") == 1.5
    assert session.budget(10.0, "/shopping") == 3.0
    with pytest.raises(errors.ConnectorTimeout, match="air: no time left for /shopping"):
        session.budget(0.0, "/shopping")


async def test_a_session_is_started_once_opened_and_gone_once_closed() -> None:
    session = AirlineSession("air", "http://127.0.0.1:9/air", max_connections=2, max_timeout_s=3.0)
    with pytest.raises(errors.ConnectorUnavailable, match="air: not started"):
        session.started()

    opened = await session.opened()
    assert session.started() is opened
    assert await session.opened() is opened  # opened once, then the same pool
    await session.close()
    with pytest.raises(errors.ConnectorUnavailable):
        session.started()
    await session.close()  # closing twice is harmless
