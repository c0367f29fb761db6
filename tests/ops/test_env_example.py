"""`.env.example` documents every setting; settings come from the environment, then `.env`, then defaults."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from dotenv import dotenv_values

from core.settings import REPO_ROOT, Settings, load_settings

ENV_EXAMPLE = REPO_ROOT / ".env.example"

# A value per field that differs from its default, written the way a user would write it in `.env`.
NON_DEFAULT = {
    "data_dir": ("/srv/sentiment", Path("/srv/sentiment")),
    "db_url": ("postgresql+psycopg://u:p@db:5432/reviews", "postgresql+psycopg://u:p@db:5432/reviews"),
    "model_dir": ("/srv/models", Path("/srv/models")),
    "registry_dir": ("/srv/registry", Path("/srv/registry")),
    "max_upload_mb": ("50", 50),
    "max_rows": ("1234", 1234),
    "db_busy_timeout_s": ("5", 5),
    "scrape_max_pages": ("3", 3),
    "scrape_max_items": ("77", 77),
    "scrape_allow_private": ("true", True),
    "scrape_timeout_s": ("5", 5),
    "scrape_delay_s": ("2.5", 2.5),
    "log_level": ("debug", "DEBUG"),
    "user": ("analyst", "analyst"),
}


def env_name(field_name: str) -> str:
    """The environment variable of a Settings field: `max_rows` -> `SENTIMENT_MAX_ROWS`."""
    return f"SENTIMENT_{field_name.upper()}"


FIELDS = [field.name for field in dataclasses.fields(Settings)]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SENTIMENT_* variable from the session (conftest sets the data folder) or the shell."""
    for name in list(os.environ):
        if name.startswith("SENTIMENT_"):
            monkeypatch.delenv(name)


def documented() -> dict[str, str | None]:
    """The variables `.env.example` sets, with their values."""
    return dotenv_values(ENV_EXAMPLE)


def test_every_field_has_a_test_value() -> None:
    # A new setting must be added to NON_DEFAULT (and so to .env.example) before this module passes.
    assert sorted(NON_DEFAULT) == sorted(FIELDS)


@pytest.mark.parametrize("field_name", FIELDS)
def test_every_setting_is_documented(field_name: str) -> None:
    variables = documented()
    assert env_name(field_name) in variables, f"{env_name(field_name)} is missing from .env.example"
    comment_above = ENV_EXAMPLE.read_text(encoding="utf-8").split(f"\n{env_name(field_name)}=")[0]
    assert comment_above.rstrip().splitlines()[-1].startswith("#"), f"{env_name(field_name)} has no comment"


def test_nothing_documented_that_settings_do_not_read() -> None:
    expected = {env_name(name) for name in FIELDS}
    assert set(documented()) == expected


def test_example_copied_as_is_gives_the_defaults(tmp_path: Path) -> None:
    # The documented values are the real defaults: using the file unchanged changes nothing.
    empty = tmp_path / "empty.env"
    empty.write_text("", encoding="utf-8")
    assert load_settings(env_file=ENV_EXAMPLE) == load_settings(env_file=empty) == Settings()


def test_no_configuration_at_all_gives_the_defaults(tmp_path: Path) -> None:
    assert load_settings(env_file=tmp_path / "missing.env") == Settings()


@pytest.mark.parametrize("field_name", FIELDS)
def test_dotenv_value_is_read(field_name: str, tmp_path: Path) -> None:
    text, expected = NON_DEFAULT[field_name]
    env_file = tmp_path / ".env"
    env_file.write_text(f"{env_name(field_name)}={text}\n", encoding="utf-8")
    settings = load_settings(env_file=env_file)
    assert getattr(settings, field_name) == expected
    assert getattr(settings, field_name) != getattr(Settings(), field_name)


def as_text(value: object) -> str:
    """A setting's value as it would be written in the environment."""
    return str(value).lower() if isinstance(value, bool) else str(value)


@pytest.mark.parametrize("field_name", FIELDS)
def test_environment_wins_over_dotenv(
    field_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # .env asks for a non-default value; the environment asks for the default and wins.
    text, _ = NON_DEFAULT[field_name]
    env_file = tmp_path / ".env"
    env_file.write_text(f"{env_name(field_name)}={text}\n", encoding="utf-8")
    default = getattr(Settings(), field_name)
    monkeypatch.setenv(env_name(field_name), as_text(default))
    assert getattr(load_settings(env_file=env_file), field_name) == default


def test_registry_follows_data_dir_unless_set(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SENTIMENT_DATA_DIR=/srv/sentiment\n", encoding="utf-8")
    settings = load_settings(env_file=env_file)
    assert settings.registry_dir == Path("/srv/sentiment/model_registry")
    assert settings.database_url == "sqlite:////srv/sentiment/reviews.sqlite"
