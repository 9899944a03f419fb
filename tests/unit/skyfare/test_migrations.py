"""Migration files: names, ordering across folders, duplicates, checksums."""

from __future__ import annotations

import pytest

from skyfare.migrations import MigrationError, parse_migrations


def test_migrations_are_ordered_by_numeric_version_across_folders() -> None:
    migrations = parse_migrations(
        [("0100_orders.sql", "b"), ("0002_more.sql", "a2"), ("0001_partners.sql", "a1")]
    )
    assert [(m.version, m.name) for m in migrations] == [
        (1, "0001_partners"),
        (2, "0002_more"),
        (100, "0100_orders"),
    ]


def test_two_files_with_one_version_are_an_error_naming_both() -> None:
    with pytest.raises(MigrationError, match="0001_b and 0001_a"):
        parse_migrations([("0001_a.sql", ""), ("0001_b.sql", "")])


@pytest.mark.parametrize("name", ["partners.sql", "1_x.sql", "0001-partners.sql", "0001_Caps.sql"])
def test_badly_named_files_are_rejected(name: str) -> None:
    with pytest.raises(MigrationError, match=name):
        parse_migrations([(name, "")])


def test_the_checksum_changes_with_the_sql() -> None:
    [before] = parse_migrations([("0001_a.sql", "CREATE TABLE a ();")])
    [after] = parse_migrations([("0001_a.sql", "CREATE TABLE a (id int);")])
    assert before.checksum != after.checksum
    assert len(before.checksum) == 64
