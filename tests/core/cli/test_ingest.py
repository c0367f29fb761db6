"""`python -m core.ingest`: imports print one summary line; failures one `error:` line and exit 1."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.cli.ingest import main
from core.settings import REPO_ROOT, get_settings

FIXTURES = Path(__file__).resolve().parents[1] / "ingestion" / "fixtures"


@pytest.fixture(autouse=True)
def fresh_log_handler() -> Iterator[None]:
    """`core.logs` binds its handler to the sys.stderr of first use; under capsys that stream is
    closed by the next test, so let each test's log lines go to its own captured stderr."""
    logger = logging.getLogger("sentiment")
    logger.handlers.clear()
    yield
    logger.handlers.clear()


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the CLI's default store at a fresh SQLite file."""
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    monkeypatch.setenv("SENTIMENT_DB_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
    from core.storage.engine import dispose_engines

    dispose_engines(url)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_only_logs(err: str) -> None:
    """stderr of a successful run holds only the JSON event lines of `core.logs`."""
    assert all(line.startswith('{"ts": ') for line in err.splitlines()), err


def test_import_twice_then_list(
    store_url: str, predictor: object, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, str(FIXTURES / "utf8_comma.csv"))
    assert code == 0
    assert_only_logs(err)
    assert out.startswith("Read 3 rows: stored 3 new reviews, skipped 0 duplicates, rejected 0.")
    assert out.count("\n") == 1

    code, out, _ = run(capsys, str(FIXTURES / "utf8_comma.csv"))
    assert code == 0
    assert out.startswith("Read 3 rows: stored 0 new reviews, skipped 3 duplicates, rejected 0;")

    code, out, _ = run(capsys, "--list")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["product", "reviews", "negative", "neutral", "positive"]
    assert lines[1].startswith("Coffee Maker")
    assert lines[1].split()[2] == "3"
    assert all(cell.endswith("%") for cell in lines[1].split()[3:])


def test_import_reports_rejected_rows_by_reason(
    store_url: str, predictor: object, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(FIXTURES / "missing_values.csv"), "--product", "Chairs")
    assert code == 0
    assert out.startswith(
        "Read 6 rows: stored 2 new reviews, skipped 0 duplicates, rejected 4 "
        "(empty text: 3, text has no words: 1)."
    )


def test_column_options_override_the_inferred_mapping(
    store_url: str, predictor: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from core.storage.engine import get_engine
    from core.storage.queries import reviews_frame

    code, _, err = run(
        capsys, str(FIXTURES / "spanish_headers.csv"), "--text-column", "titulo", "--product", "Aspiradoras"
    )
    assert code == 0
    assert_only_logs(err)
    frame = reviews_frame(get_engine(store_url))
    # "titulo" matches the "Título" header; the inferred title column is no longer the title.
    assert sorted(frame["text"]) == ["Genial", "Mal"]
    assert frame["title"].isna().all()
    assert set(frame["product"]) == {"Aspiradora"}


def test_list_with_no_products(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from core.storage.engine import get_engine

    get_engine(store_url)  # an existing, empty store
    assert run(capsys, "--list") == (
        0,
        "No products stored yet; import a file with: python -m core.ingest FILE\n",
        "",
    )


def list_store(
    path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """`--list` against the SQLite file at `path`."""
    monkeypatch.setenv("SENTIMENT_DB_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    try:
        return run(capsys, "--list")
    finally:
        get_settings.cache_clear()


def test_list_on_a_mistyped_database_path_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo" / "reviews.sqlite"
    code, out, err = list_store(missing, monkeypatch, capsys)
    assert (code, out) == (1, "")
    assert err == (
        f"error: There is no database at {missing} (check SENTIMENT_DB_URL / SENTIMENT_DATA_DIR); "
        "nothing was created.\n"
    )
    assert not missing.parent.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["empty.csv"], "The file is empty."),
        (["header_only.csv"], "The file has a header row but no data rows."),
        (["screenshot.png"], "The file is a PNG image, not a table; upload a CSV or xlsx file."),
        (["no_text_column.csv"],
         "No text column found: columns are id, price, qty. Choose the column with the review text."),
        (["utf8_comma.csv", "--rating-column", "stars"],
         "Column 'stars' not found: columns are text, product, date, rating."),
        (["missing.csv"], "Cannot open {fixtures}/missing.csv: No such file or directory."),
    ],
)  # fmt: skip
def test_failures_print_one_line_and_exit_1(
    store_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    argv = [str(FIXTURES / argv[0]), *argv[1:]]
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    # The last stderr line is the reason; a failed import may log its JSON event line before it.
    assert err.splitlines()[-1] == f"error: {message.format(fixtures=FIXTURES)}"
    assert all(line.startswith("{") for line in err.splitlines()[:-1])


def test_database_errors_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "store.sqlite").write_bytes(b"this is not a SQLite database, just text" * 100)
    code, out, err = list_store(tmp_path / "store.sqlite", monkeypatch, capsys)
    assert (code, out) == (1, "")
    assert err == "error: Database error (DatabaseError): file is not a database\n"


@pytest.mark.parametrize("argv", [[], ["a.csv", "--list"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert "give either a FILE to import or --list" in capsys.readouterr().err


def test_module_entry_point_has_no_traceback(store_url: str) -> None:
    """`python -m core.ingest` runs the CLI and its errors are IngestError from `core.ingestion.tables`
    (not a second copy of the module under `__main__`)."""
    result = subprocess.run(
        [sys.executable, "-m", "core.ingest", str(FIXTURES / "ragged.csv")],
        cwd=REPO_ROOT,
        env={**os.environ, "SENTIMENT_DB_URL": store_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "error: Row 3 has 3 fields but the header has 2; "
        'put text that contains a comma in double quotes ("...").'
    )
    assert "Traceback" not in result.stderr


def test_missing_model_is_one_line(store_url: str, tmp_path: Path) -> None:
    empty = tmp_path / "no-model"
    empty.mkdir()
    env = {**os.environ, "SENTIMENT_DB_URL": store_url, "SENTIMENT_MODEL_DIR": str(empty),
           "SENTIMENT_REGISTRY_DIR": str(tmp_path / "registry")}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "core.ingest", str(FIXTURES / "utf8_comma.csv")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("error: ") and "sentiment.pt" in last, last


def test_values_lost_on_import_are_reported_by_reason(
    store_url: str, tmp_path: Path, predictor: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import select

    from core.storage.engine import get_engine
    from core.storage.schema import ImportRun

    path = tmp_path / "lost.csv"
    path.write_text(
        "text,rating,date\n"
        "Great blender works well,excellent,2024-01-05\n"
        "Awful broke on day two,7/5,2024-01-06\n"
        "Fine for the price,4,31/02/2024\n"
    )
    code, out, _ = run(capsys, str(path))
    assert code == 0
    assert out.startswith(
        "Read 3 rows: stored 3 new reviews, skipped 0 duplicates, rejected 0; kept with a missing value: "
        "rating out of range (stored without rating): 1, unparseable date (stored without date): 1, "
        "unparseable rating (stored without rating): 1. Model "
    )
    with get_engine(store_url).connect() as conn:
        warnings = conn.execute(select(ImportRun.warnings)).scalar_one()
    assert warnings == {
        "rating out of range (stored without rating)": 1,
        "unparseable date (stored without date)": 1,
        "unparseable rating (stored without rating)": 1,
    }
