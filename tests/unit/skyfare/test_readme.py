"""The README's promises that code can check: every setting is documented."""

from pathlib import Path

from skyfare.settings import _ENV_FIELDS

README = (Path(__file__).parents[3] / "README.md").read_text()


def test_every_environment_variable_the_settings_read_is_in_the_readme() -> None:
    missing = [var for var in (*_ENV_FIELDS, "SKYFARE_CONNECTORS") if f"`{var}`" not in README]

    assert missing == []


def test_the_readme_starts_with_the_two_commands_a_newcomer_runs() -> None:
    top = "\n".join(README.splitlines()[:10])

    assert "make run" in top
    assert "make test" in top
