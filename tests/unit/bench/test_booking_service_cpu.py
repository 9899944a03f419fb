"""`bench.booking_service_cpu`'s sides: checkouts under one interpreter, or one checkout under
several (the same code on two CPython releases)."""

from __future__ import annotations

import sys

import pytest

from bench.booking_service_cpu import sides


def test_trees_run_under_this_interpreter_the_first_as_base() -> None:
    assert sides("/base,/this", None) == {
        "/base": ("/base", sys.executable),
        "/this": ("/this", sys.executable),
    }


def test_pythons_run_one_tree_each_labelled_by_interpreter() -> None:
    assert sides("/tree", "/v311/bin/python,/v312/bin/python") == {
        "/v311/bin/python": ("/tree", "/v311/bin/python"),
        "/v312/bin/python": ("/tree", "/v312/bin/python"),
    }


def test_pythons_compare_a_single_tree() -> None:
    with pytest.raises(ValueError, match="one tree"):
        sides("/a,/b", "/v311/bin/python,/v312/bin/python")
