"""`skyfare warm`'s pure core: the routes file, the queries planned from it, the progress lines."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from skyfare.warm import (
    AnswerLine,
    Progress,
    Route,
    RoutesFileError,
    Tally,
    Warmer,
    WarmQuery,
    batches,
    parse_routes,
    plan,
    print_summary,
    progress_step,
    tenths,
)


def test_routes_are_read_with_comments_blank_lines_commas_and_any_case() -> None:
    text = "# warm these first\nLHR JFK\n\nlhr, cdg ,Business  # the new route\n\tFRA\tORD first\n"

    routes = parse_routes(text)

    assert routes == (
        Route(2, "LHR", "JFK", "economy"),
        Route(4, "LHR", "CDG", "business"),
        Route(5, "FRA", "ORD", "first"),
    )


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("LHR", "expected `ORIGIN DESTINATION [CABIN]`, got 1 field(s)"),
        ("LHR JFK economy extra", "expected `ORIGIN DESTINATION [CABIN]`, got 4 field(s)"),
        ("LHR JFKX", "'JFKX' is not a 3-letter IATA airport code"),
        ("L1R JFK", "'L1R' is not a 3-letter IATA airport code"),
        ("lhr LHR", "origin and destination are both LHR"),
        (
            "LHR JFK coach",
            "unknown cabin 'coach' (one of economy, premium_economy, business, first)",
        ),
    ],
)
def test_a_bad_line_is_named_by_its_number_and_problem(line: str, problem: str) -> None:
    with pytest.raises(RoutesFileError) as caught:
        parse_routes(f"# routes\nLHR JFK\n\n{line}\nFRA ORD\n")

    assert (caught.value.line, caught.value.problem) == (4, problem)


def test_a_file_with_only_comments_has_no_routes() -> None:
    with pytest.raises(RoutesFileError, match="no routes"):
        parse_routes("# nothing yet\n\n")


def test_each_route_is_planned_one_way_for_the_next_n_days() -> None:
    routes = (Route(1, "LHR", "JFK"), Route(3, "FRA", "ORD", "business"))
    today = dt.date(2026, 12, 30)

    planned = plan(routes, today, 3)

    assert [query for _, query in planned] == [
        WarmQuery("LHR", "JFK", dt.date(2026, 12, 31), "economy"),
        WarmQuery("LHR", "JFK", dt.date(2027, 1, 1), "economy"),
        WarmQuery("LHR", "JFK", dt.date(2027, 1, 2), "economy"),
        WarmQuery("FRA", "ORD", dt.date(2026, 12, 31), "business"),
        WarmQuery("FRA", "ORD", dt.date(2027, 1, 1), "business"),
        WarmQuery("FRA", "ORD", dt.date(2027, 1, 2), "business"),
    ]
    assert [route.line for route, _ in planned] == [1, 1, 1, 3, 3, 3]


def test_batches_hold_at_most_the_batch_size_in_order() -> None:
    assert [list(b) for b in batches(list(range(7)), 3)] == [[0, 1, 2], [3, 4, 5], [6]]


def _shown(text: str) -> str:
    """What a terminal shows of rich's output, without its escape sequences."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_on_a_terminal_a_rich_bar_shows_the_queries_answered_and_the_counts() -> None:
    out = io.StringIO()
    progress = Progress(out, 900, terminal=True)
    progress.update(Tally(ok=430, error=2, not_cached=18))
    progress.close()

    shown = _shown(out.getvalue())
    assert "450/900" in shown
    assert "ok 430  errors 2" in shown
    assert "warm: " not in shown  # no plain step lines on a terminal


def test_off_a_terminal_the_progress_is_plain_step_lines_only() -> None:
    out = io.StringIO()
    progress = Progress(out, 4, terminal=False)
    for ok in range(1, 5):
        progress.update(Tally(ok=ok))
    progress.close()

    assert out.getvalue().splitlines() == [
        "warm: 1/4 queries (25 %)  ok 1  errors 0",
        "warm: 2/4 queries (50 %)  ok 2  errors 0",
        "warm: 3/4 queries (75 %)  ok 3  errors 0",
        "warm: 4/4 queries (100 %)  ok 4  errors 0",
    ]


def test_the_summary_is_a_table_on_a_terminal_and_one_line_off_it() -> None:
    tally = Tally(ok=3, invalid=1)
    table, line = io.StringIO(), io.StringIO()

    print_summary(tally, 2, 2, 1.5, table, terminal=True)
    print_summary(tally, 2, 2, 1.5, line, terminal=False)

    assert "warmed 2 route(s) × 2 day(s) in 1.50 s" in _shown(table.getvalue())
    assert line.getvalue() == (
        "warmed 2 route(s) × 2 day(s) = 4 queries in 1.50 s: "
        "ok 3  not_cached 0  invalid 1  errors 0\n"
    )


def test_off_a_tty_a_step_line_is_due_at_each_ten_percent() -> None:
    assert [tenths(done, 900) for done in (0, 89, 90, 450, 899, 900)] == [0, 0, 1, 5, 9, 10]
    assert progress_step(Tally(ok=430, error=2, invalid=18), 900) == (
        "warm: 450/900 queries (50 %)  ok 430  errors 2  invalid 18"
    )


def test_each_route_whose_search_failed_is_remembered_once_with_the_api_s_reason() -> None:
    # `skyfare warm` exits 1 when a query errors: it says which routes-file line and why.
    day = dt.date(2026, 12, 24)
    batch = [
        (Route(3, "LHR", "JFK"), WarmQuery("LHR", "JFK", day, "economy")),
        (Route(3, "LHR", "JFK"), WarmQuery("LHR", "JFK", day + dt.timedelta(1), "economy")),
        (Route(5, "CDG", "SFO"), WarmQuery("CDG", "SFO", day, "economy")),
    ]
    warmer = Warmer(None, "http://127.0.0.1:1", "key", Progress(io.StringIO(), 3))  # type: ignore[arg-type]

    warmer.count(AnswerLine(0, "error", detail="no airline answered in time"), batch)
    warmer.count(AnswerLine(1, "error", detail="the fare index is unavailable"), batch)
    warmer.count(AnswerLine(2, "ok"), batch)

    assert warmer.tally.error == 2
    assert warmer.failed == {3: "no airline answered in time"}
