"""`CrawlJob`: the dashboard's handle on a crawl running in its own process."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from scraping.runner import CrawlJob, CrawlStatus, crawl_command
from tests.scraping.conftest import Served


@pytest.fixture(autouse=True)
def no_politeness_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child crawler inherits the environment; our fixture server needs no delay."""
    monkeypatch.setenv("SENTIMENT_SCRAPE_DELAY_S", "0")


def test_command_line_of_a_crawl(tmp_path: Path) -> None:
    command = crawl_command(
        ["http://a.test/p"],
        tmp_path / "s.json",
        product="Kettle",
        max_pages=3,
        allow_private=True,
        store=False,
    )
    assert command[1:] == [
        "-m",
        "scraping",
        "crawl",
        "http://a.test/p",
        "--status-file",
        str(tmp_path / "s.json"),
        "--product",
        "Kettle",
        "--max-pages",
        "3",
        "--allow-private-addresses",
        "--no-store",
    ]


def test_job_runs_to_the_end_with_progress(served: Served) -> None:
    job = CrawlJob.start([served.url("/paged-1.html")], allow_private=True, store=False, product="Grinder X")
    assert job.status().state == "running"
    status = job.wait(60)
    job.cleanup()
    assert not job.workdir.exists()
    assert status == CrawlStatus(
        state="finished", pages=3, items=4, stored=0, duplicates=1, errors=[], message="Done.", products=[]
    )


def test_refused_address_fails_with_the_reason_even_if_the_environment_allows_private(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENTIMENT_SCRAPE_ALLOW_PRIVATE", "true")
    status = CrawlJob.start([served.url("/jsonld.html")], allow_private=False, store=False).wait(60)
    assert status.state == "failed"
    assert "127.0.0.1 is a loopback address" in status.message
    assert status.errors and status.errors[0].startswith("Refused ")


def test_cancel_stops_the_process_group_and_records_the_run_as_cancelled(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("SENTIMENT_DB_URL", db_url)
    job = CrawlJob.start([served.url("/slow.html")], allow_private=True)
    deadline = time.monotonic() + 30
    while job.status().message != "Crawling…" and time.monotonic() < deadline:
        time.sleep(0.1)  # wait until the spider is open and the slow request is in flight
    assert job.status().state == "running"
    started = time.monotonic()
    job.cancel()
    assert job.process.poll() is not None
    assert time.monotonic() - started < 15
    status = job.status()
    assert (status.state, status.message) == ("cancelled", "Crawl cancelled; nothing was stored.")

    from sqlalchemy import func, select

    from core.storage.engine import dispose_engines, get_engine
    from core.storage.schema import ImportRun, Review

    engine = get_engine(db_url)
    try:
        with engine.connect() as conn:
            runs = conn.execute(select(ImportRun.kind, ImportRun.status)).all()
            reviews = conn.execute(select(func.count()).select_from(Review)).scalar_one()
        assert [tuple(run) for run in runs] == [("scrape", "cancelled")]
        assert reviews == 0
    finally:
        dispose_engines(db_url)
