import aiohttp
import pytest

from connectors import errors
from connectors.http import network_errors


def test_a_timeout_is_the_airlines_timeout_though_timeouterror_is_an_oserror() -> None:
    with (
        pytest.raises(errors.ConnectorTimeout, match=r"air: /shopping took over 0\.250s"),
        network_errors("air", "/shopping", 0.25),
    ):
        raise TimeoutError


@pytest.mark.parametrize(
    "failure", [ConnectionRefusedError(111, "refused"), aiohttp.ServerDisconnectedError()]
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
